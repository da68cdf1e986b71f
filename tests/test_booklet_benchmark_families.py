"""The booklet benchmark on page families: any registered family by name, booklets
written from its pages, and the scoring of what the screener reported."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from benchmarks import booklet_families
from fixtures.families.contract import PageRequest, RenderedPage


def _fake_family() -> types.ModuleType:
    module = types.ModuleType("fake_family_for_booklets")
    module.NAME = "fake"  # type: ignore[attr-defined]

    def render(request: PageRequest) -> RenderedPage:
        lines = ["P<UTOFAKE<<NAME" + "<" * 29, "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
        truth = {
            "kind": request.kind,
            "layout": f"layout-{request.seed % 3}",
            "mrz_lines": lines if request.kind == "genuine" else [],
        }
        return RenderedPage(f"{request.kind}:{request.seed}".encode(), "png", truth)

    module.render = render  # type: ignore[attr-defined]
    return module


def test_any_registered_family_is_taken_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fake_family_for_booklets", _fake_family())
    monkeypatch.setitem(booklet_families.FAMILIES, "fake", "fake_family_for_booklets")
    monkeypatch.setattr(booklet_families, "OUT", tmp_path)
    folder, truth = booklet_families.family_booklet("fake", 3, 2)
    files = sorted(p.name for p in folder.iterdir())
    assert files == [p["file"] for p in truth["pages"]]
    assert [p["kind"] for p in truth["pages"]][:2] == ["genuine", "printed_no_mrz"]
    assert truth["mrz_lines"][1].startswith("L898902C3")
    # rendered once: the second call reads the truth back
    assert booklet_families.family_booklet("fake", 3, 2) == (folder, truth)


def test_an_unknown_family_names_the_known_ones() -> None:
    with pytest.raises(SystemExit, match="known: atlas"):
        booklet_families.run_family("no-such-family", 1, 1)


def _report(codes: list[tuple[str, str]], data_page: int | None) -> dict:
    return {
        "findings": [{"code": c, "severity": s, "evidence": {}} for c, s in codes],
        "pages": [{"source": "scan-001.png"}, {"source": "scan-002.png"}],
        "data_page": data_page,
        "document": {"mrz_lines": ["A", "B"]},
        "verdict": "alert",
        "stamps": [{}, {}],
    }


TRUTH = {"capture": "clean", "pages": [{"file": "scan-001.png"}, {}], "mrz_lines": ["A", "B"]}


@pytest.mark.parametrize(
    ("codes", "data_page", "found", "false_any", "booklet_alert"),
    [
        ([("DOC_EXPIRED", "alert")], 0, True, False, False),
        ([("BOOKLET_TORN_STUB", "alert")], 0, True, True, True),
        ([("BOOKLET_PAGES_UNCERTAIN", "warning")], 1, False, False, False),
        ([("BOOKLET_PAGE_FOREIGN", "alert")], None, False, True, True),
    ],
)
def test_every_booklet_alert_on_family_pages_is_false(
    codes: list[tuple[str, str]],
    data_page: int | None,
    found: bool,
    false_any: bool,
    booklet_alert: bool,
) -> None:
    row = booklet_families.score(_report(codes, data_page), TRUTH)
    assert row["data_found"] is found
    assert row["false_any"] is false_any
    assert row["booklet_alert"] is booklet_alert
    assert row["stamps_reported"] == 2


def test_any_registered_booklet_style_gets_its_own_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import booklet

    assert booklet.style_seed("caravan") == booklet.STYLE_SEEDS["caravan"]  # cached sets
    monkeypatch.setitem(booklet.STYLES, "fourth", "fixtures.booklet.fourth")
    seeds = {booklet.style_seed(s) for s in ("ledger", "steppe", "caravan", "fourth")}
    assert len(seeds) == 4
    with pytest.raises(SystemExit, match="known: caravan"):
        booklet.style_seed("unregistered")
