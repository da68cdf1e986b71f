"""The whole booklet command on one generated booklet (rendered once for the module):
the pulled leaf, its stub and the page from another booklet are found, and the JSON
object keeps its contract keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fixtures.booklet import make_plan, render_booklet, write_booklet
from screening.cli import cli, main
from screening.errors import ExitCode

CONTRACT_KEYS = {
    "file",
    "verdict",
    "document",
    "pages",
    "stamps",
    "route",
    "findings",
    "timings",
    "lists",
}
STAMP_KEYS = {
    "page",
    "checkpoint",
    "date",
    "direction",
    "shape",
    "colour",
    "region",
    "confidence",
    "gazetteer",
}


@pytest.fixture(scope="module")
def booklet(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    plan = make_plan(
        20261205,
        model="KGZ-2004",
        pulled=1,
        stub=True,
        substituted=1,
        substitution_signs=("number",),
        trips=2,
    )
    rendered = render_booklet(plan, "ledger", layout="spreads", capture="clean", dpi=170)
    path = write_booklet(rendered, tmp_path_factory.mktemp("booklet") / "b1", container="folder")
    truth = rendered.truth
    result = CliRunner().invoke(
        cli, ["booklet", str(path), "--json", "--no-lists", "--today", truth["screening_date"]]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output), truth


def _codes(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == code]


def test_json_object_keeps_the_contract(booklet: tuple[dict[str, Any], dict[str, Any]]) -> None:
    report, _truth = booklet
    assert set(report) >= CONTRACT_KEYS
    assert report["document"]["mrz_lines"]
    assert all(set(s) >= STAMP_KEYS for s in report["stamps"])
    assert report["verdict"] == "alert"


def test_pulled_leaf_is_named(booklet: tuple[dict[str, Any], dict[str, Any]]) -> None:
    report, truth = booklet
    named = {p for f in _codes(report, "BOOKLET_PAGES_MISSING") for p in f["evidence"]["pages"]}
    assert named == set(truth["pages_missing"])


def test_torn_stub_is_found_between_the_facing_pages(
    booklet: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    report, truth = booklet
    stub_images = [im for im in truth["images"] if im["stub"]]
    facing = {p["number"] for im in stub_images for p in im["pages"]}
    flagged = [set(f["evidence"]["pages"]) for f in _codes(report, "BOOKLET_TORN_STUB")]
    assert flagged and all(pages <= facing for pages in flagged)


def test_page_from_another_booklet_is_named(booklet: tuple[dict[str, Any], dict[str, Any]]) -> None:
    report, truth = booklet
    foreign = {p for leaf in truth["substituted"] for p in leaf["pages"]}
    flagged = {f["evidence"].get("page") for f in _codes(report, "BOOKLET_PAGE_SUBSTITUTED")}
    assert flagged and flagged <= foreign


def test_pages_carry_numbers_and_sources(booklet: tuple[dict[str, Any], dict[str, Any]]) -> None:
    report, truth = booklet
    numbers = [p["number"] for p in report["pages"] if p["number"] is not None]
    assert numbers == sorted(numbers)
    assert set(numbers) == set(truth["pages_present"])
    assert all(p["source"].startswith("scan-") for p in report["pages"])


def test_unreadable_input_is_an_error_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["booklet", str(tmp_path / "absent"), "--json", "--no-lists"])
    assert code == ExitCode.input_file
    record = json.loads(capsys.readouterr().out)
    assert record["verdict"] is None and "no such file" in record["error"]
