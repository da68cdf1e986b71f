"""The local worker pool survives its workers: a killed worker's input is tried again,
an input that kills every worker or hangs becomes an error row, the batch goes on."""

from __future__ import annotations

import os
import shutil
import signal
from datetime import date
from pathlib import Path

from screening.batch import BatchOptions, run_batch
from screening.batch.pool import LocalPool
from tests.batch_helpers import (
    FAST,
    SAMPLES,
    TODAY,
    crash_on_poison,
    hang_on_slow,
    make_inputs,
    read_rows,
)

OPTIONS = BatchOptions(today=date.fromisoformat(TODAY), check_lists=False, check_viz=False)


def test_an_input_that_kills_its_worker_every_time_is_an_error_row(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", FAST[:2])
    shutil.copyfile(SAMPLES / FAST[2], inputs / "poison.jpg")
    pool = LocalPool(2, task=crash_on_poison)
    summary = run_batch(inputs, tmp_path / "out", OPTIONS, executor=pool)
    rows = {Path(r["file"]).name: r for r in read_rows(tmp_path / "out")}
    assert summary.complete and len(rows) == 3
    assert "ended abruptly (exit status 70)" in rows["poison.jpg"]["error"]
    assert pool.restarts == 2  # tried on a fresh worker once more, then given up
    assert all(rows[name]["verdict"] for name in FAST[:2])


def test_an_input_past_the_time_limit_is_an_error_row(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copyfile(SAMPLES / FAST[1], inputs / "slow.jpg")
    pool = LocalPool(1, timeout_s=1.5, task=hang_on_slow)
    summary = run_batch(inputs, tmp_path / "out", OPTIONS, executor=pool)
    (row,) = read_rows(tmp_path / "out")
    assert summary.complete and pool.restarts == 1
    assert "longer than 1.5 s" in row["error"]


class _KillOnce:
    """A progress sink that kills a worker holding an input when the first row arrives."""

    def __init__(self, pool: LocalPool) -> None:
        self.pool = pool
        self.killed: int | None = None

    def start(self, total: int, done: int) -> None: ...

    def advance(self, row: dict[str, object]) -> None:
        busy = self.pool.busy_pids()
        if self.killed is None and busy:
            self.killed = busy[0]
            os.kill(busy[0], signal.SIGKILL)

    def note(self, message: str) -> None: ...

    def close(self) -> None: ...


def test_a_worker_killed_mid_run_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", FAST[:6])
    pool = LocalPool(2)
    killer = _KillOnce(pool)
    summary = run_batch(inputs, tmp_path / "out", OPTIONS, executor=pool, progress=killer)
    rows = read_rows(tmp_path / "out")
    assert killer.killed is not None and pool.restarts == 1
    assert summary.complete
    assert sorted(Path(r["file"]).name for r in rows) == sorted(FAST[:6])
    assert all(r.get("error") is None for r in rows)  # the killed worker's input was redone
