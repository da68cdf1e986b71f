"""MRZ reading per specimen family, capture tier and motion-blur band, and on real images.

    .venv/bin/python -m benchmarks.mrz_families                  # every family, full size
    .venv/bin/python -m benchmarks.mrz_families --quick          # small smoke run
    .venv/bin/python -m benchmarks.mrz_families --families atlas --seed 11 -n 90

Families: ``house`` (our own generator: ``fixtures.specimens`` for the reading set,
``fixtures.blur`` for the blur sweep) and the independently written families of
``fixtures.families`` (``atlas``, ``borealis``: their ``reading`` and ``blur`` plans).
Each family gives two sets: *reading* (genuine pages, wrong check digits, recomputed
MRZs, altered visual zones and pages without MRZ over clean / mild / hard captures) and
*blur* (genuine phone photos at motion-blur lengths 0, 3, 5, 7, 9, 10 px in many
directions). Real images: ``../shared/realworld`` (both indexes), split once into two
halves by the parity of the SHA-256 of the file name; only the *tune* half was looked at
image by image while tuning; nonconformant records are reported apart.

Reported per family and tier / blur band: exact MRZ, character accuracy, MRZ text
invented on pages without MRZ, forged check digits cleared, wrong reads passing every
check digit, not found / unreadable, MRZ stage ms (median / p95), and PassportEye on a
stratified subset in the same process with the speed ratio. Every table says which sets
were looked at while tuning (:data:`TUNING`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.mrz_read import (
    _char_accuracy,
    _passporteye,
    _passporteye_version,
    _pct,
    _single_thread,
)

OUT_DIR = Path(__file__).resolve().parent / "out" / "families"
RESULTS = Path(__file__).resolve().parent / "results" / "mrz_families.md"
REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
REALWORLD_INDEXES = ("images.jsonl", "more/images.jsonl")
FAMILIES = ("house", "atlas", "borealis")
TIERS = ("clean", "mild", "hard")
BLUR_BANDS = ((0, 0), (3, 3), (5, 5), (7, 7), (9, 10))
SEED = 20261212
# What was looked at while the reader was tuned (issue #10). Sets not named here were not.
TUNING = {
    "house": "tuned on (every seed)",
    "atlas": "not looked at (totals and per-cause counts only)",
    "borealis": "tuned on since 2026-12-05 (hard-tier TD1 misses looked at image by image)",
    "realworld tune half": "tuned on (failures looked at image by image)",
    "realworld held-out half": "not looked at (totals only; 100_pass-fin and 100_pass-lux "
    "diagnosed 2026-12-05)",
}
HOUSE_DEFECTS_MIX = {
    "none": 0.5,
    "wrong_check_digit": 0.15,
    "mrz_recomputed": 0.1,
    "viz_altered": 0.15,
    "no_mrz": 0.1,
}
HOUSE_KIND = {"none": "genuine", "no_mrz": "printed_no_mrz"}


@dataclass(slots=True)
class Page:
    """One image with what was drawn on it, in the families' neutral terms."""

    path: Path
    family: str
    plan: str  # "reading" or "blur"
    kind: str  # fixtures.families.contract.KINDS
    tier: str
    blur_px: int
    truth_lines: list[str]
    label: str = ""  # real images: index, half, nonconformant


@dataclass(slots=True)
class Result:
    page: Page
    lines: list[str] | None
    status: str
    checks_ok: bool | None
    cd_alert: bool
    mrz_ms: float
    cpu_ms: float  # CPU time of the scan (this process and Tesseract), visual zone off
    pe_lines: list[str] | None = None
    pe_ms: float | None = None


def _house_reading(n: int, seed: int) -> list[Page]:
    from fixtures.specimens import generate_set

    folder = OUT_DIR / f"house-reading-{seed}-{n}"
    manifest = folder / "manifest.json"
    if manifest.is_file():
        items = json.loads(manifest.read_text("utf-8"))["items"]
    else:
        print(f"generating {n} house pages into {folder} ...", file=sys.stderr, flush=True)
        items = generate_set(folder, n=n, seed=seed, defects_mix=HOUSE_DEFECTS_MIX)
    pages = []
    for item in items:
        truth = json.loads((folder / item["truth"]).read_text("utf-8"))
        kind = item["kind"].split(":")[0]
        pages.append(
            Page(
                folder / item["image"],
                "house",
                "reading",
                HOUSE_KIND.get(kind, kind),
                item["capture"],
                0,
                list(truth["mrz_lines"]),
            )
        )
    return pages


def _house_blur(n: int, seed: int) -> list[Page]:
    from fixtures.blur import render_blurred
    from fixtures.families import MOTION_BANDS

    folder = OUT_DIR / f"house-blur-{seed}-{n}"
    manifest = folder / "manifest.jsonl"
    if not manifest.is_file():
        print(f"generating {n} blurred house pages into {folder} ...", file=sys.stderr)
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for i in range(n):
            length = MOTION_BANDS[i % len(MOTION_BANDS)]
            fmt = ("TD1", "TD2", "TD3")[(i // len(MOTION_BANDS)) % 3]
            page = render_blurred(
                seed * 1000 + i, fmt, motion_px=length, angle_deg=float((i * 37) % 180)
            )
            name = f"house-{i:04d}-blur{length}.jpg"
            (folder / name).write_bytes(page.jpeg)
            rows.append(dict(page.truth, file=name))
        tmp = folder / "manifest.jsonl.tmp"
        tmp.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
        tmp.replace(manifest)
    return _family_pages(folder, "house", "blur")


def _family_set(name: str, plan_name: str, n: int, seed: int) -> list[Page]:
    from fixtures.families import generate_set, plan

    folder = OUT_DIR / f"{name}-{plan_name}-{seed}-{n}"
    if not (folder / "manifest.jsonl").is_file():
        print(f"generating {n} {name} pages ({plan_name}) into {folder} ...", file=sys.stderr)
        generate_set(name, plan(plan_name, n, seed), folder)
    return _family_pages(folder, name, plan_name)


def _family_pages(folder: Path, family: str, plan_name: str) -> list[Page]:
    pages = []
    for line in (folder / "manifest.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        capture = row["capture"]
        pages.append(
            Page(
                folder / row["file"],
                family,
                plan_name,
                row["kind"],
                capture["tier"],
                int(capture.get("motion_blur_px") or 0),
                list(row["mrz_lines"]),
            )
        )
    return pages


def realworld_half(file_name: str) -> str:
    """The fixed split of the real images: parity of the SHA-256 of the file name."""
    digest = hashlib.sha256(Path(file_name).name.encode("utf-8")).hexdigest()
    return "tune" if int(digest, 16) % 2 == 0 else "held-out"


def _realworld() -> list[Page]:
    pages = []
    for index in REALWORLD_INDEXES:
        path = REALWORLD / index
        if not path.is_file():
            continue
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            if not row.get("mrz_lines"):
                continue
            label = f"{realworld_half(row['file'])}|{index}"
            if row.get("nonconformant"):
                label += "|nonconformant"
            pages.append(
                Page(
                    path.parent / row["file"],
                    "realworld",
                    "real",
                    "genuine",
                    row.get("capture", "scan"),
                    0,
                    list(row["mrz_lines"]),
                    label,
                )
            )
    return pages


def _screen(page: Page, settings: Any, options: Any) -> Result:
    from screening.pipeline import scan_image

    cpu = _cpu_seconds()
    report = scan_image(page.path, settings, options)
    cpu = _cpu_seconds() - cpu
    doc = report.document
    codes = {f.code for f in report.findings}
    status = "found" if doc else ("unreadable" if "MRZ_UNREADABLE" in codes else "not found")
    checks_ok = None
    if doc is not None:
        checks_ok = all(c.get("valid", True) for c in doc["check_digits"].values())
    return Result(
        page=page,
        lines=doc["mrz_lines"] if doc else None,
        status=status,
        checks_ok=checks_ok,
        cd_alert=bool(codes & {"MRZ_CHECK_DIGIT", "MRZ_COMPOSITE_CHECK_DIGIT"}),
        mrz_ms=report.timings.get("mrz_ms", 0.0),
        cpu_ms=cpu * 1000.0,
    )


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract): unlike wall time,
    it does not grow with the other jobs sharing the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _pe_subset(pages: list[Page], count: int) -> set[int]:
    """Every k-th page of each stratum (tier or blur band), ``count`` in all."""
    if count <= 0:
        return set()
    strata: dict[tuple[str, str, int], list[int]] = {}
    for i, page in enumerate(pages):
        if page.truth_lines:
            strata.setdefault((page.plan, page.tier, page.blur_px), []).append(i)
    per = max(1, count // max(1, len(strata)))
    return {i for members in strata.values() for i in members[:: max(1, len(members) // per)][:per]}


def run(pages: list[Page], pe_count: int) -> list[Result]:
    _single_thread()
    from screening.pipeline import ScanOptions
    from screening.settings import Settings

    settings = Settings(today=date(2026, 11, 28))
    options = ScanOptions(use_tesseract=True, check_viz=False)
    if pages:
        _screen(pages[0], settings, options)  # warm-up: model load
    pe_subset = _pe_subset(pages, pe_count)
    results = []
    for i, page in enumerate(pages, start=1):
        result = _screen(page, settings, options)
        if i - 1 in pe_subset:
            result.pe_lines, _valid, result.pe_ms = _passporteye(page.path)
        results.append(result)
        if i % 25 == 0:
            print(f"  {page.family}: {i}/{len(pages)} images", file=sys.stderr, flush=True)
    return results


def _row(results: list[Result]) -> list[str]:
    mrz = [r for r in results if r.page.truth_lines]
    no_mrz = [r for r in results if not r.page.truth_lines]
    forged_cd = [r for r in results if r.page.kind == "wrong_check_digit"]
    exact = sum(r.lines == r.page.truth_lines for r in mrz)
    right = total = 0
    for r in mrz:
        a, b = _char_accuracy(r.page.truth_lines, r.lines)
        right, total = right + a, total + b
    wrong_valid = sum(
        r.lines is not None and r.lines != r.page.truth_lines and bool(r.checks_ok) for r in mrz
    )
    not_found = sum(r.status == "not found" for r in mrz)
    unreadable = sum(r.status == "unreadable" for r in mrz)
    ms = [r.mrz_ms for r in results]
    cpu = [r.cpu_ms for r in results]
    pe = [r for r in results if r.pe_ms is not None]
    pe_exact = sum(r.pe_lines == r.page.truth_lines for r in pe)
    pe_ms = float(np.median([r.pe_ms for r in pe])) if pe else None
    ours = float(np.median([r.mrz_ms for r in pe])) if pe else None
    return [
        str(len(results)),
        _pct(exact, len(mrz)),
        "-" if not total else f"{100.0 * right / total:.1f}%",
        _pct(sum(r.lines is not None for r in no_mrz), len(no_mrz)),
        _pct(sum(r.lines is not None and not r.cd_alert for r in forged_cd), len(forged_cd)),
        _pct(wrong_valid, len(mrz)),
        f"{not_found} / {unreadable}",
        "-" if not ms else f"{np.median(ms):.0f} / {np.percentile(ms, 95):.0f}",
        "-" if not cpu else f"{np.median(cpu):.0f} / {np.percentile(cpu, 95):.0f}",
        _pct(pe_exact, len(pe)),
        "-" if pe_ms is None else f"{pe_ms:.0f}",
        f"{pe_ms / ours:.0f}x" if pe_ms and ours else "-",
    ]


HEADER = (
    "| {key} | images | exact MRZ | char acc. | invented MRZ (no-MRZ pages) "
    "| forged check digits cleared | wrong reads passing every check | not found / unreadable "
    "| MRZ ms median / p95 | scan CPU ms median / p95 | PassportEye exact "
    "| PassportEye ms median | speed ratio |"
)


def _table(key: str, groups: Iterable[tuple[str, list[Result]]]) -> list[str]:
    lines = [HEADER.format(key=key), "|---" * 13 + "|"]
    for name, rows in groups:
        if rows:
            lines.append("| " + " | ".join([name, *_row(rows)]) + " |")
    return lines


def _band_name(low: int, high: int) -> str:
    return f"{low} px" if low == high else f"{low}-{high} px"


def report(results: list[Result], command: str) -> str:
    out = [f"Command: `{command}`", ""]
    # Every family run, in the order given (any name registered in fixtures.families).
    families = list(dict.fromkeys(r.page.family for r in results if r.page.family != "realworld"))
    for family in families:
        mine = [r for r in results if r.page.family == family]
        out += [f"## {family} ({TUNING.get(family, 'not looked at')})", ""]
        reading = [r for r in mine if r.page.plan == "reading"]
        blur = [r for r in mine if r.page.plan == "blur"]
        if reading:
            tiers = [(t, [r for r in reading if r.page.tier == t]) for t in TIERS]
            out += ["Reading set, per capture tier:", ""]
            out += [*_table("tier", [*tiers, ("all", reading)]), ""]
        if blur:
            bands = [
                (_band_name(lo, hi), [r for r in blur if lo <= r.page.blur_px <= hi])
                for lo, hi in BLUR_BANDS
            ]
            out += ["Blur set (genuine phone photos), per motion-blur band:", ""]
            out += [*_table("motion blur", [*bands, ("all", blur)]), ""]
    real = [r for r in results if r.page.family == "realworld"]
    if real:
        out += ["## Real images (`../shared/realworld`)", ""]
        groups = []
        for half in ("tune", "held-out"):
            name = "realworld tune half" if half == "tune" else "realworld held-out half"
            for index in REALWORLD_INDEXES:
                rows = [
                    r
                    for r in real
                    if r.page.label.startswith(f"{half}|{index}")
                    and "nonconformant" not in r.page.label
                ]
                groups.append((f"{half}: {index} ({TUNING[name]})", rows))
        groups.append(
            ("nonconformant records", [r for r in real if "nonconformant" in r.page.label])
        )
        out += [*_table("set", groups), ""]
    out += [
        f"PassportEye {_passporteye_version()} reads a stratified subset in the same process; "
        "the speed ratio compares its median with ours on that subset. One thread "
        "(cv2.setNumThreads(1), BLAS 1), in-process timing on a 2-core machine shared with "
        "other jobs: pessimistic wall-clock timings ('MRZ ms'); 'scan CPU ms' is the CPU "
        "time of the whole scan without the visual zone (load, MRZ, quality; Tesseract "
        "included), which the other jobs inflate much less. "
        "Exact = every MRZ line identical to the truth; "
        "'wrong reads passing every check' = MRZ text reported that differs from the truth "
        "although every check digit passes; 'invented' = MRZ text reported on a page "
        "without MRZ; 'forged check digits cleared' = a page printed with a wrong check "
        "digit reported without MRZ_CHECK_DIGIT / MRZ_COMPOSITE_CHECK_DIGIT.",
    ]
    return "\n".join(out) + "\n"


def collect(families: list[str], n: int, blur_n: int, seed: int, real: bool) -> list[Page]:
    pages: list[Page] = []
    for family in families:
        if family == "house":
            pages += _house_reading(n, seed) if n else []
            pages += _house_blur(blur_n, seed) if blur_n else []
        else:
            pages += _family_set(family, "reading", n, seed) if n else []
            pages += _family_set(family, "blur", blur_n, seed) if blur_n else []
    return pages + (_realworld() if real else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mrz_families", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sets (smoke run)")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("-n", type=int, default=None, help="reading-set size per family")
    parser.add_argument("--blur-n", type=int, default=None, help="blur-set size per family")
    parser.add_argument("--pe", type=int, default=None, help="PassportEye subset per family")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-real", action="store_true", help="skip ../shared/realworld")
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help=f"results file of a full run (default {RESULTS})"
    )
    args = parser.parse_args(argv)
    from fixtures.families import FAMILIES as INDEPENDENT

    wanted = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = [f for f in wanted if f != "house" and f not in INDEPENDENT]
    if unknown:
        parser.error(f"unknown families {unknown}; known: house, {', '.join(INDEPENDENT)}")
    available = [f for f in wanted if f == "house" or _importable(f)]
    for missing in set(wanted) - set(available):
        print(f"family {missing} is not in this checkout yet: skipped", file=sys.stderr)
    n = args.n if args.n is not None else (20 if args.quick else 150)
    blur_n = args.blur_n if args.blur_n is not None else (12 if args.quick else 90)
    pe = args.pe if args.pe is not None else (4 if args.quick else 16)
    pages = collect(available, n, blur_n, args.seed, real=not args.no_real)
    started = time.perf_counter()
    results = []
    for family in [*available, "realworld"]:
        mine = [p for p in pages if p.family == family]
        results += run(mine, pe if family != "realworld" else 0)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.mrz_families", *given])
    text = report(results, command)
    print(text)
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if not args.quick:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("# MRZ reading per family, tier and blur band\n\n" + text, "utf-8")
    return 0


def _importable(family: str) -> bool:
    try:
        from fixtures.families import family as load

        load(family)
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
