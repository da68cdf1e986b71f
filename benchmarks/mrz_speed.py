"""MRZ stage CPU time per capture tier on one core, and PassportEye on the same images.

    .venv/bin/python -m benchmarks mrz_speed                      # via the runner
    .venv/bin/python -m benchmarks.mrz_speed --families atlas,borealis -n 30 --pe 3
    .venv/bin/python -m benchmarks.mrz_speed --quick --profile    # where the time goes

The MRZ stage is what ``scan`` times as ``timings.mrz_ms`` (locate, read, fuse, gate, MRZ
rules: :func:`screening.pipeline.mrz_stage`), on an image already decoded. It is timed in
CPU seconds (``time.process_time`` plus the CPU of finished child processes, i.e.
Tesseract), with OpenCV and BLAS limited to one thread: the figure a one-core checkpoint
PC would see, and one that other jobs sharing the machine inflate far less than wall
time. PassportEye's ``read_mrz`` (its own Tesseract calls included) is timed the same way
on a subset of the same images in the same process; the ratio compares the medians on
that subset.

Families: ``house`` (``fixtures.specimens``) and any family registered in
``fixtures.families.FAMILIES`` (their ``reading`` plan, and with ``--blur-n`` their
``blur`` plan of phone photos at every motion-blur length). Which attempt read each image
(first, light flattened, robust) is counted, since the later attempts cost several times
the first. Accuracy is counted too (exact MRZ) so that a speed change that costs reads
shows here; the accuracy tables themselves are ``benchmarks.mrz_families``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.mrz_families import SEED, TIERS, TUNING, Page, collect
from benchmarks.mrz_read import _passporteye, _passporteye_version, _pct, _single_thread

RESULTS = Path(__file__).resolve().parent / "results" / "mrz_speed.md"
TARGET_MS = 30.0  # issue #10: MRZ stage median per image on one core
DEFAULT_FAMILIES = ("house", "atlas", "borealis")


@dataclass(slots=True)
class Timing:
    page: Page
    cpu_ms: float
    attempt: str  # "first", "flattened", "robust" or "none"
    exact: bool
    pe_cpu_ms: float | None = None
    pe_exact: bool | None = None


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract)."""
    own = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + kids.ru_utime + kids.ru_stime


def _attempt(ctx: object) -> str:
    mrz = getattr(ctx, "mrz", None)
    if mrz is None or mrz.status.value != "found":
        return "none"
    if mrz.light_flattened:
        return "flattened"
    return "robust" if mrz.robust else "first"


def time_page(page: Page, settings: object, options: object) -> Timing:
    from screening.imaging.load import load_image
    from screening.pipeline import ScanContext, mrz_stage

    image = load_image(page.path)  # decoding is the load stage, not the MRZ stage
    ctx = ScanContext(path=page.path, settings=settings, options=options, image=image)  # type: ignore[arg-type]
    started = cpu_seconds()
    mrz_stage(ctx)
    cpu_ms = (cpu_seconds() - started) * 1000.0
    lines = ctx.mrz.lines if ctx.mrz is not None else []
    exact = bool(page.truth_lines) and lines == page.truth_lines
    return Timing(page, cpu_ms, _attempt(ctx), exact)


def time_passporteye(timing: Timing) -> None:
    started = cpu_seconds()
    lines, _valid, _wall = _passporteye(timing.page.path)
    timing.pe_cpu_ms = (cpu_seconds() - started) * 1000.0
    timing.pe_exact = lines == timing.page.truth_lines


def _pe_subset(pages: list[Page], per_stratum: int) -> set[int]:
    """The first ``per_stratum`` MRZ pages of every (family, plan, tier, blur) stratum."""
    seen: dict[tuple[str, str, str, int], int] = {}
    chosen = set()
    for i, page in enumerate(pages):
        key = (page.family, page.plan, page.tier, page.blur_px)
        if page.truth_lines and seen.get(key, 0) < per_stratum:
            seen[key] = seen.get(key, 0) + 1
            chosen.add(i)
    return chosen


def run(pages: list[Page], pe_per_tier: int, profile: cProfile.Profile | None) -> list[Timing]:
    _single_thread()
    from screening.pipeline import ScanOptions
    from screening.settings import Settings

    settings = Settings(today=date(2026, 11, 28))
    options = ScanOptions(use_tesseract=True, check_viz=False)
    if pages:
        time_page(pages[0], settings, options)  # warm-up: model and tables loaded once
    subset = _pe_subset(pages, pe_per_tier)
    out = []
    for i, page in enumerate(pages):
        if profile is not None:
            profile.enable()
        timing = time_page(page, settings, options)
        if profile is not None:
            profile.disable()
        if i in subset:
            time_passporteye(timing)
        out.append(timing)
        if (i + 1) % 25 == 0:
            print(f"  {i + 1}/{len(pages)} images", file=sys.stderr, flush=True)
    return out


def _row(name: str, rows: list[Timing]) -> str:
    cpu = [t.cpu_ms for t in rows]
    attempts = {a: sum(t.attempt == a for t in rows) for a in ("first", "flattened", "robust")}
    mrz = [t for t in rows if t.page.truth_lines]
    pe = [t for t in rows if t.pe_cpu_ms is not None]
    ours_pe = float(np.median([t.cpu_ms for t in pe])) if pe else None
    pe_ms = float(np.median([t.pe_cpu_ms for t in pe])) if pe else None  # type: ignore[misc]
    cells = [
        name,
        str(len(rows)),
        f"{np.median(cpu):.0f}",
        f"{np.percentile(cpu, 95):.0f}",
        "yes" if np.median(cpu) <= TARGET_MS else "no",
        f"{attempts['first']} / {attempts['flattened']} / {attempts['robust']}",
        _pct(sum(t.exact for t in mrz), len(mrz)),
        str(len(pe)) if pe else "-",
        "-" if pe_ms is None else f"{pe_ms:.0f}",
        "-" if ours_pe is None else f"{ours_pe:.0f}",
        f"{pe_ms / ours_pe:.1f}x" if pe_ms and ours_pe else "-",
        _pct(sum(bool(t.pe_exact) for t in pe), len(pe)),
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| {key} | images | MRZ CPU ms median | MRZ CPU ms p95 | median <= 30 ms "
    "| read on attempt: first / flattened / robust | exact MRZ | PassportEye images "
    "| PassportEye CPU ms median | ours on those, median | ratio (PassportEye / ours) "
    "| PassportEye exact |"
)


def report(timings: list[Timing], command: str) -> str:
    out = [f"Command: `{command}`", ""]
    families = list(dict.fromkeys(t.page.family for t in timings))
    for family in families:
        mine = [t for t in timings if t.page.family == family]
        out += [f"## {family} ({TUNING.get(family, 'not looked at')})", ""]
        out += [HEADER.format(key="capture"), "|---" * 12 + "|"]
        reading = [t for t in mine if t.page.plan == "reading"]
        for tier in TIERS:
            rows = [t for t in reading if t.page.tier == tier]
            if rows:
                out.append(_row(tier, rows))
        blur = [t for t in mine if t.page.plan == "blur"]
        if blur:
            out.append(_row("blur sweep (phone photos, 0-10 px smear)", blur))
        out += [_row("all", mine), ""]
    if len(families) > 1:
        out += [HEADER.format(key="set"), "|---" * 12 + "|", _row("every family", timings), ""]
    out.append(
        f"CPU time (time.process_time + finished child processes: Tesseract), one thread "
        f"(cv2.setNumThreads(1), BLAS 1), image already decoded; PassportEye "
        f"{_passporteye_version()} read_mrz timed the same way in the same process. The "
        "machine is a 2-core box shared with other jobs: CPU time is inflated by them far "
        "less than wall time, but cache and memory contention still add some."
    )
    return "\n".join(out) + "\n"


def profile_text(profile: cProfile.Profile, top: int = 25) -> str:
    stream = io.StringIO()
    pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(top)
    return stream.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mrz_speed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sets (smoke run)")
    parser.add_argument(
        "--families",
        default=",".join(DEFAULT_FAMILIES),
        help="comma-separated: house and any name in fixtures.families.FAMILIES",
    )
    parser.add_argument("-n", type=int, default=None, help="reading-set size per family")
    parser.add_argument("--blur-n", type=int, default=0, help="blur-sweep size per family")
    parser.add_argument(
        "--pe", type=int, default=None, help="PassportEye images per stratum (tier, smear length)"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--profile", action="store_true", help="cProfile the MRZ stage")
    args = parser.parse_args(argv)
    from fixtures.families import FAMILIES as INDEPENDENT

    wanted = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = [f for f in wanted if f != "house" and f not in INDEPENDENT]
    if unknown:
        parser.error(f"unknown families {unknown}; known: house, {', '.join(INDEPENDENT)}")
    n = args.n if args.n is not None else (9 if args.quick else 45)
    pe = args.pe if args.pe is not None else (1 if args.quick else 3)
    pages = collect(wanted, n, args.blur_n, args.seed, real=False)
    profile = cProfile.Profile() if args.profile else None
    timings = run(pages, pe, profile)
    given = sys.argv[1:] if argv is None else argv
    text = report(timings, " ".join(["python -m benchmarks.mrz_speed", *given]))
    print(text)
    if profile is not None:
        print(profile_text(profile))
    if not args.quick and not args.profile:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("# MRZ stage speed (one core, CPU time)\n\n" + text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
