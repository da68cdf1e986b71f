"""Benchmark of batch screening (issue 14): throughput on 1 and 2 local workers and on a
Dask LocalCluster of 2 workers, Dask's per-image overhead, memory per worker.

    python -m benchmarks.batch            # 500 generated pages
    python -m benchmarks.batch --quick    # 40 pages, a smoke check

The set is drawn by the house specimen generator (``fixtures.specimens.generate_set``:
TD1/TD2/TD3 pages of 13 states, clean scans to phone photos, about a fifth altered or
without MRZ), cached under ``benchmarks/out/``. Every run is a full ``screening batch``
(visual zone on, lost/stolen lists checked against a small imported list) from a fresh
output folder: discovery, hashing, worker start-up, screening, journal and reports.

Reported per configuration: wall time and images per second all-in (from the call to
the reports written), and in the steady state (between the first and the last result,
which leaves worker start-up and model loading out); when the first result came
(start-up, hashing and one page); peak RSS of each worker process. The speed-up of 2
workers is their steady-state rate over one worker's; Dask's overhead per image is the
difference of the all-in seconds per image between the Dask cluster and the local pool
of the same size, as a share of the pool's.

Timings are wall-clock on whatever else the machine runs: say so when reporting.
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

from screening.batch import BatchOptions, run_batch
from screening.batch.dask_executor import DaskExecutor
from screening.batch.pool import LocalPool

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "batch.md"
CACHE = ROOT / "out"
SEED = 20_261_205
TODAY = date(2026, 11, 28)


@dataclass
class Timeline:
    """A progress sink that records when each result arrives."""

    stamps: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)

    def start(self, total: int, done: int) -> None: ...

    def advance(self, row: dict[str, Any]) -> None:
        self.stamps.append(time.monotonic())
        self.page_ms.append(float(row.get("elapsed_ms") or 0.0))

    def note(self, message: str) -> None: ...

    def close(self) -> None: ...


def generated_set(n: int, seed: int) -> Path:
    from fixtures.specimens import generate_set

    folder = CACHE / f"batch-set-{seed}-{n}"
    if not (folder / "manifest.json").is_file():
        print(f"generating {n} pages into {folder} ...", flush=True)
        generate_set(folder, n, seed)
    return folder


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


def measure(name: str, executor: Any, inputs: Path, out: Path, options: BatchOptions) -> dict:
    timeline = Timeline()
    t0 = time.monotonic()
    summary = run_batch(inputs, out, options, progress=timeline, executor=executor)
    wall = time.monotonic() - t0
    n = summary.screened_now
    steady = timeline.stamps[-1] - timeline.stamps[0] if len(timeline.stamps) > 1 else wall
    rss = sorted(summary.workers_max_rss_kb.values())
    return {
        "name": name,
        "images": n,
        "errors": summary.verdicts.get("error", 0),
        "wall_s": wall,
        "all_in_rate": n / wall,
        "steady_rate": (n - 1) / steady if steady > 0 else float("nan"),
        "first_s": timeline.stamps[0] - t0 if timeline.stamps else float("nan"),
        "page_ms_median": statistics.median(timeline.page_ms) if timeline.page_ms else 0.0,
        "rss_mb": [kb / 1024 for kb in rss],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="40 pages, no results file")
    parser.add_argument("--n", type=int, default=None, help="pages (default 500; quick 40)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--inputs", type=Path, default=None, help="screen this folder instead of a generated set"
    )
    args = parser.parse_args(argv)
    n = args.n or (40 if args.quick else 500)
    inputs = args.inputs or generated_set(n, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        options = BatchOptions(today=TODAY, lists_url=_lists_store(work), restart=True)
        runs = [
            measure("local pool, 1 worker", LocalPool(1), inputs, work / "p1", options),
            measure("local pool, 2 workers", LocalPool(2), inputs, work / "p2", options),
            measure(
                "Dask LocalCluster, 2 workers",
                DaskExecutor("local", workers=2),
                inputs,
                work / "d2",
                options,
            ),
        ]
    one, two, dask = runs
    speedup = two["steady_rate"] / one["steady_rate"]
    pool_s, dask_s = 1 / two["all_in_rate"], 1 / dask["all_in_rate"]
    overhead = (dask_s - pool_s) / pool_s
    steady_overhead = (1 / dask["steady_rate"] - 1 / two["steady_rate"]) * two["steady_rate"]
    lines = [
        f"# Batch benchmark ({one['images']} pages, "
        + (f"folder {args.inputs})" if args.inputs else f"seed {args.seed})"),
        "",
        f"Command: `python -m benchmarks.batch {' '.join(argv or sys.argv[1:])}`; "
        f"{time.strftime('%Y-%m-%d %H:%M')}, "
        f"{platform.node()}, {os.cpu_count()} cores, load average at the end "
        f"{os.getloadavg()[0]:.1f} (contended if above the core count).",
        "",
        "| configuration | images | errors | wall s | img/s all-in | img/s steady | "
        "first result s | page ms median | peak RSS per worker MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        rss = ", ".join(f"{m:.0f}" for m in r["rss_mb"])
        lines.append(
            f"| {r['name']} | {r['images']} | {r['errors']} | {r['wall_s']:.1f} | "
            f"{r['all_in_rate']:.2f} | {r['steady_rate']:.2f} | {r['first_s']:.1f} | "
            f"{r['page_ms_median']:.0f} | {rss} |"
        )
    lines += [
        "",
        f"- 2 workers vs 1 (steady state): **{speedup:.2f}x** (target >= 1.8x)",
        f"- Dask overhead per image vs the local pool, 2 workers: all-in **{overhead:+.1%}** "
        f"({dask_s * 1000:.0f} vs {pool_s * 1000:.0f} ms per image), steady state "
        f"{steady_overhead:+.1%} (target <= 10%)",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    print(json.dumps({"speedup": speedup, "dask_overhead": overhead}))
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
