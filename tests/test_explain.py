"""``screening explain``: the annotated view of any image, on a bundled specimen."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import cv2
import pytest

from screening.cli import main
from screening.report.annotate import (
    cell_index,
    field_span,
    finding_boxes,
    outlines,
    span_box,
    view_outlines,
)
from tests.conftest import REPO, realworld_dir

SAMPLE = REPO / "fixtures" / "samples" / "td3-kgz-clean-viz-surname-shifted.png"


def test_explain_writes_the_annotated_page_and_picture(tmp_path: Path) -> None:
    # A hostile file name: it must come out as text, never as markup.
    image = tmp_path / '<b onload="x">&scan.png'
    shutil.copy(SAMPLE, image)
    html_file, png_file = tmp_path / "explain.html", tmp_path / "explain.png"
    args = ["explain", str(image), "--today", "2026-11-28", "--no-lists"]
    assert main([*args, "--out", str(html_file), "--png", str(png_file)]) == 0
    html = html_file.read_text("utf-8")
    assert "&lt;b onload=&quot;x&quot;&gt;&amp;scan.png" in html
    assert "<b onload" not in html and "<script" not in html
    assert 'class="v-alert"' in html and "VIZ_MRZ_MISMATCH" in html
    # Every MRZ character with its confidence: 2 lines of 44 on a TD3 page.
    chars = re.findall(r'<div class="mrz-line">(.*?)</div>', html)
    assert [c.count("<span") for c in chars] == [44, 44]
    assert re.search(r"confidence [01]\.\d\d", html)
    # The altered surname is outlined with its reason, the MRZ and the photo as context.
    assert 'data-code="VIZ_MRZ_MISMATCH"' in html and 'data-code="mrz"' in html
    assert 'data-code="photo"' in html
    picture = cv2.imread(str(png_file))
    source = cv2.imread(str(SAMPLE))
    assert picture.shape == source.shape and (picture != source).any()


def test_explain_of_a_file_that_is_no_image_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("not an image", "utf-8")
    out = tmp_path / "explain.html"
    assert main(["explain", str(bad), "--no-lists", "--out", str(out)]) == 3
    assert not out.exists()
    assert main(["explain", str(SAMPLE), "--no-lists"]) == 2  # no output asked for


@pytest.fixture
def report() -> dict:
    # A TD3 report as `scan --json` gives it, with the explain view's MRZ cells.
    cells = [
        {
            "line": ln,
            "position": p,
            "char": "<",
            "confidence": 0.99,
            "region": [p * 10, ln * 20, 10, 14],
        }
        for ln in (1, 2)
        for p in range(1, 45)
    ]
    return {
        "document": {"format": "TD3"},
        "mrz_region": {"box": [0, 15, 460, 40]},
        "mrz_cells": cells,
        "viz": {"document_number": {"match": False, "region": [100, 0, 80, 12]}},
        "findings": [
            {
                "code": "MRZ_CHECK_DIGIT",
                "severity": "alert",
                "evidence": {"line": 2, "positions": [10, 10]},
            },
            {"code": "LIST_STOLEN", "severity": "alert", "evidence": {"field": "document_number"}},
            {"code": "VIZ_MRZ_MISMATCH", "severity": "alert", "evidence": {"region": [1, 2, 3, 4]}},
            {"code": "LIST_NOT_CHECKED", "severity": "warning", "evidence": {}},
        ],
    }


def test_findings_without_a_region_point_at_their_mrz_characters(report: dict) -> None:
    cells = cell_index(report)
    assert field_span(report, "document_number") == (2, 1, 9)
    check, listed, viz, nowhere = (finding_boxes(f, report) for f in report["findings"])
    assert check == [(100, 40, 10, 14)]  # line 2, position 10
    assert listed == [span_box(cells, 2, 1, 9), (100, 0, 80, 12)]  # MRZ number + printed
    assert viz == [(1, 2, 3, 4)] and nowhere == []
    labels = [(o.kind, o.label) for o in outlines(report)]
    assert labels[:2] == [("mrz", "MRZ"), ("viz", "document_number")]
    assert ("alert", "1") in labels and ("alert", "3") in labels
    # Cut to a small image: a box wholly outside it is dropped.
    assert all(o.box[0] < 50 for o in outlines(report, (50, 60)))


@pytest.mark.parametrize("name", ["passporteye__passport-td3.png", "passporteye__passport-td2.png"])
def test_explain_on_a_real_specimen_scan_reads_its_mrz_where_it_is(
    tmp_path: Path, name: str
) -> None:
    # The ICAO Utopia specimens PassportEye tests with (../shared/realworld, read in place):
    # every MRZ character drawn with its confidence, the cells on the page, in the band.
    entry = next(
        json.loads(line)
        for line in (realworld_dir() / "images.jsonl").read_text("utf-8").splitlines()
        if json.loads(line)["file"] == f"images/{name}"
    )
    image = realworld_dir() / entry["file"]
    out = tmp_path / "explain.html"
    assert main(["explain", str(image), "--no-lists", "--out", str(out)]) == 0
    html = out.read_text("utf-8")
    chars = re.findall(r'<div class="mrz-line">(.*?)</div>', html)
    assert [c.count("<span") for c in chars] == [len(line) for line in entry["mrz_lines"]]
    text = ["".join(unescape(ch) for ch in re.findall(r">([^<>]*)</span>", c)) for c in chars]
    assert text == entry["mrz_lines"]
    height, width = cv2.imread(str(image)).shape[:2]
    boxes = [
        tuple(map(float, b))
        for b in re.findall(
            r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', html
        )
    ]
    assert boxes and all(x + w <= width + 1 and y + h <= height + 1 for x, y, w, h in boxes)


def test_a_booklet_scan_gets_the_outlines_of_the_findings_about_it() -> None:
    # A booklet report as `booklet --json` gives it: scan-002 holds pages 8 and 11 (the
    # leaf 9-10 pulled) and two stamps.
    pages = [
        dict(zip(("index", "number", "source", "region"), row, strict=True))
        for row in (
            (0, 2, "scan-001.png", [0, 0, 50, 70]),
            (1, 8, "scan-002.png", [0, 0, 50, 70]),
            (2, 11, "scan-002.png", [50, 0, 50, 70]),
        )
    ]
    stamps = [
        {"id": 0, "source": "scan-002.png", "region": [5, 5, 10, 10]},
        {"id": 1, "source": "scan-002.png", "region": [60, 5, 10, 10]},
    ]
    findings = [
        {"code": "BOOKLET_PAGES_MISSING", "severity": "alert", "evidence": {"page_index": [1, 2]}},
        {"code": "BOOKLET_TORN_STUB", "severity": "alert",
         "evidence": {"source": "scan-002.png", "page_index": [1, 2]}},
        {"code": "BOOKLET_PAGE_FOREIGN", "severity": "warning",
         "evidence": {"source": "scan-002.png", "region": [50, 0, 50, 70], "page_index": 2}},
        {"code": "ROUTE_DATES_OUT_OF_ORDER", "severity": "warning", "evidence": {"stamps": [0, 1]}},
        {"code": "BOOKLET_PAGE_FOREIGN", "severity": "warning",
         "evidence": {"source": "scan-001.png", "region": [0, 0, 50, 70], "page_index": 0}},
    ]  # fmt: skip
    report = {"pages": pages, "stamps": stamps, "findings": findings}
    marks = {(o.label, o.box) for o in view_outlines(report, "scan-002.png")}
    assert marks == {
        ("1", (0, 0, 50, 70)), ("1", (50, 0, 50, 70)),  # the pages around the gap
        ("2", (0, 0, 50, 70)), ("2", (50, 0, 50, 70)),
        ("3", (50, 0, 50, 70)),  # its own region
        ("4", (5, 5, 10, 10)), ("4", (60, 5, 10, 10)),  # the stamps it names
    }  # fmt: skip
    assert {o.label for o in view_outlines(report, "scan-001.png")} == {"5"}
