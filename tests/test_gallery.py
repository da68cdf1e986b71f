"""The trainers' gallery, built once per test run (seed 0, 150 dpi) and checked section by
section: both images, the forged page's finding present and the genuine page's absent,
every outlined region on its page, the page self-contained, the texts complete.

The booklet sections (whole booklets of 32 pages, about ten seconds of CPU each to make
and screen) are built in a second, slow build (``make test-all``); the page sections in
the default run."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from screening.cli import main
from screening.findings import catalog
from screening.gallery import build_gallery, write_gallery
from screening.gallery.catalogue import LANGUAGES, sections, texts
from screening.gallery.picture import section_picture
from screening.report.annotate import finding_boxes, view_outlines
from tests.conftest import REPO

DOCS_PICTURE = REPO / "docs" / "gallery-section.png"
CI_SEED = 0
CI_DPI = 150
BOOKLET = [s.key for s in sections() if s.maker.startswith("booklet_")]
PAGES = [s.key for s in sections() if s.key not in BOOKLET]
AVAILABLE = [
    pytest.param(s.key, marks=pytest.mark.slow) if s.key in BOOKLET else s.key
    for s in sections()
    if s.available
]


def _build(root: Path, keys: list[str]) -> dict[str, Any]:
    """One build shared by every test and every xdist worker (the first one to take the
    lock builds; the others read its gallery.json)."""
    root.mkdir(exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "gallery.json").exists():
            gallery = build_gallery(root, seed=CI_SEED, lang="ru", dpi=CI_DPI, keys=keys)
            write_gallery(gallery, root)
    data = json.loads((root / "gallery.json").read_text("utf-8"))
    data["root"] = root
    data["html"] = (root / "index.html").read_text("utf-8")
    return data


def _shared_dir(factory: pytest.TempPathFactory, name: str) -> Path:
    base = factory.getbasetemp()
    # Under xdist each worker has its own basetemp inside the run's: share the run's.
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The gallery of the page sections (and those not available yet)."""
    return _build(_shared_dir(tmp_path_factory, "gallery-build"), PAGES)


@pytest.fixture(scope="session")
def built_booklets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The gallery of the booklet sections (slow tests only)."""
    return _build(_shared_dir(tmp_path_factory, "gallery-booklets"), BOOKLET)


@pytest.fixture
def gallery_of(request: pytest.FixtureRequest) -> Any:
    """The build holding section ``key``."""

    def pick(key: str) -> dict[str, Any]:
        return request.getfixturevalue("built_booklets" if key in BOOKLET else "built")

    return pick


def _section(built: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in built["sections"] if s["key"] == key)


def _section_html(built: dict[str, Any], key: str) -> str:
    match = re.search(rf'<section id="{key}".*?</section>', built["html"], re.S)
    assert match, f"no section {key} in the page"
    return match.group(0)


def _codes(shot: dict[str, Any]) -> set[str]:
    return {f["code"] for f in shot["report"]["findings"]}


# Photo sections the documents stage's retrained, template-free photo model (issue 11)
# does not catch on these house specimens: the gallery shows them marked missed. Strict:
# caught again means remove the mark. Rates: benchmarks/results/documents.md.
PHOTO_MISSED = {"photo_seal_missing", "photo_seal_redrawn", "photo_edge", "photo_texture"}
SHOWN_CAUGHT = [
    pytest.param(
        key,
        marks=pytest.mark.xfail(strict=True, reason="photo model of issue 11 misses it"),
    )
    if isinstance(key, str) and key in PHOTO_MISSED
    else key
    for key in AVAILABLE
]


@pytest.mark.parametrize("key", SHOWN_CAUGHT)
def test_section_shows_both_pages_screened(gallery_of: Any, key: str) -> None:
    built = gallery_of(key)
    section = _section(built, key)
    for role in ("genuine", "forged"):
        assert (built["root"] / section[role]["file"]).is_file()
        assert section[role]["report"]["verdict"] in ("clear", "refer", "alert")
    html = _section_html(built, key)
    assert html.count('<svg class="page"') == 2  # genuine beside forged
    assert html.count('class="zoom"') >= 1  # the sign enlarged
    wanted = set(section["codes"])
    assert wanted & _codes(section["forged"]), "the forged page must get the sign's finding"
    assert not wanted & _codes(section["genuine"]), "the genuine page must not"
    assert section["caught"] is True
    # Alerts or warnings on the genuine page are said to be no part of this sign.
    flagged = section["genuine"]["report"]["verdict"] in ("refer", "alert")
    assert (texts("ru")["labels"]["genuine_flagged"] in html) is flagged


@pytest.mark.parametrize("key", AVAILABLE)
def test_every_outlined_region_lies_on_its_page(gallery_of: Any, key: str) -> None:
    section = _section(gallery_of(key), key)
    assert section["sign"], "the sign's place is outlined"
    for role in ("genuine", "forged"):
        width, height = section[role]["size"]
        report = section[role]["report"]
        boxes = [tuple(o.box) for o in view_outlines(report, section[role]["source"])]
        if role == "forged" or section["same_layout"]:
            boxes += [tuple(b) for b in section["sign"]]
        for x, y, w, h in boxes:
            assert w > 0 and h > 0
            assert x >= 0 and y >= 0, (role, (x, y, w, h))
            assert x + w <= width and y + h <= height, (role, (x, y, w, h))


def test_the_findings_of_the_forged_page_point_at_the_sign(built: dict[str, Any]) -> None:
    # The visual-zone finding outlines the altered printed value the generator recorded.
    section = _section(built, "viz_surname")
    report = section["forged"]["report"]
    finding = next(f for f in report["findings"] if f["code"] == "VIZ_MRZ_MISMATCH")
    (sx, sy, sw, sh), (fx, fy, fw, fh) = section["sign"][0], finding_boxes(finding, report)[0]
    assert fx < sx + sw and sx < fx + fw and fy < sy + sh and sy < fy + fh


def _overlap(a: Any, b: Any) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.slow
@pytest.mark.parametrize("key", BOOKLET)
def test_the_booklet_finding_is_outlined_at_the_sign(
    built_booklets: dict[str, Any], key: str
) -> None:
    # On the scan shown, an outline of the section's finding (its own region, or the
    # pages and stamps it names) meets the place the generator changed.
    section = _section(built_booklets, key)
    forged = section["forged"]
    marks = [
        o.box
        for o in view_outlines(forged["report"], forged["source"])
        if o.code in section["codes"]
    ]
    assert any(_overlap(m, s) for m in marks for s in section["sign"]), (marks, section["sign"])


def test_signs_without_a_check_are_listed_not_drawn(built: dict[str, Any]) -> None:
    expected = {s.key for s in sections() if not s.available and s.key not in BOOKLET}
    assert {m["key"] for m in built["missing"]} == expected
    known = catalog()
    for missing in built["missing"]:
        assert not any(code in known for code in missing["codes"]) or missing["reason"]
        assert f'data-key="{missing["key"]}"' in built["html"]
        assert f'<section id="{missing["key"]}"' not in built["html"]


@pytest.mark.parametrize("build", ["built", pytest.param("built_booklets", marks=pytest.mark.slow)])
def test_only_the_specimens_shown_are_kept(request: pytest.FixtureRequest, build: str) -> None:
    # Pairs tried and not shown (a retry after a missed sign) leave nothing behind.
    built = request.getfixturevalue(build)
    shown = {
        Path(section[role]["file"]).parts[1]
        for section in built["sections"]
        for role in ("genuine", "forged")
    }
    kept = {p.name.split(".")[0] for p in (built["root"] / "specimens").iterdir()}
    assert kept == {name.split(".")[0] for name in shown}


def test_page_is_self_contained_and_in_the_chosen_language(built: dict[str, Any]) -> None:
    html = built["html"]
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "nothing fetched from elsewhere"
    images = re.findall(r'<image href="([^"]+)"', html)
    assert images and all(i.startswith("data:image/") for i in images)
    assert '<html lang="ru">' in html and texts("ru")["labels"]["title"] in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_texts_cover_every_section(lang: str) -> None:
    words = texts(lang)
    assert set(words["labels"]) == set(texts("en")["labels"])
    for section in sections():
        text = words["sections"][section.key]
        assert all(text[k].strip() for k in ("title", "look_for", "why"))


def test_every_section_names_known_or_awaited_codes_and_a_maker() -> None:
    keys = [s.key for s in sections()]
    assert len(keys) == len(set(keys))
    for section in sections():
        assert section.codes and all(re.fullmatch(r"[A-Z_]+", c) for c in section.codes)
        if section.check_exists and not section.has_maker:
            pytest.fail(f"{section.key}: its check landed; the gallery needs its maker")


@pytest.fixture
def cli_out(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "out"


def test_specimen_options_still_work_beside_the_gallery_subcommand(cli_out: Path) -> None:
    args = ["specimen", "--format", "TD2", "--state", "KAZ", "--dpi", "150", "--seed", "3"]
    assert main([*args, "--out", str(cli_out)]) == 0
    assert len(list(cli_out.glob("*.json"))) == 1
    assert main(args) == 2  # --out is still required without a subcommand
    assert main(["specimen", "gallery", "--out", str(cli_out), "--section", "nope"]) == 2


def test_readme_picture_of_one_section(built: dict[str, Any], tmp_path: Path) -> None:
    """The README's picture: section "viz_surname" drawn from this build. ``make
    docs-picture`` (SCREENING_WRITE_DOCS=1) writes it to docs/gallery-section.png."""
    data = dict(built, lang="en")
    picture = section_picture(built["root"], data, "viz_surname")
    out = tmp_path / "section.png"
    picture.save(out, optimize=True)
    assert picture.width == 1620 and 900 < picture.height < 2200
    if os.environ.get("SCREENING_WRITE_DOCS") == "1":
        shutil.copy(out, DOCS_PICTURE)
    committed = Image.open(DOCS_PICTURE)
    assert committed.width == picture.width, "docs picture stale: run make docs-picture"
