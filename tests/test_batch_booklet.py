"""A booklet in a batch: a sub-folder of page scans is screened as one passport by
``screen_booklet``; its row is the ``booklet --json`` object, its CSV line fills the same
columns as a page's, and report.html shows the image of the page its alert names."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fixtures.booklet import make_plan, render_booklet, write_booklet
from screening.batch import BatchOptions, run_batch
from screening.batch.writers import CSV_COLUMNS
from tests.batch_helpers import FAST, make_inputs, read_rows


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One batch over a loose page and a booklet folder with a pulled leaf (out, truth)."""
    root = tmp_path_factory.mktemp("batch-booklet")
    inputs = make_inputs(root / "in", FAST[:1])
    plan = make_plan(20261206, model="KGZ-2004", pulled=1, stub=False, trips=1)
    rendered = render_booklet(plan, "ledger", layout="spreads", capture="clean", dpi=150)
    write_booklet(rendered, inputs / "passport-A", container="folder")
    (inputs / "passport-A.truth.json").unlink()  # the generator's answer stays out of the run
    options = BatchOptions(
        today=date.fromisoformat(rendered.truth["screening_date"]),
        check_lists=False,
        check_viz=False,
        workers=0,
    )
    summary = run_batch(inputs, root / "out", options)
    assert summary.complete
    return root / "out", rendered.truth


def _booklet_row(out: Path) -> dict[str, Any]:
    return next(r for r in read_rows(out) if r["file"].endswith("passport-A"))


def test_a_booklet_folder_is_one_row_with_the_booklet_object(
    batch: tuple[Path, dict[str, Any]],
) -> None:
    out, truth = batch
    rows = read_rows(out)
    assert len(rows) == 2  # the loose page and the booklet, not one row per page image
    row = _booklet_row(out)
    assert {"pages", "stamps", "route", "document", "findings", "verdict"} <= set(row)
    missing = [f for f in row["findings"] if f["code"] == "BOOKLET_PAGES_MISSING"]
    assert missing and set(truth["pages_missing"]) <= set(missing[0]["evidence"]["pages"])
    assert row["verdict"] == "alert"


def test_the_csv_line_of_a_booklet_fills_the_page_columns(
    batch: tuple[Path, dict[str, Any]],
) -> None:
    out, truth = batch
    with (out / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert tuple(records[0]) == CSV_COLUMNS
    line = next(r for r in records if r["file"].endswith("passport-A"))
    row = _booklet_row(out)
    assert line["verdict"] == "alert" and line["format"] == row["document"]["format"]
    assert line["document_number"] == truth["passport_number"]
    assert line["issuing_state"] == "KGZ"
    assert "BOOKLET_PAGES_MISSING" in line["finding_codes"].split()


def test_report_html_shows_the_image_of_the_pages_the_alert_names(
    batch: tuple[Path, dict[str, Any]],
) -> None:
    out, _truth = batch
    page = (out / "report.html").read_text("utf-8")
    row = _booklet_row(out)
    card = next(c for c in page.split('<div class="card">') if "passport-A</code>" in c)
    assert "data:image/jpeg;base64," in card
    # The pages around the gap, outlined in the spread image's own pixels.
    missing = next(f for f in row["findings"] if f["code"] == "BOOKLET_PAGES_MISSING")
    shown = [p for p in row["pages"] if p["index"] in missing["evidence"]["page_index"]]
    boxes = re.findall(r'<rect class="f-alert" x="(\d+)" y="(\d+)"', card)
    assert {(str(p["region"][0]), str(p["region"][1])) for p in shown} & set(boxes)
