"""Resuming after the batch process is stopped: Ctrl-C (SIGINT), kill -9, a full disk.

Each test runs ``screening batch`` in a subprocess, stops it mid-run, runs the same
command again and checks that every input is reported exactly once with the rows of an
uninterrupted run.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from screening.batch import BatchOptions, BatchSummary, run_batch
from screening.batch.journal import read_journal
from tests.batch_helpers import (
    FAST,
    SAMPLES,
    TODAY,
    journal_entries,
    make_inputs,
    read_rows,
    stable_rows,
    wait_for,
)
from tests.conftest import REPO

ARGS = ["--no-lists", "--no-viz", "--today", TODAY, "--workers", "0", "--quiet"]
SAME_AS_ARGS = BatchOptions(
    today=date.fromisoformat(TODAY), check_lists=False, check_viz=False, workers=0
)


def _command(inputs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "screening", "batch", str(inputs), "--out", str(out), *ARGS]


def _run(inputs: Path, out: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(inputs, out), cwd=REPO, capture_output=True, text=True, timeout=300, **kwargs
    )  # type: ignore[call-overload]


def _resume(inputs: Path, out: Path) -> BatchSummary:
    """The same command again, in this process (the library behind the CLI)."""
    return run_batch(inputs, out, SAME_AS_ARGS)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("uninterrupted")
    inputs = make_inputs(root / "in", FAST)
    assert _resume(inputs, root / "out").complete
    return inputs, root / "out"


def _stop_mid_run(inputs: Path, out: Path, sig: signal.Signals) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        _command(inputs, out), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert wait_for(lambda: journal_entries(out) >= 2 or process.poll() is not None)
    process.send_signal(sig)
    process.wait(timeout=120)
    return process


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_stopped_run_resumes_to_the_uninterrupted_result(
    uninterrupted: tuple[Path, Path], tmp_path: Path, sig: signal.Signals
) -> None:
    inputs, reference = uninterrupted
    out = tmp_path / "out"
    process = _stop_mid_run(inputs, out, sig)
    finished_before = len(read_journal(out / "journal.jsonl").entries)
    assert 0 < finished_before < len(FAST), "the batch must be stopped mid-run"
    if sig == signal.SIGINT:
        # A graceful stop: exit 130, and reports for what was done, marked incomplete.
        assert process.returncode == 130, process.stderr.read()  # type: ignore[union-attr]
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        assert manifest["complete"] is False
        assert manifest["counts"]["remaining"] == len(FAST) - finished_before
        assert len(read_rows(out)) == finished_before
    else:
        assert process.returncode == -signal.SIGKILL
    resumed = _resume(inputs, out)
    assert (resumed.reused, resumed.screened_now) == (finished_before, len(FAST) - finished_before)
    assert stable_rows(out) == stable_rows(reference)
    assert len(read_journal(out / "journal.jsonl").entries) == len(FAST)


def test_a_partial_last_line_is_dropped_and_that_input_screened_again(
    uninterrupted: tuple[Path, Path], tmp_path: Path
) -> None:
    """What a power cut can leave: a journal ending in half a line."""
    inputs, reference = uninterrupted
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    journal = out / "journal.jsonl"
    data = journal.read_bytes()
    journal.write_bytes(data[: len(data) - 40])  # the last entry loses its end
    resumed = _resume(inputs, out)
    assert (resumed.screened_now, resumed.reused) == (1, len(FAST) - 1)
    assert stable_rows(out) == stable_rows(reference)


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_disk_full_mid_batch_leaves_the_previous_state_intact(
    uninterrupted: tuple[Path, Path], tmp_path: Path
) -> None:
    _, reference = uninterrupted
    inputs = make_inputs(tmp_path / "in", FAST[:2])
    out = tmp_path / "out"
    assert _resume(inputs, out).complete
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for name in FAST[2:4]:
        shutil.copyfile(SAMPLES / name, inputs / name)
    # No file may grow past its size now (RLIMIT_FSIZE): the first new journal line
    # fails as on a full disk (EFBIG instead of ENOSPC; Python ignores SIGXFSZ).
    size = (out / "journal.jsonl").stat().st_size
    full = _run(inputs, out, preexec_fn=lambda: _limit_file_size(size + 10))
    assert full.returncode == 7, full.stderr
    assert "cannot write" in full.stderr and "Traceback" not in full.stderr
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # reports and journal exactly as they were, no temporary file
    assert _resume(inputs, out).screened_now == 2
    names = [Path(r["file"]).name for r in read_rows(out)]
    assert sorted(names) == sorted(FAST[:4])
    expected = {Path(r["file"]).name: r for r in stable_rows(reference)}
    assert all(r == {**expected[Path(r["file"]).name], "file": r["file"]} for r in stable_rows(out))


def test_disk_full_while_writing_the_reports_keeps_the_old_ones(
    uninterrupted: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, reference = uninterrupted
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    (out / "results.jsonl").write_text('{"file": "old"}\n', "utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # Nothing left to screen; the report files are rewritten and the first one fails.
    full = _run(inputs, out, preexec_fn=lambda: _limit_file_size(4096))
    assert full.returncode == 7, full.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]
