"""Scale benchmark of the lost/stolen list store (issue 5).

For each size (records) and backend: generate a synthetic feed (seeded, vectorised with
numpy, plus 10,000 stolen-blank series), import it through the real import path (CSV
reader, row validation, store), then time screenings: hits, misses and near hits
(a listed number with one digit altered or one confusable swapped). Every lookup
includes the near-hit search (exact + ~70 candidates + series, batched).

    python -m benchmarks.lists_bench --sizes 1e6,1e7,1e8 --backend postgres,sqlite
    python -m benchmarks.lists_bench --quick

Columns: import wall time (of which index build + activation), rows/s wall-clock,
rows per CPU-second of this process (PostgreSQL server CPU not included), database size,
RSS (start / max while streaming rows / end), lookup latency p50/p99 wall-clock for
hits, misses, near hits and exact-only hits, and near-hit latency in thread CPU time
(without time spent waiting for a CPU on a shared machine, or for the PostgreSQL server).

PostgreSQL: --pg-url postgresql://... (a schema per run is created and dropped), else
a throwaway cluster is started with tests/pg_server.py (needs the PostgreSQL binaries).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from screening.lists.importer import ImportReport, import_feed
from screening.lists.matcher import find_matches
from screening.lists.store import ListStore, open_store

STATES = (
    "KGZ",
    "KAZ",
    "TJK",
    "UZB",
    "RUS",
    "CHN",
    "AFG",
    "PAK",
    "IND",
    "BGD",
    "IRN",
    "TUR",
    "DEU",
    "GBR",
    "USA",
    "UKR",
    "BLR",
    "AZE",
    "ARM",
    "GEO",
)
STATUSES = (("lost", 0.60), ("stolen", 0.35), ("revoked", 0.03), ("invalid", 0.02))
CHUNK = 1_000_000
SERIES = 10_000
SAMPLES = 20_000
TODAY = date(2026, 6, 1)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def generate_feed(
    path: Path, n: int, seed: int, series: int = SERIES
) -> list[tuple[str, str, str]]:
    """Write a CSV feed of ``n`` records + ``series`` series; return sampled listed
    (state, type, number) triples for hit lookups."""
    rng = np.random.default_rng(seed)
    states = np.frombuffer("".join(STATES).encode(), dtype=np.uint8).reshape(-1, 3)
    samples: list[tuple[str, str, str]] = []
    per_row = SAMPLES / max(n, 1)
    with open(path, "wb") as out:
        out.write(b"issuing_state,document_type,document_number,status,number_to\n")
        done = 0
        while done < n:
            m = min(CHUNK, n - done)
            counts = rng.multinomial(m, [p for _, p in STATUSES])
            for (status, _), k in zip(STATUSES, counts, strict=True):
                if k == 0:
                    continue
                tail = f",{status},\n".encode()
                width = 3 + 1 + 1 + 1 + 9 + len(tail)
                rows = np.empty((k, width), dtype=np.uint8)
                rows[:, 0:3] = states[rng.integers(0, len(states), k)]
                rows[:, 3] = ord(",")
                rows[:, 4] = np.where(rng.random(k) < 0.9, ord("P"), ord("I"))
                rows[:, 5] = ord(",")
                rows[:, 6:8] = rng.integers(65, 91, (k, 2), dtype=np.uint8)
                rows[:, 8:15] = rng.integers(48, 58, (k, 7), dtype=np.uint8)
                rows[:, 15:] = np.frombuffer(tail, dtype=np.uint8)
                out.write(rows.tobytes())
                take = min(int(np.ceil(per_row * k)), k)
                for row in rows[:take]:
                    samples.append(
                        (row[0:3].tobytes().decode(), chr(row[4]), row[6:15].tobytes().decode())
                    )
            done += m
        # Stolen blank series: 100-1000 consecutive numbers each.
        for _ in range(series):
            state = STATES[int(rng.integers(0, 3))]
            prefix = "".join(chr(int(c)) for c in rng.integers(65, 91, 2))
            first = int(rng.integers(0, 9_999_000))
            last = first + int(rng.integers(99, 1000))
            out.write(f"{state},P,{prefix}{first:07d},stolen_blank,{prefix}{last:07d}\n".encode())
    return samples


def _alter(number: str, rng: np.random.Generator) -> str:
    """A near-hit query: one digit changed, or one confusable swapped (1 in 4)."""
    swaps = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
    positions = [i for i, c in enumerate(number) if c in swaps]
    if positions and rng.random() < 0.25:
        i = positions[int(rng.integers(0, len(positions)))]
        return number[:i] + swaps[number[i]] + number[i + 1 :]
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    i = digits[int(rng.integers(0, len(digits)))]
    new = str((int(number[i]) + int(rng.integers(1, 10))) % 10)
    return number[:i] + new + number[i + 1 :]


def _random_numbers(rng: np.random.Generator, k: int) -> list[tuple[str, str, str]]:
    out = []
    for _ in range(k):
        letters = "".join(chr(int(c)) for c in rng.integers(65, 91, 2))
        state = STATES[int(rng.integers(0, len(STATES)))]
        out.append((state, "P", f"{letters}{int(rng.integers(0, 10**7)):07d}"))
    return out


def _time_lookups(
    store: ListStore, queries: Sequence[tuple[str, str, str]], *, near: bool = True
) -> tuple[np.ndarray, dict[str, int]]:
    """Wall-clock latencies in ms (and CPU-time ones under outcome['_cpu'])."""
    times = np.empty(len(queries))
    cpu = np.empty(len(queries))
    outcome: dict[str, int] = {}
    for i, (state, dtype, number) in enumerate(queries):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        result = find_matches(store, state, dtype, number, today=TODAY, near=near)
        times[i] = time.perf_counter() - t0
        cpu[i] = time.thread_time() - c0
        outcome[result.status] = outcome.get(result.status, 0) + 1
    _CPU_TIMES.append(cpu * 1000.0)
    return times * 1000.0, outcome


_CPU_TIMES: list[np.ndarray] = []


@dataclass
class Row:
    backend: str
    records: int
    series: int
    import_s: float
    index_s: float
    rows_per_s: float
    rows_per_cpu_s: float
    size_gb: float | None
    rss_start: float
    rss_stream_max: float
    rss_end: float
    lat: dict[str, tuple[float, float]]
    cpu: dict[str, tuple[float, float]]
    outcomes: dict[str, dict[str, int]]


def bench_one(
    store: ListStore,
    feed: Path,
    samples: list[tuple[str, str, str]],
    n: int,
    backend: str,
    lookups: int,
    seed: int,
) -> Row:
    rss = [_rss_mb()]

    def progress(report: ImportReport) -> None:
        rss.append(_rss_mb())
        print(f"  {backend} {n:,}: {report.rows_read:,} rows, RSS {rss[-1]:.0f} MB", flush=True)

    gc.collect()
    t0 = time.perf_counter()
    report = import_feed(store, feed, progress=progress)
    import_s = time.perf_counter() - t0
    rss_end = _rss_mb()
    rng = np.random.default_rng(seed + 1)
    pick = rng.choice(len(samples), size=min(lookups, len(samples)), replace=False)
    hits = [samples[i] for i in pick]
    misses = _random_numbers(rng, lookups)
    nears = [(s, t, _alter(num, rng)) for s, t, num in hits]
    _time_lookups(store, hits[: min(1000, len(hits))])  # warm-up
    lat: dict[str, tuple[float, float]] = {}
    cpu: dict[str, tuple[float, float]] = {}
    outcomes: dict[str, dict[str, int]] = {}
    for name, queries, near in (
        ("hit", hits, True),
        ("miss", misses, True),
        ("near", nears, True),
        ("hit_exact_only", hits, False),
    ):
        times, outcome = _time_lookups(store, queries, near=near)
        lat[name] = (float(np.percentile(times, 50)), float(np.percentile(times, 99)))
        c = _CPU_TIMES.pop()
        cpu[name] = (float(np.percentile(c, 50)), float(np.percentile(c, 99)))
        outcomes[name] = outcome
    size = store.size_bytes()
    return Row(
        backend,
        n,
        report.series_added,
        import_s,
        report.index_seconds,
        report.rows_read / import_s,
        report.rows_read / report.cpu_seconds,
        None if size is None else size / 1e9,
        rss[0],
        max(rss),
        rss_end,
        lat,
        cpu,
        outcomes,
    )


def format_table(rows: Sequence[Row]) -> str:
    head = (
        "| backend | records | series | import s (of which index) | rows/s | rows/CPU-s "
        "| DB size GB | RSS MB start/streaming max/end "
        "| hit p50/p99 ms | miss p50/p99 ms | near-hit p50/p99 ms | exact-only hit p50/p99 ms "
        "| near-hit CPU p50/p99 ms |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in rows:

        def fmt(name: str, r: Row = r) -> str:
            return f"{r.lat[name][0]:.3f} / {r.lat[name][1]:.3f}"

        size = "n/a" if r.size_gb is None else f"{r.size_gb:.2f}"
        lines.append(
            f"| {r.backend} | {r.records:,} | {r.series:,} | {r.import_s:.0f} ({r.index_s:.0f}) | "
            f"{r.rows_per_s:,.0f} | {r.rows_per_cpu_s:,.0f} | {size} | "
            f"{r.rss_start:.0f}/{r.rss_stream_max:.0f}/{r.rss_end:.0f} | "
            f"{fmt('hit')} | {fmt('miss')} | {fmt('near')} | {fmt('hit_exact_only')} | "
            f"{r.cpu['near'][0]:.3f} / {r.cpu['near'][1]:.3f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lists_bench")
    parser.add_argument(
        "--sizes",
        default="1e6,1e7",
        help="records per list (default 1e6,1e7; add 1e8 for the full-scale run, "
        "about 15-30 min per backend on 2 cores)",
    )
    parser.add_argument("--backend", default="sqlite,postgres")
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--pg-url", default=os.environ.get("SCREENING_BENCH_POSTGRES_URL"))
    parser.add_argument("--keep", action="store_true", help="keep feeds and databases")
    parser.add_argument("--quick", action="store_true", help="100,000 records, 1,000 lookups")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="append the table here (default: benchmarks/results/lists.md, not with --quick)",
    )
    args = parser.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    backends = args.backend.split(",")
    if args.quick:
        sizes, args.lookups = [100_000], 1_000
    elif args.output is None:
        args.output = Path(__file__).resolve().parent / "results" / "lists.md"
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lists-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.workdir is None:
        # mkdtemp makes it private to root; the PostgreSQL server runs as `postgres`
        # and must reach its data directory inside.
        workdir.chmod(0o755)
    cluster = None
    rows: list[Row] = []
    try:
        for n in sizes:
            feed = workdir / f"feed-{n}-{args.seed}.csv"
            t0 = time.perf_counter()
            samples = generate_feed(feed, n, args.seed)
            print(
                f"generated {n:,} records in {time.perf_counter() - t0:.0f} s "
                f"({feed.stat().st_size / 1e9:.2f} GB)",
                flush=True,
            )
            for backend in backends:
                if backend == "sqlite":
                    db = workdir / f"lists-{n}.db"
                    for p in workdir.glob(f"lists-{n}.db*"):
                        p.unlink()
                    store = open_store(f"sqlite:///{db}")
                elif backend == "postgres":
                    if args.pg_url is None and cluster is None:
                        from tests.pg_server import PostgresCluster

                        cluster = PostgresCluster.start(workdir / "pg", tuned=True)
                    base = args.pg_url or cluster.url  # type: ignore[union-attr]
                    store = _pg_store(base, f"bench_{n}")
                else:
                    raise SystemExit(f"unknown backend {backend}")
                try:
                    row = bench_one(store, feed, samples, n, backend, args.lookups, args.seed)
                finally:
                    store.close()
                rows.append(row)
                print(format_table([row]), flush=True)
                print(f"  outcomes: {row.outcomes}", flush=True)
                if not args.keep and backend == "sqlite":
                    for p in workdir.glob(f"lists-{n}.db*"):
                        p.unlink()
            if not args.keep:
                feed.unlink()
    finally:
        if cluster is not None:
            cluster.stop()
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    table = format_table(rows)
    header = (
        f"Lists benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs), "
        f"python -m benchmarks.lists_bench {' '.join(sys.argv[1:] if argv is None else argv)}"
    )
    print(header)
    print(table)
    if args.output:
        with open(args.output, "a") as fh:
            fh.write(f"\n{header}\n\n{table}\n")
    return 0


def _pg_store(base_url: str, schema: str) -> ListStore:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base_url else "?"
    return open_store(f"{base_url}{sep}options=-csearch_path%3D{schema}")


if __name__ == "__main__":
    raise SystemExit(main())
