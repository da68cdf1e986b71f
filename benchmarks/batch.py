"""Benchmark of batch screening (issue 14): throughput on local worker processes and on a
Dask LocalCluster, Dask's per-image overhead against the local pool, CPU per page and
memory per worker.

    python -m benchmarks.batch                                   # 500 house pages
    python -m benchmarks.batch --quick                           # 40 pages, a smoke check
    python -m benchmarks.batch --families atlas,borealis --n 60 --configs pool2,dask2

``--families NAME[,NAME]`` takes any family registered in ``fixtures.families.FAMILIES``
and ``house`` (benchmarks/batch_sets.py); ``--inputs DIR`` times any folder instead.
Every run is a full ``screening batch`` (visual zone on, lost/stolen lists checked against
a small imported list) from a fresh output folder: discovery, hashing, worker start-up,
screening, journal and reports (the fork server both executors fork their workers from
is started before the first run). ``--configs`` (``poolN``, ``daskN``) run in the order
given, the whole sequence ``--repeat`` times, so that whatever else loads the machine
hits every configuration alike.

Reported per run: wall time and pages per second all-in (from the call to the reports
written) and in the steady state (first to last result: worker start-up left out); the
median wall time of a page inside its worker; the median CPU per page inside the worker
(its whole process, and the screening thread alone: the difference is the executor's own
threads); the driver's CPU per page, all-in and between the first and last result (for
a LocalCluster the driver holds the scheduler and the nannies); peak RSS of each worker;
the load average. Dask's overhead per page is taken twice against the local pool of the
same size: on wall time all-in (the target; it depends on the load) and on steady CPU per
page, worker median plus driver (what the cores pay per page; far less moved by other
jobs, though time-driven housekeeping costs more CPU per page when pages take longer).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.batch_sets import HOUSE, batch_set
from screening.batch import BatchOptions, run_batch
from screening.batch.dask_executor import DaskExecutor
from screening.batch.pool import FORKSERVER_PRELOAD, LocalPool

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "batch.md"
CACHE = ROOT / "out"
SEED = 20_261_205
TODAY = date(2026, 11, 28)


@dataclass
class Timeline:
    """A progress sink that records when each result arrives."""

    stamps: list[float] = field(default_factory=list)
    cpu_stamps: list[float] = field(default_factory=list)  # this process's CPU
    page_ms: list[float] = field(default_factory=list)

    def start(self, total: int, done: int) -> None: ...

    def advance(self, row: dict[str, Any]) -> None:
        self.stamps.append(time.monotonic())
        self.cpu_stamps.append(time.process_time())
        self.page_ms.append(float(row.get("elapsed_ms") or 0.0))

    def note(self, message: str) -> None: ...

    def close(self) -> None: ...


def _lists_store(folder: Path) -> str:
    from screening.lists import open_store
    from screening.lists.importer import import_feed

    url = f"sqlite:///{folder / 'lists.db'}"
    store = open_store(url)
    try:
        import_feed(store, ROOT.parent / "fixtures" / "demo_lists.csv")
    finally:
        store.close()
    return url


def start_fork_server() -> None:
    """The local pool and a LocalCluster fork their workers from this process's one fork
    server: start it before timing anything, so that the first run does not pay for it
    alone (a ``screening batch`` command pays it once, whichever the executor)."""
    import multiprocessing
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(
        ["distributed", *FORKSERVER_PRELOAD]
    )
    forkserver.ensure_running()


def executor_for(config: str) -> Any:
    """``pool2`` -> a local pool of 2 processes, ``dask2`` -> a LocalCluster of 2."""
    kind, size = config.rstrip("0123456789"), config[len(config.rstrip("0123456789")) :]
    if kind not in ("pool", "dask") or not size:
        raise SystemExit(f"unknown configuration {config!r}: poolN or daskN")
    if kind == "pool":
        return LocalPool(int(size))
    return DaskExecutor("local", workers=int(size))


def measure(config: str, inputs: Path, out: Path, options: BatchOptions) -> dict[str, Any]:
    timeline = Timeline()
    load_before = os.getloadavg()[0]
    cpu0, t0 = time.process_time(), time.monotonic()
    summary = run_batch(inputs, out, options, progress=timeline, executor=executor_for(config))
    wall, driver_cpu = time.monotonic() - t0, time.process_time() - cpu0
    n = summary.screened_now
    steady = timeline.stamps[-1] - timeline.stamps[0] if len(timeline.stamps) > 1 else wall
    # Steady state: the worker's median page (a Dask worker's first page loads the models,
    # which the local pool loads once in its fork server) and the driver's CPU between the
    # first and the last result (cluster start-up and report writing left out).
    worker_cpu = statistics.median(summary.page_cpu_ms or [0.0])
    cpu = timeline.cpu_stamps
    driver_steady = (cpu[-1] - cpu[0]) * 1000 / (n - 1) if n > 1 else driver_cpu * 1000
    return {
        "config": config,
        "images": n,
        "errors": summary.verdicts.get("error", 0),
        "wall_s": wall,
        "all_in_rate": n / wall,
        "steady_rate": (n - 1) / steady if steady > 0 else float("nan"),
        "first_s": timeline.stamps[0] - t0 if timeline.stamps else float("nan"),
        "page_ms_median": statistics.median(timeline.page_ms) if timeline.page_ms else 0.0,
        "cpu_ms_median": worker_cpu,
        "thread_cpu_ms_median": statistics.median(summary.page_thread_cpu_ms or [0.0]),
        "driver_cpu_ms": driver_cpu * 1000 / max(n, 1),
        "driver_steady_cpu_ms": driver_steady,
        "total_cpu_ms": worker_cpu + driver_steady,
        "rss_mb": [kb / 1024 for kb in sorted(summary.workers_max_rss_kb.values())],
        "load": (load_before, os.getloadavg()[0]),
    }


def _mean(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.fmean(r[key] for r in runs)


def _seconds_per_page(runs: list[dict[str, Any]]) -> float:
    return sum(r["wall_s"] for r in runs) / sum(r["images"] for r in runs)


def overhead_lines(runs: list[dict[str, Any]]) -> list[str]:
    """Dask against the local pool of the same size, and N workers against one."""
    by: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        by.setdefault(r["config"], []).append(r)
    lines = []
    for config, dask_runs in by.items():
        pool_runs = by.get(config.replace("dask", "pool"))
        if not config.startswith("dask") or not pool_runs:
            continue
        pool_s = _seconds_per_page(pool_runs)
        dask_s = _seconds_per_page(dask_runs)
        pool_cpu, dask_cpu = _mean(pool_runs, "total_cpu_ms"), _mean(dask_runs, "total_cpu_ms")
        pool_rate, dask_rate = _mean(pool_runs, "steady_rate"), _mean(dask_runs, "steady_rate")
        lines.append(
            f"- Dask overhead per page, {config} vs {config.replace('dask', 'pool')} "
            f"(mean of {len(dask_runs)} and {len(pool_runs)} runs): wall all-in "
            f"**{(dask_s - pool_s) / pool_s:+.1%}** ({dask_s * 1000:.0f} vs "
            f"{pool_s * 1000:.0f} ms per page); wall steady state "
            f"**{pool_rate / dask_rate - 1:+.1%}**; steady CPU per page, worker and driver "
            f"**{(dask_cpu - pool_cpu) / pool_cpu:+.1%}** ({dask_cpu:.0f} vs {pool_cpu:.0f} ms) "
            "(target <= 10%)"
        )
    if "pool1" in by and "pool2" in by:
        speedup = _mean(by["pool2"], "steady_rate") / _mean(by["pool1"], "steady_rate")
        lines.append(f"- 2 workers vs 1 (steady state): **{speedup:.2f}x** (target >= 1.8x)")
    return lines


def table(runs: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| run | configuration | pages | errors | wall s | pages/s all-in | pages/s steady | "
        "first result s | page ms median | worker CPU ms/page (process, thread) | "
        "driver CPU ms/page (all-in, steady) | peak RSS per worker MB | load before, after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(runs, 1):
        rss = ", ".join(f"{m:.0f}" for m in r["rss_mb"])
        lines.append(
            f"| {i} | {r['config']} | {r['images']} | {r['errors']} | {r['wall_s']:.1f} | "
            f"{r['all_in_rate']:.2f} | {r['steady_rate']:.2f} | {r['first_s']:.1f} | "
            f"{r['page_ms_median']:.0f} | "
            f"{r['cpu_ms_median']:.0f}, {r['thread_cpu_ms_median']:.0f} | "
            f"{r['driver_cpu_ms']:.0f}, {r['driver_steady_cpu_ms']:.0f} | {rss} | "
            f"{r['load'][0]:.1f}, {r['load'][1]:.1f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="40 pages, once, no results file")
    parser.add_argument("--n", type=int, default=None, help="pages (default 500; quick 40)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--families", default=HOUSE, help="comma-separated family names (default: house)"
    )
    parser.add_argument(
        "--inputs", type=Path, default=None, help="screen this folder instead of a generated set"
    )
    parser.add_argument(
        "--configs", default="pool1,pool2,dask2", help="poolN / daskN, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=None, help="sequences (default 2; quick 1)")
    parser.add_argument("--no-results", action="store_true", help="do not write the results file")
    args = parser.parse_args(argv)
    n = args.n or (40 if args.quick else 500)
    repeat = args.repeat or (1 if args.quick else 2)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    inputs = args.inputs or batch_set(families, n, args.seed, CACHE)
    runs = []
    start_fork_server()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        options = BatchOptions(today=TODAY, lists_url=_lists_store(work), restart=True)
        for round_ in range(repeat):
            for config in configs:
                runs.append(measure(config, inputs, work / f"{config}-{round_}", options))
                print(json.dumps(runs[-1]), flush=True)
    source = f"folder {args.inputs}" if args.inputs else f"{','.join(families)}, seed {args.seed}"
    lines = [
        f"# Batch benchmark ({runs[0]['images']} pages, {source})",
        "",
        f"Command: `python -m benchmarks.batch {' '.join(argv or sys.argv[1:])}`; "
        f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, {os.cpu_count()} cores. "
        "Wall times are contended when the load is above the core count; CPU per page is "
        "much less so.",
        "",
        *table(runs),
        "",
        *overhead_lines(runs),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick and not args.no_results:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
