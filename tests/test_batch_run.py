"""The batch driver end to end: rows, error rows, resuming, changed inputs, reports."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from screening.batch import BatchOptions, run_batch
from screening.errors import BadArgumentsError
from screening.pipeline import ScanOptions
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings
from tests.batch_helpers import FAST, SAMPLES, TODAY, make_inputs, read_rows, stable, stable_rows

QUICK = BatchOptions(today=date.fromisoformat(TODAY), check_lists=False, check_viz=False, workers=0)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One complete serial run over four pages and a broken file (inputs, out)."""
    root = tmp_path_factory.mktemp("batch-ref")
    inputs = make_inputs(root / "in")
    (inputs / "broken.jpg").write_bytes(b"\xff\xd8\xff truncated")
    (inputs / "notes.txt").write_text("seized 2026-11-28\n")
    summary = run_batch(inputs, root / "out", QUICK)
    assert summary.complete and summary.screened_now == 5
    return inputs, root / "out"


def test_one_row_per_input_in_input_order_and_a_bad_file_is_an_error_row(
    reference: tuple[Path, Path],
) -> None:
    _inputs, out = reference
    rows = read_rows(out)
    names = [Path(r["file"]).name for r in rows]
    assert names == sorted(["broken.jpg", *FAST[:4]], key=str.casefold)
    broken = rows[names.index("broken.jpg")]
    assert broken["verdict"] is None and "broken.jpg" in broken["error"]
    assert set(broken) >= {"file", "verdict", "document", "findings", "timings", "error"}
    for row in rows:
        if row is not broken:
            assert row["verdict"] in ("clear", "refer", "alert")
            assert row["document"]["mrz_lines"]


def test_rows_are_what_scan_json_prints(reference: tuple[Path, Path]) -> None:
    inputs, out = reference
    row = next(r for r in read_rows(out) if r["file"].endswith(FAST[0]))
    settings = Settings(today=date.fromisoformat(TODAY))
    options = ScanOptions(check_viz=False)
    with ScreeningSession.open(settings, options, SessionOptions(check_lists=False)) as session:
        scanned = session.scan(inputs / FAST[0]).to_dict()
    assert stable(row) == stable(scanned)


def test_manifest_records_parameters_software_and_each_input_digest(
    reference: tuple[Path, Path],
) -> None:
    _inputs, out = reference
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["complete"] is True
    assert manifest["parameters"]["today"] == TODAY
    assert manifest["parameters"]["check_viz"] is False
    assert manifest["software"]["screening"]
    assert all(manifest["software"]["models"].values())
    for record in manifest["inputs"]:
        assert record["sha256"] == hashlib.sha256(Path(record["file"]).read_bytes()).hexdigest()
    assert {"file": "notes.txt", "reason": "not an image"} in manifest["skipped"]
    assert manifest["counts"]["verdicts"]["error"] == 1


def test_csv_has_one_line_per_document(reference: tuple[Path, Path]) -> None:
    _, out = reference
    with open(out / "results.csv", encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert [Path(r["file"]).name for r in lines] == [Path(r["file"]).name for r in read_rows(out)]
    kgz = next(r for r in lines if r["file"].endswith("td3-kgz-clean.png"))
    assert (kgz["format"], kgz["issuing_state"], kgz["nationality"]) == ("TD3", "KGZ", "KGZ")
    assert kgz["document_number"]
    assert next(r for r in lines if r["file"].endswith("broken.jpg"))["verdict"] == "error"


def test_rerun_screens_nothing_again_and_writes_the_same_rows(
    reference: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, out = reference
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    summary = run_batch(inputs, copy, QUICK)
    assert (summary.screened_now, summary.reused, summary.complete) == (0, 5, True)
    assert read_rows(copy) == read_rows(out)  # byte-for-byte the same rows, timings too


def test_changed_input_is_screened_again_and_a_removed_one_leaves_the_report(
    tmp_path: Path,
) -> None:
    inputs = make_inputs(tmp_path / "in", FAST[:3])
    first = run_batch(inputs, tmp_path / "out", QUICK)
    before = {Path(r["file"]).name: r for r in read_rows(tmp_path / "out")}
    shutil.copyfile(SAMPLES / FAST[5], inputs / FAST[1])  # same name, another document
    (inputs / FAST[2]).unlink()
    summary = run_batch(inputs, tmp_path / "out", QUICK)
    assert (first.screened_now, summary.screened_now, summary.reused) == (3, 1, 1)
    rows = {Path(r["file"]).name: r for r in read_rows(tmp_path / "out")}
    assert sorted(rows) == sorted(FAST[:2])
    number = rows[FAST[1]]["document"]["fields"]["document_number"]
    assert number != before[FAST[1]]["document"]["fields"]["document_number"]
    assert rows[FAST[0]] == before[FAST[0]]  # kept from the first run, not screened again
    journal = (tmp_path / "out" / "journal.jsonl").read_text("utf-8").splitlines()[1:]
    assert sorted(json.loads(line)["key"] for line in journal) == sorted(rows)  # compacted


def test_other_parameters_refuse_to_mix_runs_until_restart(
    reference: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, out = reference
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    other = replace(QUICK, today=date(2027, 1, 1))
    with pytest.raises(BadArgumentsError, match="other parameters"):
        run_batch(inputs, copy, other)
    restarted = replace(other, restart=True)
    summary = run_batch(inputs, copy, restarted)
    assert (summary.screened_now, summary.reused) == (5, 0)
    assert json.loads((copy / "manifest.json").read_text())["parameters"]["today"] == "2027-01-01"


def test_report_html_counts_and_flags(reference: tuple[Path, Path]) -> None:
    _, out = reference
    page = (out / "report.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "broken.jpg" in page and "Verdicts" in page and "KGZ" in page


def test_local_pool_with_bytes_sent_gives_the_same_rows(
    reference: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, out = reference
    options = replace(QUICK, workers=2, send_bytes=True)
    summary = run_batch(inputs, tmp_path / "out", options)
    assert summary.complete and summary.execution["executor"] == "local"
    assert len(summary.workers_max_rss_kb) == 2
    assert stable_rows(tmp_path / "out") == stable_rows(out)
