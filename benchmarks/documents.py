"""Benchmark of the documents stage (issue 11): hand-filled detection and photo
substitution, on families trained on and on families not trained on, and on real
specimen documents.

    python -m benchmarks.documents            # every family's test pool, committed models
    python -m benchmarks.documents --lofo     # also models trained without each trained-on family
    python -m benchmarks.documents --quick    # a small test pool (smoke run, nothing written)
    python -m benchmarks.documents --families dunes --no-realworld
                                              # any registered family by name (its own file)

Families (:mod:`models.document_pages`): ``house`` (our original generator) and every
independently written family registered in :data:`fixtures.families.FAMILIES`, each
taken by name (``--families NAME[,NAME]``; nothing here or in the detectors knows a
family). Each family's test pool (seed ``TEST_SEED``, never used in training or
validation) holds hand-filled legacy pages, printed pages without MRZ, genuine data pages
and substituted ones (half subtle). Every page goes through the documents stage the way
``screening scan`` runs it (:mod:`benchmarks.documents_pages`): MRZ read from the image,
page brought upright from it, portrait found without a template, photo scored; pages
without MRZ checked for hand-filling, hand-filled ones for their photo too.

The committed models are trained and validated on ``TRAIN_FAMILIES`` (house, atlas,
borealis; other seeds): on those families the table shows figures on designs *seen* in
training; any other family (one written by code we never read) is a design never seen,
as at a checkpoint. ``--lofo`` adds, for each trained-on family, models trained here in
memory on the other trained-on families (leave-one-family-out). The real images of
``../shared/realworld`` are measured with the committed models
(:mod:`benchmarks.documents_realworld`).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.documents_pages import (
    DocumentsResult,
    ScanInputs,
    documents_result,
    scan_inputs,
)
from models.document_pages import (
    TEST_REQUESTS,
    TEST_SEED,
    TRAIN_FAMILIES,
    Page,
    available_families,
    pages,
)
from screening.documents.portrait_windows import box_iou
from screening.documents.stage import DocumentModels

RESULTS = Path(__file__).resolve().parent / "results" / "documents.md"
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
QUICK_REQUESTS = 16
# Families looked at page by page while the features were designed and tuned; the
# others were only ever seen through aggregate figures.
TUNED_ON = ("house", "atlas", "borealis")


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def _rate(hits: int, total: int) -> str:
    return f"{100 * hits / total:.1f}% ({hits}/{total})" if total else "-"


def page_inputs(page: Page) -> ScanInputs:
    from screening.documents.upright import mrz_geometry
    from screening.imaging.mrz_image import MrzStatus, read_image_mrz

    mrz = read_image_mrz(page.gray, use_tesseract=True)
    return ScanInputs(
        rgb=page.rgb, geometry=mrz_geometry(mrz), mrz_seen=mrz.status is not MrzStatus.NOT_FOUND
    )


def lofo_models(family: str) -> DocumentModels:
    """The three models trained, in memory, on every trained-on family but ``family``
    (never on a family the benchmark holds out)."""
    from models import train_handfilled, train_photo, train_portrait
    from screening.documents.legacy import HandfilledModel
    from screening.documents.photo import PhotoModel
    from screening.documents.portrait import PortraitLocator

    others = [f for f in TRAIN_FAMILIES if f != family]
    hand, hand_card, _ = train_handfilled.train(others)
    loc, loc_card = train_portrait.train(others, valid_families=others)
    locator = PortraitLocator.from_fitted(loc, loc_card)
    photo, photo_card, _ = train_photo.train(others, locator=locator)
    return DocumentModels(
        HandfilledModel.from_fitted(hand, hand_card),
        locator,
        PhotoModel.from_fitted(photo, photo_card),
    )


def portrait_iou(page: Page, result: DocumentsResult) -> float:
    """IoU of the photo region the stage reports (input pixels; 0 when none) with the
    page's true photo box. On a page turned by an odd angle both are the axis-aligned
    boxes round the turned photo."""
    truth = (page.truth.get("photo") or {}).get("box")
    if not truth or result.photo_region is None:
        return 0.0
    return box_iou(tuple(map(float, result.photo_region)), tuple(map(float, truth)))


def photo_auc(data_pages: list[tuple[Page, DocumentsResult]]) -> float:
    """ROC AUC of the photo score, substituted against genuine data pages (a page whose
    photo was not checked scores 0, as a scan would leave it unflagged)."""
    from sklearn.metrics import roc_auc_score

    labels = [p.kind == "photo_substituted" for p, _ in data_pages]
    if len(set(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, [r.photo_score for _, r in data_pages]))


def score_family(results: list[tuple[Page, DocumentsResult]]) -> dict[str, Any]:
    """The issue's measures over one family's test pool."""
    hand = [r for p, r in results if p.kind == "handfilled"]
    others = [r for p, r in results if p.kind != "handfilled"]
    sub = [(p, r) for p, r in results if p.kind == "photo_substituted"]
    subtle = [(p, r) for p, r in sub if (p.truth.get("photo") or {}).get("subtle")]
    genuine = [r for p, r in results if p.kind == "genuine"]
    data_pages = [(p, r) for p, r in results if p.kind in ("genuine", "photo_substituted")]
    per_sign: dict[str, list[bool]] = defaultdict(list)
    for p, r in sub:
        for sign in (p.truth.get("photo") or {}).get("signs") or ():
            per_sign[sign].append(r.photo_flagged)
    return {
        "hand": (sum(r.handfilled for r in hand), len(hand)),
        "others_hand": (sum(r.handfilled for r in others), len(others)),
        "sub": (sum(r.photo_flagged for _, r in sub), len(sub)),
        "subtle": (sum(r.photo_flagged for _, r in subtle), len(subtle)),
        "genuine": (sum(r.photo_flagged for r in genuine), len(genuine)),
        "hand_photo": (sum(r.photo_flagged for r in hand), len(hand)),
        "sub_checked": (sum(r.photo_checked for _, r in sub), len(sub)),
        "genuine_checked": (sum(r.photo_checked for r in genuine), len(genuine)),
        "signs": {s: (sum(v), len(v)) for s, v in sorted(per_sign.items())},
        "box_iou": [portrait_iou(p, r) for p, r in data_pages],
        "auc": photo_auc(data_pages),
        "cpu_mrz": [r.cpu_ms for p, r in results if p.kind in ("genuine", "photo_substituted")],
        "cpu_no_mrz": [r.cpu_ms for p, r in results if p.kind in ("handfilled", "printed_no_mrz")],
    }


def family_section(
    families: list[str], requests: int, lofo: bool, lines: list[str]
) -> dict[str, dict[str, dict[str, Any]]]:
    committed = DocumentModels.committed()
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for family in families:
        test = list(pages(family, requests, TEST_SEED))
        inputs = [page_inputs(p) for p in test]
        seen = family in TRAIN_FAMILIES
        sets = {f"{'trained on' if seen else 'not trained on'} (committed models)": committed}
        if lofo and seen:
            sets["not trained on (leave-one-family-out)"] = lofo_models(family)
        table[family] = {}
        for name, models in sets.items():
            results = [(p, documents_result(i, models)) for p, i in zip(test, inputs, strict=True)]
            table[family][name] = score_family(results)
    lines += [
        "## Specimen families",
        "",
        f"Test pool per family: `documents` plan, seed {TEST_SEED}, {requests} requests "
        "(a quarter each hand-filled, printed without MRZ, genuine, substituted; half of "
        "the substituted ones subtle; captures clean/mild/hard). No page of these pools "
        "was used in training or validation.",
        f"Committed models trained and validated on: {', '.join(TRAIN_FAMILIES)}. "
        f"Families looked at page by page while designing and tuning: {', '.join(TUNED_ON)}; "
        "the others only through aggregate figures.",
        "",
        "| family | models | hand-filled flagged | other pages flagged hand-filled | "
        "substituted caught | subtle caught | genuine photo flagged | hand-filled pages' "
        "photo flagged | photo checked (substituted / genuine) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for family, sets in table.items():
        tag = " (tuned on)" if family in TUNED_ON else ""
        for name, s in sets.items():
            lines.append(
                f"| {family}{tag} | {name} | {_rate(*s['hand'])} | {_rate(*s['others_hand'])} "
                f"| {_rate(*s['sub'])} | {_rate(*s['subtle'])} | {_rate(*s['genuine'])} "
                f"| {_rate(*s['hand_photo'])} | {_rate(*s['sub_checked'])} / "
                f"{_rate(*s['genuine_checked'])} |"
            )
    lines += [
        "",
        "The portrait box and the photo score (data pages, genuine and substituted): the "
        "photo region the stage reports against the true photo box (IoU; 0 when no portrait "
        "was found), and how well the score separates substituted from genuine (ROC AUC; "
        "0.5 is chance):",
        "",
        "| family | models | box IoU median | box IoU >= 0.5 | box IoU >= 0.8 | photo score AUC |",
        "|---|---|---|---|---|---|",
    ]
    for family, sets in table.items():
        for name, s in sets.items():
            ious = s["box_iou"]
            lines.append(
                f"| {family} | {name.split(' (')[0]} | {_pct(ious, 50):.2f} "
                f"| {_rate(sum(i >= 0.5 for i in ious), len(ious))} "
                f"| {_rate(sum(i >= 0.8 for i in ious), len(ious))} | {s['auc']:.2f} |"
            )
    lines += [
        "",
        "Substituted pages caught, per sign present (a page may show several):",
        "",
        "| family | models | "
        + " | ".join(("seal_broken", "glued_print", "texture", "ghost_mismatch"))
        + " |",
        "|---|---|---|---|---|---|",
    ]
    for family, sets in table.items():
        for name, s in sets.items():
            cells = [
                _rate(*s["signs"].get(sign, (0, 0)))
                for sign in ("seal_broken", "glued_print", "texture", "ghost_mismatch")
            ]
            lines.append(f"| {family} | {name.split(' (')[0]} | " + " | ".join(cells) + " |")
    lines.append("")
    return table


def realworld_section(lines: list[str]) -> dict[str, Any]:
    from benchmarks.documents_realworld import (
        VARIANTS,
        encode_png,
        load_images,
        substituted_copies,
    )

    if not REALWORLD.is_dir():
        lines += ["## Real documents", "", "../shared/realworld absent: not measured.", ""]
        return {}
    models = DocumentModels.committed()
    images = load_images(REALWORLD)
    flagged, legacy, checked, ious = [], [], 0, []
    for image in images:
        data = image.path.read_bytes()
        inputs = scan_inputs(data, image.file)
        result = documents_result(inputs, models)
        checked += result.photo_checked
        if result.photo_flagged:
            flagged.append(Path(image.file).name)
        if image.portrait:
            found = result.photo_region
            ious.append(
                box_iou(tuple(map(float, found)), tuple(map(float, image.portrait)))
                if found
                else 0.0
            )
        forced = documents_result(inputs, models, force_legacy=True)
        if forced.handfilled or forced.legacy_edition:
            legacy.append(Path(image.file).name)
    caught: dict[str, list[bool]] = defaultdict(list)
    for _target, variant, rgb in substituted_copies(images):
        result = documents_result(scan_inputs(encode_png(rgb)), models)
        caught[variant].append(result.photo_flagged)
    with_portrait = sum(im.portrait is not None for im in images)
    lines += [
        "## Real documents (second truth; committed models)",
        "",
        f"{len(images)} genuine real specimen images of ../shared/realworld (images/ and "
        f"more/images/), {with_portrait} of them showing a portrait (boxes annotated by "
        "eye: benchmarks/data/realworld_portraits.json). None was used in training or "
        "tuning.",
        "",
        "| measure | result |",
        "|---|---|",
        f"| genuine images given a photo alert (`--photo-check`) | {len(flagged)} of {len(images)}"
        + (f" ({', '.join(flagged)})" if flagged else "")
        + " |",
        f"| genuine images called hand-filled or a legacy edition when their MRZ is ignored "
        f"| {len(legacy)} of {len(images)}" + (f" ({', '.join(legacy)})" if legacy else "") + " |",
        f"| photo checked (a portrait found) | {checked} of {len(images)} |",
        f"| portrait found where annotated (IoU >= 0.5) | {sum(i >= 0.5 for i in ious)} of "
        f"{with_portrait} |",
        f"| photo region against the annotated portrait, median IoU | {_pct(ious, 50):.2f} |",
    ]
    for variant in VARIANTS:
        hits = caught[variant]
        lines.append(f"| substituted copies caught, {variant} | {_rate(sum(hits), len(hits))} |")
    lines.append("")
    return {
        "flagged": len(flagged),
        "legacy": len(legacy),
        "caught": {v: (sum(c), len(c)) for v, c in caught.items()},
    }


def timing_section(table: dict[str, dict[str, dict[str, Any]]], lines: list[str]) -> None:
    mrz = [ms for sets in table.values() for ms in next(iter(sets.values()))["cpu_mrz"]]
    no_mrz = [ms for sets in table.values() for ms in next(iter(sets.values()))["cpu_no_mrz"]]
    lines += [
        "## Cost of the documents stage (CPU time of one thread, committed models)",
        "",
        "| pages | median | p95 |",
        "|---|---|---|",
        f"| data pages with MRZ (portrait found and scored) | {_pct(mrz, 50):.0f} ms | "
        f"{_pct(mrz, 95):.0f} ms |",
        f"| pages without MRZ (hand-filled check; photo on hand-filled pages) | "
        f"{_pct(no_mrz, 50):.0f} ms | {_pct(no_mrz, 95):.0f} ms |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.documents", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_REQUESTS} requests per family, no leave-one-out",
    )
    parser.add_argument(
        "--lofo", action="store_true", help="add leave-one-family-out models (slow: retrains)"
    )
    parser.add_argument(
        "--families",
        default=None,
        help="comma-separated names of registered families (fixtures.families; default: all)",
    )
    parser.add_argument("--no-realworld", action="store_true", help="skip the real specimen images")
    args = parser.parse_args(argv)
    registered = available_families()
    families = args.families.split(",") if args.families else registered
    unknown = [f for f in families if f not in registered]
    if unknown:
        parser.error(f"unknown families {unknown}; registered: {', '.join(registered)}")
    requests = QUICK_REQUESTS if args.quick else TEST_REQUESTS
    started = time.time()
    command = (
        "python -m benchmarks.documents"
        + (" --quick" if args.quick else "")
        + (" --lofo" if args.lofo else "")
        + (f" --families {args.families}" if args.families else "")
        + (" --no-realworld" if args.no_realworld else "")
    )
    lines = [
        "# Documents benchmark (hand-filled detection, photo substitution)",
        "",
        f"Command: `{command}`; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs shared with other jobs, one thread.",
        "",
    ]
    with threadpool_limits(1):
        table = family_section(families, requests, args.lofo and not args.quick, lines)
        if not args.no_realworld:
            realworld_section(lines)
        timing_section(table, lines)
    lines.append(f"Wall time of the benchmark: {time.time() - started:.0f} s.")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:  # a smoke run must not replace the full-size results
        # A run on some families only (a held-out one) keeps its own file.
        partial = args.families or args.no_realworld
        out = RESULTS.with_name(f"documents-{'-'.join(families)}.md") if partial else RESULTS
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
