"""The batch on a real Dask cluster: a LocalCluster of worker processes, an existing
scheduler reached by address, and a worker killed mid-run."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from screening.batch import BatchOptions, run_batch
from screening.batch.dask_executor import DaskExecutor
from screening.errors import BadArgumentsError
from tests.batch_helpers import (
    FAST,
    TODAY,
    buffer_faults,
    make_inputs,
    read_rows,
    stable_rows,
    worker_profiling,
)

distributed = pytest.importorskip("distributed")

OPTIONS = BatchOptions(
    today=date.fromisoformat(TODAY), check_lists=False, check_viz=False, workers=0
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """An existing cluster: a scheduler and three single-threaded worker processes."""
    local = distributed.LocalCluster(
        n_workers=3,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # a free port: never 8787, shared
        silence_logs=logging.ERROR,
    )
    try:
        yield local
    finally:
        local.close()


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("dask-serial")
    inputs = make_inputs(root / "in", FAST[:6])
    assert run_batch(inputs, root / "out", OPTIONS).complete
    return inputs, root / "out"


class _KillBusyWorker:
    """Progress sink: at the first row, SIGKILL a Dask worker that is screening an input."""

    def __init__(self, client: object) -> None:
        self.client = client
        self.killed: str | None = None

    def start(self, total: int, done: int) -> None: ...

    def advance(self, row: dict[str, object]) -> None:
        if self.killed is not None:
            return
        processing = self.client.processing()  # type: ignore[attr-defined]
        pids = self.client.run(os.getpid)  # type: ignore[attr-defined]
        busy = [w for w, keys in processing.items() if keys and w in pids]
        if busy:
            self.killed = busy[0]
            os.kill(pids[busy[0]], signal.SIGKILL)

    def note(self, message: str) -> None: ...

    def close(self) -> None: ...


def test_existing_cluster_with_a_worker_killed_mid_run(
    cluster: object, serial: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, reference = serial
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    executor = DaskExecutor(address)
    with executor:  # connected here, so that the test sees the workers through it
        killer = _KillBusyWorker(executor.client)
        summary = run_batch(
            inputs,
            tmp_path / "out",
            replace(OPTIONS, dask=address),
            progress=killer,
            executor=executor,
        )
        # Every worker, the nanny's replacement for the killed one included once it has
        # joined, reuses its buffers although the nanny set MALLOC_TRIM_THRESHOLD_.
        faults = executor.client.run(buffer_faults)
    assert killer.killed is not None, "a busy worker was killed"
    assert len(faults) >= 2 and max(faults.values()) < 40 * 2048 / 20, faults
    assert summary.complete and summary.execution["executor"] == "dask"
    assert summary.execution["workers"] == 3
    rows = read_rows(tmp_path / "out")
    assert sorted(Path(r["file"]).name for r in rows) == sorted(FAST[:6])  # once each
    assert stable_rows(tmp_path / "out") == stable_rows(reference)


def test_local_cluster_with_bytes_sent(serial: tuple[Path, Path], tmp_path: Path) -> None:
    _, reference = serial
    few = make_inputs(tmp_path / "in", FAST[:2])
    options = replace(OPTIONS, dask="local", workers=1, send_bytes=True)
    executor = DaskExecutor("local", workers=1)
    with executor:
        summary = run_batch(few, tmp_path / "out", options, executor=executor)
        profiling = executor.client.run(worker_profiling)
    assert list(profiling.values()) == [False]  # no stack sampling of the screening
    assert summary.complete and summary.execution["workers"] == 1
    assert len(summary.workers_max_rss_kb) == 1
    expected = {Path(r["file"]).name: {**r, "file": None} for r in stable_rows(reference)}
    for row in stable_rows(tmp_path / "out"):
        assert {**row, "file": None} == expected[Path(row["file"]).name]


@pytest.mark.parametrize(
    ("dask", "workers", "message"),
    [("tcp:/nowhere", None, "must be 'local'"), ("tcp://127.0.0.1:1", 2, "--workers")],
)
def test_bad_dask_arguments_are_clear_errors(
    tmp_path: Path, dask: str, workers: int | None, message: str
) -> None:
    inputs = make_inputs(tmp_path / "in", FAST[:1])
    with pytest.raises(BadArgumentsError, match=message):
        run_batch(inputs, tmp_path / "out", replace(OPTIONS, dask=dask, workers=workers))
