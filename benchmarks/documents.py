"""Benchmark of the documents stage (issue 4): hand-filled detection, photo substitution.

    python -m benchmarks.documents            # 400 + 400 pages
    python -m benchmarks.documents --quick    # 60 + 60 pages, a smoke check

Hand-filled detection: seeded pages from :mod:`fixtures.legacy` (hand-filled 1994-style
Kyrgyz pages; printed negatives: the same form typed and other printed layouts) across
the capture tiers scan/desk/phone, plus the generator's passport pages without MRZ
(observations pages with violet/blue border-control stamps, capture tiers
clean/mild/hard, several states) as a separate negative class, all with seeds disjoint
from training. Precision and recall of the page decision, per class and tier; for a
negative class, its false-alarm rate and the precision the decision would have if that
class were the only printed pages.

Photo substitution: seeded genuine and substituted pages from :mod:`fixtures.photo`
(legacy pages and generator MRZ pages, capture tiers), scored with the photo box from
the ground truth and, separately, with the box searched from the layout template
(:func:`screening.documents.photo.locate_photo`). Recall per sign and false alerts on
genuine pages.

Per-page cost: wall time of the hand-filled decision and of the photo scoring on one
page (model loaded, image in memory), median and 95th percentile, one thread.

Also reported: how many of the real printed documents in ../shared/realworld (all
printed, none hand-filled) the hand-filled classifier would call hand-filled.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from fixtures.legacy import generate_legacy, random_legacy_spec
from fixtures.photo import photo_specimen
from screening.documents.legacy import assess_handfilled, load_model
from screening.documents.photo import (
    assess_photo,
    locate_photo,
    photo_box_fits,
    photo_box_from_mrz,
)
from screening.documents.photo import load_model as load_photo_model
from screening.documents.registry import load_registry

BENCH_SEED = 424_242
RESULTS = Path(__file__).resolve().parent / "results" / "documents.md"
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "images"


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _prf(decided: list[bool], truth: list[bool]) -> tuple[float, float, int, int]:
    d, t = np.asarray(decided), np.asarray(truth)
    tp, fp, fn = int(np.sum(d & t)), int(np.sum(d & ~t)), int(np.sum(~d & t))
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return precision, recall, tp + fn, int(np.sum(~t))


STAMP_STATES = ("KGZ", "KAZ", "TJK", "UZB", "RUS", None)  # None: any state
STAMP_TIERS = ("clean", "mild", "hard")


def _stamp_pages(count: int, seed: int) -> list[tuple[str, np.ndarray]]:
    """The generator's passport pages without MRZ (observations text and border-control
    stamps), every capture tier, several states: (tier, RGB) each."""
    import cv2

    from fixtures.specimens import random_spec, render_specimen

    pages = []
    for i in range(count):
        rng = np.random.default_rng(seed + i)
        state = STAMP_STATES[i % len(STAMP_STATES)]
        spec = random_spec(rng, format="TD3", state=state, page_kind="no_mrz")
        tier = STAMP_TIERS[i % len(STAMP_TIERS)]
        specimen = render_specimen(spec, capture=tier, seed=seed + i)
        pages.append((tier, cv2.cvtColor(specimen.image, cv2.COLOR_BGR2RGB)))
    return pages


def bench_handfilled(pages: int, lines: list[str]) -> dict[str, float]:
    model = load_model()
    by_tier: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    by_kind: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    times: list[float] = []
    cpu: list[float] = []
    for i in range(pages):
        kind = ("handfilled", "printed")[i % 2]
        spec = random_legacy_spec(BENCH_SEED * 1_000 + i, kind=kind)
        page = generate_legacy(spec)
        rgb = np.asarray(page.image)
        t0, c0 = time.perf_counter(), time.process_time()
        decided = assess_handfilled(rgb, model=model).is_handfilled
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        truth = kind == "handfilled"
        by_tier[spec.tier].append((decided, truth))
        label = "hand-filled 1994 page" if truth else f"printed ({spec.layout} layout)"
        by_kind[label].append((decided, truth))
    extra = max(6, pages // 4)
    for tier, rgb in _stamp_pages(extra, BENCH_SEED + 17):
        t0, c0 = time.perf_counter(), time.process_time()
        decided = assess_handfilled(rgb, model=model).is_handfilled
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        by_kind["stamp page (generator, no MRZ)"].append((decided, False))
        by_tier[f"stamp page / {tier}"].append((decided, False))
    every = [pair for pairs in by_tier.values() for pair in pairs]
    true_positives = sum(d and t for d, t in every)
    precision, recall, positives, negatives = _prf([d for d, _ in every], [t for _, t in every])
    lines += [
        "## Hand-filled detection",
        "",
        f"{len(every)} pages ({positives} hand-filled, {negatives} printed), seed {BENCH_SEED}; "
        f"model k={model.k}, threshold={model.threshold}.",
        "",
        "Rows without hand-filled pages are negative classes: *false alarms* is the share",
        "of their pages called hand-filled, *precision* (in italics) what the decision's",
        "precision would be with all hand-filled pages and only this class as printed pages.",
        "",
        "| subset | pages | hand-filled | called hand-filled | precision | recall | false alarms |",
        "|---|---|---|---|---|---|---|",
        f"| **all** | {len(every)} | {positives} | {sum(d for d, _ in every)} | "
        f"{precision:.3f} | {recall:.3f} | "
        f"{sum(d and not t for d, t in every) / max(1, negatives):.3f} |",
    ]
    for name, pairs in sorted(by_kind.items()) + sorted(by_tier.items()):
        p, r, pos, neg = _prf([d for d, _ in pairs], [t for _, t in pairs])
        called = sum(d for d, _ in pairs)
        false_alarms = sum(d and not t for d, t in pairs)
        if pos == 0:
            p_text = f"*{true_positives / max(1, true_positives + false_alarms):.3f}*"
        else:
            p_text = "-" if np.isnan(p) else f"{p:.3f}"
        r_text = "-" if np.isnan(r) else f"{r:.3f}"
        fa_text = f"{false_alarms / neg:.3f}" if neg else "-"
        lines.append(
            f"| {name} | {len(pairs)} | {pos} | {called} | {p_text} | {r_text} | {fa_text} |"
        )
    lines.append("")
    return {
        "precision": precision,
        "recall": recall,
        "ms_median": _pct(times, 50),
        "ms_p95": _pct(times, 95),
        "cpu_median": _pct(cpu, 50),
        "cpu_p95": _pct(cpu, 95),
    }


def bench_realworld(lines: list[str]) -> None:
    if not REALWORLD.is_dir():
        lines += ["Real printed documents: ../shared/realworld absent, not measured.", ""]
        return
    from PIL import Image

    model = load_model()
    photo_model = load_photo_model()
    files = sorted(p for p in REALWORLD.iterdir() if p.suffix.lower() in {".png", ".jpg"})
    called, flagged, scored = [], [], 0
    for path in files:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        if assess_handfilled(rgb, model=model).is_handfilled:
            called.append(path.name)
        box = _real_photo_box(path, rgb)
        if box is not None:
            scored += 1
            if assess_photo(rgb, box, model=photo_model).suspected:
                flagged.append(path.name)
    lines += [
        "## Real documents (transfer check)",
        "",
        f"../shared/realworld: {len(files)} images of genuine printed documents with MRZ "
        "(public specimens; none hand-filled, no known photo substitution).",
        "",
        f"- called hand-filled: {len(called)}"
        + (f" ({', '.join(called)})" if called else "")
        + ". In a scan the hand-filled check runs only on pages without MRZ.",
        f"- photo substitution suspected, photo box placed from the MRZ read by "
        f"screening.imaging (TD3/TD2 pages where it was found): {len(flagged)} of {scored}"
        + (f" ({', '.join(flagged)})" if flagged else "")
        + ". The photo model has only seen drawn synthetic portraits: on real photographs "
        "it does not transfer, and must not raise alerts in production before it is "
        "calibrated on genuine real pages.",
        "",
    ]


def _real_photo_box(path: Path, rgb: np.ndarray) -> tuple[int, int, int, int] | None:
    from screening.imaging.load import load_image
    from screening.imaging.mrz_image import MrzStatus, read_image_mrz

    result = read_image_mrz(load_image(path).gray, use_tesseract=False)
    if result.status is not MrzStatus.FOUND or result.region is None:
        return None
    fmt = {44: "TD3", 36: "TD2"}.get(len(result.lines[0])) if len(result.lines) == 2 else None
    return photo_box_from_mrz(rgb, result.region, fmt) if fmt else None


def bench_photo(pairs: int, lines: list[str]) -> dict[str, float]:
    model = load_photo_model()
    zone = load_registry().default_photo_zone
    rows: list[dict] = []
    times: list[float] = []
    cpu: list[float] = []
    for i in range(pairs):
        for substituted in (False, True):
            seed = BENCH_SEED * 10_000 + 2 * i + int(substituted)
            specimen = photo_specimen(seed, substituted=substituted)
            t0, c0 = time.perf_counter(), time.process_time()
            truth_box = assess_photo(specimen.image, specimen.photo_box, model=model)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            located = locate_photo(specimen.image, zone)
            found = photo_box_fits(specimen.image, located) and (
                assess_photo(specimen.image, located, model=model).suspected
            )
            anchored = None
            if specimen.truth["source"] == "mrz_page":
                mrz_box = specimen.truth["boxes"]["mrz_text"]["bbox"]
                box = photo_box_from_mrz(specimen.image, mrz_box, specimen.truth["format"])
                if box is not None:
                    anchored = assess_photo(specimen.image, box, model=model).suspected
            tier = specimen.truth.get("tier") or specimen.truth["capture"]["tier"]
            rows.append(
                {
                    "substituted": substituted,
                    "signs": specimen.truth["substitution"]["signs"],
                    "source": specimen.truth["source"],
                    "tier": tier,
                    "suspected": truth_box.suspected,
                    "suspected_located": found,
                    "suspected_anchored": anchored,
                }
            )

    def summary(selected: list[dict], key: str) -> tuple[float, float, int, int]:
        sub = [r for r in selected if r["substituted"]]
        gen = [r for r in selected if not r["substituted"]]
        recall = np.mean([r[key] for r in sub]) if sub else float("nan")
        false_alerts = np.mean([r[key] for r in gen]) if gen else float("nan")
        return float(recall), float(false_alerts), len(sub), len(gen)

    recall, false_alerts, n_sub, n_gen = summary(rows, "suspected")
    recall_loc, false_loc, _, _ = summary(rows, "suspected_located")
    anchored_rows = [r for r in rows if r["suspected_anchored"] is not None]
    recall_anc, false_anc, n_sub_anc, n_gen_anc = summary(anchored_rows, "suspected_anchored")
    lines += [
        "## Photo substitution",
        "",
        f"{len(rows)} pages ({n_sub} substituted, {n_gen} genuine), seed {BENCH_SEED}; "
        f"threshold {model.threshold}.",
        "",
        "| subset | substituted | genuine | recall | false alerts |",
        "|---|---|---|---|---|",
        f"| **all, photo box from truth** | {n_sub} | {n_gen} | {recall:.3f} | "
        f"{false_alerts:.3f} |",
        f"| all, photo box searched from the layout template | {n_sub} | {n_gen} | "
        f"{recall_loc:.3f} | {false_loc:.3f} |",
        f"| MRZ pages (TD3/TD2), photo box from the MRZ position | {n_sub_anc} | {n_gen_anc} | "
        f"{recall_anc:.3f} | {false_anc:.3f} |",
        "| *by source / capture tier, photo box from truth:* | | | | |",
    ]
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[f"{row['source']} / {row['tier']}"].append(row)
    for name, selected in sorted(groups.items()):
        r, f, ns, ng = summary(selected, "suspected")
        lines.append(f"| {name} | {ns} | {ng} | {r:.3f} | {f:.3f} |")
    lines += ["", "| sign present in the forgery | substituted pages | recall |", "|---|---|---|"]
    for sign in ("seal_missing", "seal_redrawn", "edge", "texture"):
        with_sign = [r for r in rows if sign in r["signs"]]
        if with_sign:
            lines.append(
                f"| {sign} | {len(with_sign)} | "
                f"{np.mean([r['suspected'] for r in with_sign]):.3f} |"
            )
    only = [r for r in rows if r["substituted"] and len(r["signs"]) == 1]
    if only:
        lines.append(
            f"| (a single sign only) | {len(only)} | "
            f"{np.mean([r['suspected'] for r in only]):.3f} |"
        )
    lines.append("")
    return {
        "recall": recall,
        "false_alerts": false_alerts,
        "ms_median": _pct(times, 50),
        "ms_p95": _pct(times, 95),
        "cpu_median": _pct(cpu, 50),
        "cpu_p95": _pct(cpu, 95),
    }


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.documents", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="60 + 60 pages")
    parser.add_argument("--pages", type=int, default=None, help="hand-filled pages")
    parser.add_argument("--pairs", type=int, default=None, help="photo genuine/substituted pairs")
    args = parser.parse_args(argv)
    pages = args.pages or (60 if args.quick else 400)
    pairs = args.pairs or (30 if args.quick else 200)
    started = time.time()
    lines = [
        "# Documents benchmark (hand-filled detection, photo substitution)",
        "",
        f"Command: `python -m benchmarks.documents{' --quick' if args.quick else ''}`; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, one thread.",
        "All pages are generated (seeded); none was used in training.",
        "",
    ]
    with threadpool_limits(1):
        hand = bench_handfilled(pages, lines)
        bench_realworld(lines)
        photo = bench_photo(pairs, lines)
    lines += [
        "## Targets",
        "",
        "| measure | target | measured |",
        "|---|---|---|",
        f"| hand-filled recall | >= 0.98 | {hand['recall']:.3f} |",
        f"| hand-filled precision | >= 0.95 | {hand['precision']:.3f} |",
        f"| photo substitution recall | >= 0.90 | {photo['recall']:.3f} |",
        f"| photo false alerts on genuine pages | <= 0.05 | {photo['false_alerts']:.3f} |",
        f"| per-page cost, hand-filled decision, CPU (median / p95) | <= 50 ms | "
        f"{hand['cpu_median']:.1f} / {hand['cpu_p95']:.1f} ms |",
        f"| per-page cost, photo scoring, CPU (median / p95) | <= 50 ms | "
        f"{photo['cpu_median']:.1f} / {photo['cpu_p95']:.1f} ms |",
        f"| per-page cost, both, CPU (sum of medians) | <= 50 ms | "
        f"{hand['cpu_median'] + photo['cpu_median']:.1f} ms |",
        f"| same, wall clock (median / p95; machine load {_load()}) | | "
        f"{hand['ms_median']:.1f} / {hand['ms_p95']:.1f} ms and "
        f"{photo['ms_median']:.1f} / {photo['ms_p95']:.1f} ms |",
        "",
        "CPU = process time of the one benchmark thread (the machine is shared by other "
        "jobs, so wall time overstates the cost; CPU time is what one page costs).",
        "",
        f"Wall time of the benchmark: {time.time() - started:.0f} s.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:  # a smoke run must not replace the full-size results
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
