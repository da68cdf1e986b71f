"""Benchmark of the smuggling indicators (issue 13).

    python -m benchmarks.indicators            # national volume, 3 seeds per simulator
    python -m benchmarks.indicators --only recovery --scale 0.25 --simulators travellers
    python -m benchmarks.indicators --quick    # small traffic, 1 seed each, a smoke check

Measures, on this machine (2 cores shared with other jobs: timings are pessimistic):

- **ingest** (at ``--scale``): events per second through ``import-events`` (JSON Lines
  parsed, validated, given content ids, stored) into SQLite and into PostgreSQL (a
  throwaway server, like the tests'); and the recording cost of one scan (report ->
  event -> SQLite), median;
- **report**: time of ``indicators report`` (grouped queries, scoring every corridor and
  cell, figures, files) on one year of events at national volume (``flows``, scale 1,
  about 3.6 million screenings) in SQLite;
- **recovery**: precision and recall of the reported corridors against the injected
  ones, over seeds, per simulator. The scoring (``scoring.toml``) was tuned on the
  ``flows`` simulator only; ``travellers`` was written apart and not tuned on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fixtures.traffic import flows, travellers
from fixtures.traffic.measure import run, store_simulation
from screening.indicators.import_events import import_events
from screening.indicators.record import RecordingContext, event_from_report
from screening.indicators.report_data import build_report
from screening.indicators.report_files import write_report
from screening.indicators.store import open_event_store

RESULTS = Path(__file__).resolve().parent / "results" / "indicators.md"
SIMULATORS = {"flows": flows.simulate, "travellers": travellers.simulate}


def _write_jsonl(path: Path, events: list[dict[str, Any]]) -> None:
    with path.open("w") as handle:
        for obj in events:
            handle.write(json.dumps(obj) + "\n")


def bench_ingest(workdir: Path, scale: float, pg_url: str | None) -> list[str]:
    sim = flows.simulate(1, scale=scale)
    path = workdir / "events.jsonl"
    _write_jsonl(path, sim.events)
    lines = [f"events file: {len(sim.events):,} events ({path.stat().st_size / 1e6:.0f} MB)"]
    urls = {"SQLite": f"sqlite:///{workdir / 'ingest.db'}"}
    if pg_url:
        urls["PostgreSQL"] = pg_url
    for name, url in urls.items():
        with open_event_store(url) as store:
            started, cpu = time.perf_counter(), time.process_time()
            report = import_events(store, path, key=None)
            took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
            again = time.perf_counter()
            repeat = import_events(store, path, key=None)
            took_again = time.perf_counter() - again
        lines.append(
            f"| import-events, {name} | {report.stored:,} | {took:.1f} s wall, "
            f"{took_cpu:.1f} s CPU of this process | {report.stored / took:,.0f} events/s "
            f"wall, {report.stored / took_cpu:,.0f} per CPU second | re-import: "
            f"{repeat.stored} new, {took_again:.1f} s |"
        )
    # The recording cost of one scan: report dict -> event -> one SQLite transaction.
    report_dict = {
        "verdict": "refer",
        "document": {
            "fields": {
                "issuing_country": "KGZ",
                "nationality": "KGZ",
                "document_type": "P",
                "document_number": "AC1234567",
            },
            "edition": {"id": "KGZ-2004"},
        },
        "findings": [{"code": "MRZ_OCR_CORRECTED"}, {"code": "LIST_NOT_CHECKED"}],
    }
    context = RecordingContext("KGZ-MANAS", "entry", "scan", datetime.now(UTC))
    costs = []
    with open_event_store(urls["SQLite"]) as store:
        for _ in range(300):
            started = time.perf_counter()
            event = event_from_report(report_dict, context, key=b"k" * 32)
            assert event is not None
            event.event_id = f"bench:{time.perf_counter_ns()}"
            store.add_events([event])
            costs.append((time.perf_counter() - started) * 1000)
    costs.sort()
    lines.append(
        f"| recording one scan, SQLite | 300 | median {statistics.median(costs):.2f} ms | "
        f"p95 {costs[int(0.95 * len(costs))]:.2f} ms | |"
    )
    return lines


def _replicate(store: Any, copies: int) -> int:
    """Make the stored year ``copies`` times as large: each copy's events get new ids and
    document hashes (other travellers, same cells), so the report sees the same shape at
    a larger volume. Used to reach national volume when generating it event by event
    would take too long on a shared machine."""
    from screening.indicators.store import EVENT_COLUMNS

    cols = ", ".join(EVENT_COLUMNS)
    select = ", ".join(
        f"{c} || ':{{k}}'" if c in ("event_id", "doc_hash") else c for c in EVENT_COLUMNS
    )
    for k in range(1, copies):
        store._execute(
            f"INSERT INTO events ({cols}) SELECT {select.format(k=k)} FROM events "
            "WHERE event_id NOT LIKE '%:%:%'"
        )
    return int(store._execute("SELECT COUNT(*) FROM events")[0][0])


def bench_report(workdir: Path, scale: float, copies: int = 1) -> list[str]:
    sim = flows.simulate(2, scale=scale)
    url = f"sqlite:///{workdir / 'national.db'}"
    with open_event_store(url) as store:
        started = time.perf_counter()
        stored = store_simulation(store, sim)
        if copies > 1:
            stored = _replicate(store, copies)
        stored_s = time.perf_counter() - started
        del sim
        started, cpu = time.perf_counter(), time.process_time()
        data = build_report(store, date(2025, 1, 1), date(2025, 12, 31))
        data_s = time.perf_counter() - started
    started = time.perf_counter()
    write_report(data, workdir / "report")
    files_s = time.perf_counter() - started
    report_cpu = time.process_time() - cpu
    size = Path(str(url)[len("sqlite:///") :]).stat().st_size / 1e6
    return [
        f"| one year, flows scale {scale:g}"
        + (f" x {copies} copies" if copies > 1 else "")
        + f" | {stored:,} events ({size:.0f} MB SQLite) | "
        f"stored in {stored_s:.0f} s ({stored / stored_s:,.0f}/s) | report data "
        f"{data_s:.1f} s + figures and files {files_s:.1f} s = {data_s + files_s:.1f} s wall "
        f"({report_cpu:.1f} s CPU of this process) |"
    ]


def bench_recovery(
    workdir: Path, seeds: Sequence[int], scale: float, names: Sequence[str]
) -> list[str]:
    lines = []
    for name in names:
        simulate = SIMULATORS[name]
        totals = {"reported": 0, "correct": 0, "injected": 0, "found": 0}
        detail = []
        for seed in seeds:
            result = run(simulate, seed, workdir, scale=scale)
            for p in workdir.glob("*.db*"):
                p.unlink()
            rec = result["recovery"]
            for key in totals:
                totals[key] += rec[key]
            detail.append(
                f"seed {seed}: {rec['found']}/{rec['injected']} found, "
                f"{rec['correct']}/{rec['reported']} correct"
                + (f", false: {', '.join(rec['false'])}" if rec["false"] else "")
                + (f", missed: {', '.join(rec['missed'])}" if rec["missed"] else "")
            )
            print(f"  {name} {detail[-1]} ({result['events']:,} events)", flush=True)
        precision = totals["correct"] / totals["reported"] if totals["reported"] else 1.0
        recall = totals["found"] / totals["injected"]
        tuned = "tuned on" if name == "flows" else "not tuned on"
        lines.append(
            f"| {name} ({tuned}) | {len(seeds)} | {precision:.0%} "
            f"({totals['correct']}/{totals['reported']}) | {recall:.0%} "
            f"({totals['found']}/{totals['injected']}) | {'; '.join(detail)} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.indicators")
    parser.add_argument("--quick", action="store_true", help="small traffic, one seed each")
    parser.add_argument("--seeds", default="101,102,103", help="recovery seeds (comma list)")
    parser.add_argument("--scale", type=float, default=1.0, help="traffic scale (1 = national)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="report: copies of the simulated year (national volume from a smaller one)",
    )
    parser.add_argument("--only", choices=("ingest", "report", "recovery"), default=None)
    parser.add_argument(
        "--simulators", default=",".join(SIMULATORS), help="recovery: which simulators"
    )
    args = parser.parse_args(argv)
    scale = 0.03 if args.quick else args.scale
    seeds = [101] if args.quick else [int(s) for s in args.seeds.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="indicators-bench-"))
    workdir.chmod(0o755)
    cluster = None
    out: list[str] = []
    try:
        if args.only in (None, "ingest"):
            pg_url = None
            if not args.no_postgres:
                from tests.pg_server import PostgresCluster

                cluster = PostgresCluster.start(workdir / "pg")
                pg_url = cluster.url
            out += ["", "| ingest | events | time | rate | |", "|---|---|---|---|---|"]
            out += bench_ingest(workdir, scale, pg_url)
            print("\n".join(out), flush=True)
        if args.only in (None, "report"):
            out += ["", "| report | events | storing | report time |", "|---|---|---|---|"]
            out += bench_report(workdir, scale, args.copies)
            print("\n".join(out[-3:]), flush=True)
        if args.only in (None, "recovery"):
            out += [
                "",
                "| simulator | seeds | precision | recall | per seed |",
                "|---|---|---|---|---|",
            ]
            out += bench_recovery(workdir, seeds, scale, args.simulators.split(","))
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    command = f"python -m benchmarks.indicators {' '.join(sys.argv[1:] if argv is None else argv)}"
    header = (
        f"Indicators benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs), `{command}`"
    )
    text = "\n".join([header, *out])
    print(text)
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        with RESULTS.open("a") as handle:
            handle.write(f"\n{text}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
