"""The batch's report files: spreadsheet-safe CSV, an HTML report that escapes what it
shows and outlines the regions behind findings, and the command's exit codes."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from screening.batch import BatchOptions, run_batch
from screening.batch.journal import Entry
from screening.batch.manifest import redact_url
from screening.batch.progress import BarProgress, LineProgress, for_stream
from screening.batch.report_html import render_report
from screening.cli import main
from screening.report.spreadsheet import neutralise_cell, write_rows
from tests.batch_helpers import FAST, SAMPLES, TODAY, make_inputs

HOSTILE = '<img src=x onerror=alert(1)>"&'


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("P<KGZ", "P<KGZ"),
        (None, ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value: str | None, cell: str) -> None:
    assert neutralise_cell(value) == cell
    text = io.StringIO(newline="")
    write_rows(text, ["v"], [[value]])
    assert list(csv.reader(io.StringIO(text.getvalue()))) == [["v"], [cell]]


def _entry(file: str, verdict: str, findings: list[dict[str, object]]) -> Entry:
    row = {
        "file": file,
        "verdict": verdict,
        "document": {"format": "TD3", "fields": {"issuing_country": "KGZ"}, "mrz_lines": []},
        "findings": findings,
        "mrz_region": {"box": [10, 300, 380, 60]},
    }
    thumb = (SAMPLES / "td3-kgz-clean.png").read_bytes()  # any image: only embedded
    return Entry(file, "d", row, thumbnail=thumb, image_size=(400, 400))


def test_report_escapes_every_text_and_outlines_finding_regions() -> None:
    finding = {
        "code": "VIZ_MRZ_MISMATCH",
        "severity": "alert",
        "message": f"printed {HOSTILE}",
        "evidence": {"region": [20, 30, 100, 40], "nested": [{"region": [1, 2, 3, 4]}]},
    }
    entries = [
        _entry(f"/in/{HOSTILE}.jpg", "alert", [finding]),
        _entry("/in/ok.jpg", "clear", []),
    ]
    page = render_report(entries, {"parameters": {"input_dir": HOSTILE}, "skipped": []})
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page.replace("&lt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;&amp;" in page
    assert '<rect class="f-alert" x="20" y="30" width="100" height="40">' in page
    assert '<rect class="f-alert" x="1" y="2" width="3" height="4">' in page
    assert '<rect class="mrz" x="10" y="300"' in page
    assert page.count("data:image/jpeg;base64,") == 1  # clear pages get no thumbnail
    assert page.index("ALERT") < page.index("/in/ok.jpg")


def test_lists_password_is_never_written() -> None:
    assert redact_url("postgresql://analyst:s3cret@db:5432/lists") == (
        "postgresql://analyst:***@db:5432/lists"
    )
    assert redact_url("sqlite:///var/lists.db") == "sqlite:///var/lists.db"


def test_flagged_page_gets_an_embedded_thumbnail_with_its_regions(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", ("kgz1994-handfilled-scan.jpg",))
    options = BatchOptions(today=date.fromisoformat(TODAY), check_lists=False, workers=0)
    run_batch(inputs, tmp_path / "out", options)
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert page.count("data:image/jpeg;base64,") == 1
    assert re.search(
        r'<rect class="f-(alert|warning|info)" x="\d+" y="\d+" width="\d+" height="\d+">', page
    )
    assert "LEGACY_HANDFILLED" in page


def test_cli_exit_codes_and_csv_of_a_hostile_file_name(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", FAST[:1])
    (inputs / "=HYPERLINK(1).jpg").write_bytes(b"not an image")
    out = tmp_path / "out"
    args = ["batch", str(inputs), "--out", str(out), "--no-lists", "--no-viz"]
    code = main([*args, "--today", TODAY, "--workers", "0", "--quiet"])
    assert code == 3  # an error row, as scan: the others were screened
    text = (out / "results.csv").read_text("utf-8-sig")
    assert "\"'=HYPERLINK(1).jpg" not in text  # the cell starts with the folder, not "="
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["verdict"] for r in rows] == ["error", "clear"]
    assert main([*args, "--today", "2027-01-01", "--workers", "0"]) == 2  # other parameters
    assert main(["batch", str(inputs), "--out", str(out), "--dask", "udp://x"]) == 2
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert main(["batch", str(inputs), "--out", str(blocked / "out"), "--workers", "0"]) == 7


def test_the_summary_line_escapes_the_output_folder_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = make_inputs(tmp_path / "in", FAST[:1])
    out = tmp_path / "out\x1b[2J\x1b]0;owned\x07"  # clears the screen, retitles the terminal
    args = ["batch", str(inputs), "--out", str(out), "--no-lists", "--no-viz", "--no-events"]
    assert main([*args, "--today", TODAY, "--workers", "0", "--quiet"]) == 0
    summary = capsys.readouterr().err
    assert "\x1b" not in summary and "\x07" not in summary
    assert "Reports in " in summary and "out" in summary


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "kind"), [(io.StringIO(), LineProgress), (_Terminal(), BarProgress)]
)
def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere(
    stream: io.StringIO, kind: type
) -> None:
    progress = for_stream(stream)
    assert isinstance(progress, kind)
    if isinstance(progress, LineProgress):
        progress.interval_s = 0.0  # a line per input, to see one
    progress.start(5, 1)
    for verdict in ("alert", "clear"):
        progress.advance({"verdict": verdict})
    progress.close()
    text = stream.getvalue()
    assert "3/5" in text and "alert 1" in text
    assert "/s" in text or "input/s" in text  # a rate
