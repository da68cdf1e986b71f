"""One picture, two documents: is every MRZ found, and is a single page left alone?

    python -m benchmarks multi_document            # 40 pairs + 40 single pages per family
    python -m benchmarks multi_document --quick    # 8 + 8

For each specimen family (``house``: fixtures/specimens.py; ``atlas`` and ``borealis``:
written independently, fixtures/families/), pairs of genuine data pages are put in one
picture, side by side or stacked, the second scaled so that its MRZ characters are as
tall as the first's (two documents photographed together). The reader's read plus
:func:`find_more_mrz` must find both MRZs and read both exactly; on single pages it must
find no second one. The rules of ``multi_mrz`` were set on ``house`` sample pages only
(tuned on house; atlas and borealis were not looked at). Table:
benchmarks/results/multi_document.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks.tables import publish
from screening.imaging.mrz_image import MrzStatus, read_image_mrz
from screening.imaging.multi_mrz import find_more_mrz

RESULTS = Path(__file__).resolve().parent / "results" / "multi_document.md"
FAMILY_NAMES = ("house", "atlas", "borealis")  # the default; --families takes any registered
PAPER = 235


def render(family: str, seed: int) -> tuple[np.ndarray, list[str], float]:
    """A genuine data page (BGR), its MRZ lines and its MRZ character pitch in px."""
    rng = np.random.default_rng(seed)
    fmt = ("TD1", "TD2", "TD3")[int(rng.integers(3))]
    capture = ("clean", "mild", "hard")[int(rng.integers(3))]
    if family == "house":
        from fixtures.specimens import random_spec, render_specimen

        specimen = render_specimen(random_spec(rng, format=fmt), capture=capture, seed=seed)
        image, truth = specimen.image, specimen.truth
        box = truth["boxes"]["mrz_text"]["bbox"]
    else:
        from fixtures.families import family as get_family
        from fixtures.families.contract import PageRequest

        page = get_family(family).render(
            PageRequest(kind="genuine", seed=seed, format=fmt, capture=capture)
        )
        image = cv2.imdecode(np.frombuffer(page.image_bytes, np.uint8), cv2.IMREAD_COLOR)
        truth = page.truth
        box = truth["boxes"]["mrz"]
    lines = list(truth["mrz_lines"])
    return image, lines, float(max(box[2], box[3])) / len(lines[0])


def compose(first: np.ndarray, second: np.ndarray, scale: float, stacked: bool) -> np.ndarray:
    second = cv2.resize(second, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if stacked:
        width = max(first.shape[1], second.shape[1])
        pad = [np.full((p.shape[0], width, 3), PAPER, np.uint8) for p in (first, second)]
        pad[0][:, : first.shape[1]] = first
        pad[1][:, : second.shape[1]] = second
        return np.vstack(pad)
    height = max(first.shape[0], second.shape[0])
    pad = [np.full((height, p.shape[1], 3), PAPER, np.uint8) for p in (first, second)]
    pad[0][: first.shape[0]] = first
    pad[1][: second.shape[0]] = second
    return np.hstack(pad)


def read_all(image: np.ndarray) -> tuple[list[list[str]], float]:
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    first = read_image_mrz(gray)
    started = time.process_time()
    more = find_more_mrz(gray, first)
    extra_ms = (time.process_time() - started) * 1000
    found = [first, *more] if first.status is MrzStatus.FOUND else []
    return [m.lines for m in found], extra_ms


def run_family(family: str, n: int, seed: int) -> dict[str, object]:
    both_found = both_exact = singles_extra = pairs = 0
    extra_ms: list[float] = []
    for i in range(n):
        a, lines_a, pitch_a = render(family, seed * 1000 + 2 * i)
        b, lines_b, pitch_b = render(family, seed * 1000 + 2 * i + 1)
        picture = compose(a, b, pitch_a / pitch_b, stacked=bool(i % 2))
        reads, _ = read_all(picture)
        pairs += 1
        both_found += len(reads) >= 2
        both_exact += sorted(map(tuple, reads)) == sorted([tuple(lines_a), tuple(lines_b)])
        single_reads, ms = read_all(a)
        singles_extra += len(single_reads) > 1
        extra_ms.append(ms)
    return {
        "family": family,
        "pairs": pairs,
        "both_found": both_found,
        "both_exact": both_exact,
        "singles": n,
        "singles_with_a_second": singles_extra,
        "extra_ms_median": float(np.median(extra_ms)),
        "extra_ms_p95": float(np.percentile(extra_ms, 95)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.multi_document")
    parser.add_argument("--n", type=int, default=40, help="pairs (and single pages) per family")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--families",
        default=",".join(FAMILY_NAMES),
        help="comma-separated: house or any family registered in fixtures.families",
    )
    args = parser.parse_args(argv)
    n = 8 if args.quick else args.n
    from fixtures.families import FAMILIES

    families = [name for name in args.families.split(",") if name]
    unknown = [name for name in families if name != "house" and name not in FAMILIES]
    if unknown:
        parser.error(f"unknown families {unknown}; known: house, {', '.join(sorted(FAMILIES))}")
    rows = []
    for family in families:
        r = run_family(family, n, args.seed)
        tuned = "tuned on (samples)" if family == "house" else "not looked at"
        pairs = r["pairs"]
        rows.append(
            f"| {family} ({tuned}) | {r['both_found']}/{pairs} | {r['both_exact']}/{pairs}"
            f" | {r['singles_with_a_second']}/{r['singles']} | "
            f"{r['extra_ms_median']:.0f} / {r['extra_ms_p95']:.0f} |"
        )
        print(rows[-1], flush=True)
    publish(
        RESULTS,
        "One picture, two documents",
        f"`python -m benchmarks.multi_document --n {n} --seed {args.seed} "
        f"--families {','.join(families)}` "
        f"({time.strftime('%Y-%m-%d')}; pairs of genuine pages of random format and "
        "capture tier, side by side or stacked; CPU time of one thread, shared machine)",
        [
            "family",
            "both MRZs found",
            "both read exactly",
            "single pages given a second MRZ",
            "added CPU ms per page, median / p95",
        ],
        rows,
        keep=not args.quick,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
