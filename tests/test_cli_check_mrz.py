"""The check-mrz command as users and outside tools call it: the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

UTO = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # The console script installed beside this interpreter (what users run), else -m.
    script = Path(sys.executable).with_name("screening")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "screening"]
    return subprocess.run(
        [*cmd, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def test_json_contract_keys() -> None:
    result = run("check-mrz", "--json", "--today", "2011-01-01", *UTO)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in ("format", "fields", "mrz_lines", "findings", "verdict"):
        assert key in report
    assert report["verdict"] == "clear"
    assert report["mrz_lines"] == UTO
    assert {f["code"] for f in report["findings"]} == {"DOC_SPECIMEN"}
    for finding in report["findings"]:
        assert set(finding) == {"code", "severity", "message", "evidence"}


def test_reads_lines_from_stdin() -> None:
    result = run("check-mrz", "--json", "--today", "2026-11-28", stdin="\n".join(UTO) + "\n")
    report = json.loads(result.stdout)
    assert report["format"] == "TD3"
    assert report["verdict"] == "alert"  # expired in 2012
    assert "DOC_EXPIRED" in {f["code"] for f in report["findings"]}


def test_text_output_for_the_officer() -> None:
    bad = UTO[1][:9] + "7" + UTO[1][10:]
    result = run("check-mrz", "--today", "2011-01-01", UTO[0], bad)
    assert result.returncode == 0
    assert "MRZ_CHECK_DIGIT" in result.stdout
    assert "Verdict: ALERT" in result.stdout


@pytest.mark.parametrize("stdin", ["x" * 50_000, "\x00\x01binary\xff", "\n".join(["junk"] * 10)])
def test_bad_input_is_reported_without_traceback(stdin: str) -> None:
    result = run("check-mrz", "--json", stdin=stdin)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0
    assert json.loads(result.stdout)["verdict"] == "alert"


def test_bad_option_exit_code() -> None:
    result = run("check-mrz", "--today", "tomorrow", "X")
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr
