"""Visual zone vs MRZ, per specimen family: ``python -m benchmarks.viz_families``.

    .venv/bin/python -m benchmarks.viz_families --family house --seed 20261212 --n 120
    .venv/bin/python -m benchmarks.viz_families --family atlas --n 120 --seed 7
    .venv/bin/python -m benchmarks.viz_families --family realworld
    .venv/bin/python -m benchmarks.viz_families --families atlas,borealis --tiers hard

``--family`` (or ``--families``) takes ``house``, ``realworld`` or any family registered
in ``fixtures.families.FAMILIES``, several comma-separated (one table each, then one for
all); nothing in this module or in the reader is specific to a family.

One command per set; the table reports altered pages caught per field, per subtlety and
per capture tier, false alerts on genuine pages, and scan and visual-zone milliseconds
(wall time and CPU time of the process: the machine is shared, so wall time is
pessimistic and CPU time is what one free core would take).

- ``house``: our own generator (``benchmarks/mrz_viz.py`` set: genuine, VIZ-altered at
  crude / shifted / lighter / erased_patch, MRZ-recomputed), the family the reader was
  tuned on.
- any registered family (``atlas``, ``borealis``, ...): independently written families
  (``fixtures/families``), plan ``reading`` (genuine, viz_altered crude and subtle,
  mrz_recomputed, ...).
- ``realworld``: the real images in ``../shared/realworld`` (both indexes): every genuine
  image, and altered copies made at run time from ``benchmarks/data/realworld_viz_boxes.json``
  (``benchmarks/realworld_viz.py``).

Caught = ``VIZ_MRZ_MISMATCH`` naming the altered field; false alert = any
``VIZ_MRZ_MISMATCH`` on a genuine page.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

OUT_DIR = Path(__file__).resolve().parent / "out"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
TODAY = date(2026, 11, 28)
FIELDS = ("document_number", "surname", "given_names", "birth_date", "expiry_date")


@dataclass(slots=True)
class Case:
    """One image to scan and what it is."""

    path: Path
    group: str  # "genuine", "viz_altered", "mrz_recomputed"
    field: str | None
    subtlety: str  # family words: crude / subtle, or house levels, or "genuine"
    tier: str
    image: Any = None  # an in-memory image (real altered copies), else read from path


@dataclass(slots=True)
class Row:
    case: Case
    caught: bool
    false_alert: bool
    mrz_read: bool
    unreadable: tuple[str, ...]
    scan_ms: float
    viz_ms: float
    viz_cpu_ms: float
    scan_cpu_ms: float
    mismatches: tuple[tuple[str, str, str], ...]


def house_cases(seed: int, n: int) -> list[Case]:
    from benchmarks import mrz_viz

    sizes = (n // 2, n // 2, max(4, n // 6))
    folder, items = mrz_viz.ensure_set(seed, sizes)
    cases = []
    for item in items:
        parts = item["kind"].split(":")
        group = {"none": "genuine"}.get(parts[0], parts[0])
        cases.append(
            Case(
                folder / item["image"],
                group,
                parts[1] if len(parts) > 1 else None,
                parts[2] if len(parts) > 2 else group,
                item["capture"],
            )
        )
    return cases


def family_cases(family: str, seed: int, n: int) -> list[Case]:
    from fixtures.families import generate_set, load_manifest, plan

    folder = OUT_DIR / f"family-{family}-reading-{seed}-{n}"
    if not (folder / "manifest.jsonl").is_file():
        generate_set(family, plan("reading", n, seed), folder)
    cases = []
    for row in load_manifest(folder):
        kind = row["kind"]
        if kind not in ("genuine", "viz_altered", "mrz_recomputed"):
            continue
        alteration = row.get("alteration") or {}
        subtle = bool(alteration.get("subtle"))
        cases.append(
            Case(
                folder / row["file"],
                kind,
                alteration.get("field"),
                "genuine" if kind == "genuine" else ("subtle" if subtle else "crude"),
                row["capture"]["tier"],
            )
        )
    return cases


def realworld_cases() -> list[Case]:
    from benchmarks import realworld_viz

    return [
        Case(c.path, c.group, c.field, c.subtlety, c.tier, c.image) for c in realworld_viz.cases()
    ]


def _single_thread() -> None:
    """One core, as at a checkpoint PC: OpenCV, BLAS and Tesseract on one thread each."""
    import os

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    import cv2
    from threadpoolctl import threadpool_limits

    cv2.setNumThreads(1)
    threadpool_limits(1)


def scan(cases: list[Case]) -> list[Row]:
    from screening.imaging.load import decode_image
    from screening.pipeline import DEFAULT_STAGES, ScanOptions, scan_image
    from screening.settings import Settings

    settings = Settings(today=TODAY)
    options = ScanOptions()
    cpu: dict[str, float] = {}
    stages = tuple((name, _cpu_timed(name, stage, cpu)) for name, stage in DEFAULT_STAGES)
    if cases:
        scan_image(cases[0].path, settings, options)  # warm-up: models and engines load
    rows = []
    for case in cases:
        cpu.clear()
        if case.image is not None:
            report = _scan_loaded(
                decode_image(case.image, case.path.name), settings, options, stages
            )
        else:
            report = scan_image(case.path, settings, options, stages)
        scan_cpu = sum(cpu.values())
        hits = [f for f in report.findings if f.code == "VIZ_MRZ_MISMATCH"]
        unread = [f.evidence.value or "" for f in report.findings if f.code == "VIZ_UNREADABLE"]
        rows.append(
            Row(
                case=case,
                caught=case.group != "genuine" and case.field in {f.evidence.field for f in hits},
                false_alert=case.group == "genuine" and bool(hits),
                mrz_read=report.document is not None,
                unreadable=tuple(u for text in unread for u in text.split(", ")),
                scan_ms=report.elapsed_ms,
                viz_ms=report.timings.get("viz_ms", 0.0),
                viz_cpu_ms=cpu.get("viz", 0.0),
                scan_cpu_ms=scan_cpu,
                mismatches=tuple(
                    (f.evidence.field or "", f.evidence.value or "", f.evidence.expected or "")
                    for f in hits
                ),
            )
        )
    return rows


def _cpu_timed(name: str, stage: Any, cpu: dict[str, float]) -> Any:
    """``stage`` with its CPU time (ms, this process) recorded in ``cpu[name]``."""

    def timed(ctx: Any) -> None:
        t0 = time.process_time()
        try:
            stage(ctx)
        finally:
            cpu[name] = (time.process_time() - t0) * 1000

    return timed


def _scan_loaded(image: Any, settings: Any, options: Any, stages: Any) -> Any:
    """``scan_image`` for an image already in memory (the real altered copies)."""
    from screening import pipeline

    def load(ctx: pipeline.ScanContext) -> None:
        ctx.image = image

    return pipeline.scan_image(image.path, settings, options, (("load", load), *stages[1:]))


def _pct(num: int, den: int) -> str:
    return "-" if den == 0 else f"{100.0 * num / den:.0f}% ({num}/{den})"


def _ms(values: list[float]) -> str:
    return "-" if not values else f"{np.median(values):.0f} / {np.percentile(values, 95):.0f}"


def table(rows: list[Row]) -> str:
    altered = [r for r in rows if r.case.group == "viz_altered"]
    genuine = [r for r in rows if r.case.group == "genuine"]
    recomputed = [r for r in rows if r.case.group == "mrz_recomputed"]
    tiers = sorted({r.case.tier for r in rows})
    lines = [
        "| tier | altered caught | false alerts (genuine) | MRZ-recomputed caught "
        "| scan ms wall med / p95 | scan CPU ms med | viz ms wall med | viz CPU ms med / p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for tier in (*tiers, "all"):
        sel = [r for r in rows if tier in ("all", r.case.tier)]
        alt = [r for r in sel if r.case.group == "viz_altered"]
        gen = [r for r in sel if r.case.group == "genuine"]
        rec = [r for r in sel if r.case.group == "mrz_recomputed"]
        lines.append(
            f"| {tier} | {_pct(sum(r.caught for r in alt), len(alt))} "
            f"| {_pct(sum(r.false_alert for r in gen), len(gen))} "
            f"| {_pct(sum(r.caught for r in rec), len(rec))} "
            f"| {_ms([r.scan_ms for r in sel])} | {np.median([r.scan_cpu_ms for r in sel]):.0f} "
            f"| {np.median([r.viz_ms for r in sel]):.0f} | {_ms([r.viz_cpu_ms for r in sel])} |"
        )
    gen_cpu = [r.viz_cpu_ms for r in genuine]
    alt_cpu = [r.viz_cpu_ms for r in altered]
    lines += [
        "",
        f"Visual-zone CPU ms median / p95: genuine pages {_ms(gen_cpu)}, altered pages "
        f"{_ms(alt_cpu)}; whole scan CPU ms median: genuine "
        f"{np.median([r.scan_cpu_ms for r in genuine]) if genuine else 0:.0f}.",
    ]
    lines += ["", "| altered field | caught | of which MRZ unread |", "|---|---|---|"]
    for name in FIELDS:
        sel = [r for r in altered if r.case.field == name]
        if sel:
            lines.append(
                f"| {name} | {_pct(sum(r.caught for r in sel), len(sel))} "
                f"| {sum(not r.mrz_read for r in sel)} |"
            )
    lines += ["", "| subtlety | caught |", "|---|---|"]
    for level in sorted({r.case.subtlety for r in altered}):
        sel = [r for r in altered if r.case.subtlety == level]
        lines.append(f"| {level} | {_pct(sum(r.caught for r in sel), len(sel))} |")
    unread = defaultdict(int)
    for r in genuine:
        for name in r.unreadable:
            unread[name] += 1
    lines += [
        "",
        f"Genuine pages: {len(genuine)}, MRZ read on "
        f"{sum(r.mrz_read for r in genuine)}; fields reported unreadable: "
        + (", ".join(f"{k} {v}" for k, v in sorted(unread.items())) or "none")
        + ".",
    ]
    known = [r for r in rows if r.case.group == "real_discrepancy"]
    if known:
        lines.append(
            f"Genuine images whose own print differs from their MRZ (a real "
            f"discrepancy of the specimen): flagged on the differing field "
            f"{sum(r.caught for r in known)}/{len(known)}."
        )
    missed_mrz = sum(not r.mrz_read for r in altered)
    lines.append(
        f"Altered pages whose MRZ was not read (no comparison, counted as missed): "
        f"{missed_mrz}; MRZ-recomputed pages: {len(recomputed)}."
    )
    return "\n".join(lines) + "\n"


def details(rows: list[Row]) -> str:
    """Per-page outcome of misses and false alerts (for whoever tunes: see the results file
    for which sets may be looked at)."""
    out = []
    for r in rows:
        if (r.case.group == "viz_altered" and not r.caught) or r.false_alert:
            out.append(
                f"{r.case.path.name} {r.case.group} {r.case.field} {r.case.subtlety} "
                f"{r.case.tier} mrz={r.mrz_read} unread={','.join(r.unreadable)} "
                f"alerts={r.mismatches}"
            )
    return "\n".join(out)


def known_families() -> list[str]:
    """Every set name the benchmark takes: ``house``, ``realworld`` and every family
    registered in :data:`fixtures.families.FAMILIES` (a family added there, such as a new
    held-out one, needs nothing here)."""
    from fixtures.families import FAMILIES

    return ["house", *sorted(FAMILIES), "realworld"]


def family_names(text: str) -> list[str]:
    """``"atlas,borealis"`` -> ``["atlas", "borealis"]``, each checked against
    :func:`known_families` (raises ``ValueError`` naming the known ones)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = known_families()
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"unknown family {', '.join(unknown) or '(none)'}; known: {known}")
    return names


def cases_of(name: str, seed: int, n: int) -> list[Case]:
    if name == "house":
        return house_cases(seed, n)
    if name == "realworld":
        return realworld_cases()
    return family_cases(name, seed, n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.viz_families", description=__doc__)
    parser.add_argument(
        "--family",
        "--families",
        dest="families",
        default="house",
        metavar="NAME[,NAME]",
        help="house, realworld or any family registered in fixtures.families.FAMILIES; "
        "several comma-separated (one table each, then all together)",
    )
    parser.add_argument("--n", type=int, default=120, help="pages (house: genuine + altered)")
    parser.add_argument("--seed", type=int, default=20261212)
    parser.add_argument("--tiers", default="", help="only these capture tiers (clean,mild,hard)")
    parser.add_argument(
        "--groups", default="", help="only these groups (genuine,viz_altered,mrz_recomputed)"
    )
    parser.add_argument("--details", action="store_true", help="list misses and false alerts")
    parser.add_argument("--quick", action="store_true", help="a small set (smoke run)")
    parser.add_argument("--write", help="append the table to benchmarks/results/NAME.md")
    parser.add_argument("--tuned", default="", help="say which sets were looked at while tuning")
    args = parser.parse_args(argv)
    try:
        families = family_names(args.families)
    except ValueError as exc:
        parser.error(str(exc))
    if args.quick:
        args.n = min(args.n, 24)
    tiers = {t for t in args.tiers.split(",") if t}
    groups = {g for g in args.groups.split(",") if g}
    _single_thread()
    every: list[Row] = []
    for name in families:
        cases = [
            c
            for c in cases_of(name, args.seed, args.n)
            if (not tiers or c.tier in tiers) and (not groups or c.group in groups)
        ]
        rows = scan(cases)
        every += rows
        text = table(rows)
        print(f"## {name} (seed {args.seed}, n {args.n})\n\n{text}")
        if args.details:
            print(details(rows))
        if args.write:
            command = "python -m benchmarks.viz_families " + " ".join(argv or sys.argv[1:])
            target = RESULTS_DIR / f"{args.write}.md"
            with target.open("a", encoding="utf-8") as fh:
                fh.write(
                    f"\n## {name} (seed {args.seed}, n {args.n})\n\nCommand: `{command}`"
                    f"\n\nLooked at while tuning: {args.tuned or 'no'}.\n\n{text}"
                )
    if len(families) > 1:
        print(f"## all of {', '.join(families)}\n\n{table(every)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
