"""Shared helpers of the batch tests: small input folders of committed samples, rows
compared without their timings, and worker tasks that fail on purpose (run in real
worker processes, so they live in an importable module)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from screening.batch.items import WorkConfig, WorkItem, WorkResult
from screening.batch.worker import screen_item
from tests.conftest import REPO

SAMPLES = REPO / "fixtures" / "samples"
# Quick to screen without the visual zone (about 0.1 s each), MRZ pages of four states.
FAST = (
    "td3-kgz-clean.png",
    "td1-kgz-mild.jpg",
    "td3-tjk-mild.jpg",
    "td3-rus-mild.jpg",
    "td3-irq-hard-mrz-number.jpg",
    "td3-kaz-mild-viz-birth-erased.jpg",
    "td3-chn-hard-viz-expiry-lighter.jpg",
    "td3-kgz-mild-mrz-expiry.jpg",
)
TODAY = "2026-11-28"
# What differs between two runs of the same input: wall times.
VOLATILE = ("elapsed_ms", "timings")


def make_inputs(folder: Path, names: tuple[str, ...] = FAST[:4]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(SAMPLES / name, folder / name)
    return folder


def stable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in VOLATILE}


def read_rows(out: Path) -> list[dict[str, Any]]:
    lines = (out / "results.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def stable_rows(out: Path) -> list[dict[str, Any]]:
    return [stable(r) for r in read_rows(out)]


def journal_entries(out: Path) -> int:
    """Complete entry lines in the journal now (its header not counted)."""
    try:
        data = (out / "journal.jsonl").read_bytes()
    except FileNotFoundError:
        return 0
    return max(0, data.count(b"\n") - 1)


def wait_for(predicate: Any, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def crash_on_poison(config: WorkConfig, item: WorkItem) -> WorkResult:
    """A worker task whose process dies (as in a native crash) on inputs named poison*."""
    if Path(item.path).name.startswith("poison"):
        os._exit(70)
    return screen_item(config, item)


def hang_on_slow(config: WorkConfig, item: WorkItem) -> WorkResult:
    """A worker task that never finishes on inputs named slow*."""
    if Path(item.path).name.startswith("slow"):
        time.sleep(3600)
    return screen_item(config, item)


def buffer_faults(rounds: int = 40, size: int = 8 << 20) -> int:
    """Minor page faults of allocating, filling and freeing a large buffer ``rounds``
    times: near zero when the C allocator reuses its memory, about ``rounds * size /
    4096`` when every buffer is mapped afresh (glibc with ``MALLOC_TRIM_THRESHOLD_`` set,
    as Dask's nanny does, and the thresholds not pinned)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(rounds):
        buffer = bytearray(size)
        buffer[-1] = 1
        del buffer
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def worker_profiling() -> bool:
    """Whether the Dask worker this runs on samples its tasks' stacks."""
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))
