"""Train the portrait locator's two small networks (seeded, reproducible).

    .venv/bin/python -m models.train_portrait            # rebuild models/portrait/
    .venv/bin/python -m models.train_portrait --check    # retrain in memory, compare card
    .venv/bin/python -m models.train_portrait --families house,atlas   # a subset

Pages: the ``documents`` plan of every available family (:mod:`models.document_pages`),
data pages with MRZ (genuine and substituted), each read by our MRZ reader and brought
upright from it exactly as in a scan. Stage one (blocks): blocks inside the true
portrait are positives, blocks elsewhere (ghost images included) negatives, blocks on
the portrait's border are left out. Stage two (windows), on other pages of the same
families: stage one's candidate windows overlapping the true portrait (IoU >= 0.55) and
the true box itself are positives, candidates off it (IoU < 0.3) negatives. Pages turned
by an angle that is not a quarter turn (phone photos) have only a loose true box (a
turn inflates it): they are left out of training, not of validation.

The card records the families trained on, the validation families and the locator's
hit rate (window overlapping the true portrait by IoU >= 0.5) per family, and the
window-score threshold under which a page is said to show no portrait.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from typing import Any

import numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from models.document_pages import (
    TRAIN_REQUESTS,
    TRAIN_SEED,
    VALID_REQUESTS,
    VALID_SEED,
    Page,
    pages,
)
from models.provenance import library_versions
from models.training_cli import compare_card, parse_training_args, save_model
from screening.documents.mlp import compile_mlp
from screening.documents.portrait import MODEL_DIR, MODEL_FILE, PortraitLocator
from screening.documents.portrait_blocks import (
    BLOCK,
    FEATURE_NAMES,
    LOCATOR_PX_PER_MM,
    block_features,
    block_labels,
    block_maps,
    block_valid,
)
from screening.documents.portrait_windows import (
    DESCRIPTOR_NAMES,
    PortraitWindow,
    WindowDescriber,
    box_iou,
    candidate_windows,
)
from screening.documents.upright import Upright, upright_from_mrz

CARD_FILE = MODEL_DIR / "model_card.json"
FINGERPRINT_FILE = MODEL_DIR / "fingerprint.npz"
HIDDEN = (32, 16)
WINDOW_HIDDEN = (48, 16)
CANDIDATES = 24
NEGATIVE_SHARE = 0.25  # of negative blocks kept for training
KINDS = ("genuine", "photo_substituted")


def page_view(page: Page) -> Upright | None:
    geometry = page.geometry
    if geometry is None:
        return None
    return upright_from_mrz(page.rgb, geometry, px_per_mm=LOCATOR_PX_PER_MM)


def true_box(view: Upright, page: Page, key: str = "box") -> tuple[float, ...] | None:
    photo = page.truth.get("photo") or {}
    box = photo.get(key)
    return view.box_from_input(box) if box else None


def square_turn(page: Page, tolerance: float = 4.0) -> bool:
    turn = float(page.truth["capture"].get("rotation_deg") or 0.0) % 90.0
    return min(turn, 90.0 - turn) <= tolerance


def collect(families: list[str], n: int, seed: int) -> list[tuple[Page, Upright]]:
    out = []
    for family in families:
        for page in pages(family, n, seed, kinds=KINDS, with_mrz=True):
            view = page_view(page)
            if view is not None:
                out.append((page, view))
    return out


def block_dataset(views: list[tuple[Page, Upright]], seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for page, view in views:
        if not square_turn(page):
            continue
        feats = block_features(view)
        lab = block_labels(feats.shape[:2], true_box(view, page))
        valid = view.valid[BLOCK // 2 :: BLOCK, BLOCK // 2 :: BLOCK][: lab.shape[0], : lab.shape[1]]
        keep = valid & ((lab == 1) | ((lab == 0) & (rng.random(lab.shape) < NEGATIVE_SHARE)))
        rows.append(feats[keep])
        labels.append(lab[keep])
    return np.vstack(rows), np.concatenate(labels).astype(int)


def fit(features: np.ndarray, labels: np.ndarray, seed: int, hidden: tuple[int, ...]) -> Pipeline:
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=hidden,
            alpha=1e-3,
            max_iter=300,
            batch_size=256,
            early_stopping=True,
            random_state=seed,
        ),
    )
    with threadpool_limits(1):
        model.fit(features, labels)
    return model


def jittered_windows(
    truth: tuple[float, ...], view: Upright, rng: np.random.Generator, count: int = 24
) -> list[PortraitWindow]:
    """The true box, boxes near it, and portrait-sized boxes anywhere on the view."""
    x, y, w, h = truth
    out = [PortraitWindow(box=(x, y, w, h), score=0.0, inside=0.0)]
    height, width = view.rgb.shape[:2]
    for i in range(count):
        if i < count // 3:  # near the truth
            dx, dy = rng.normal(0, 0.08, 2) * (w, h)
            k = float(np.exp(rng.normal(0, 0.08)))
            box = (x + dx, y + dy, w * k, h * k)
        else:  # anywhere
            bh = float(rng.uniform(14, 62)) * view.px_per_mm
            bw = bh * float(rng.uniform(0.64, 1.0))
            box = (
                float(rng.uniform(0, max(1.0, width - bw))),
                float(rng.uniform(0, max(1.0, height - bh))),
                bw,
                bh,
            )
        out.append(PortraitWindow(box=box, score=0.0, inside=0.0))
    return out


def window_dataset(
    views: list[tuple[Page, Upright]], blocks: Pipeline, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stage two's rows: the candidates of stage one, the true box and boxes round it and
    elsewhere, labelled by IoU with the truth."""
    scorer = compile_mlp(blocks)
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for page, view in views:
        if not square_turn(page):
            continue
        truth = true_box(view, page)
        if truth is None:
            continue
        maps = block_maps(view)
        valid = block_valid(view, maps.shape)
        n = maps.features.shape[-1]
        prob = scorer.positive_proba(maps.features.reshape(-1, n)).reshape(maps.shape)
        prob = np.where(valid, prob, 0.0)
        describer = WindowDescriber(maps, prob, view.px_per_mm)
        windows = candidate_windows(prob, view.px_per_mm, valid, count=CANDIDATES)
        windows += jittered_windows(truth, view, rng)
        for window in windows:
            overlap = box_iou(window.box, truth)
            if 0.3 <= overlap < 0.55:
                continue
            rows.append(describer.describe(window))
            labels.append(int(overlap >= 0.55))
    return np.vstack(rows), np.asarray(labels)


def evaluate(models: dict[str, Pipeline], views: list[tuple[Page, Upright]]) -> dict[str, Any]:
    """Per family: pages, hits (IoU >= 0.5 with the true portrait; on turned phone
    photos, the window's centre inside the true box), and the best windows' scores."""
    locator = PortraitLocator(
        blocks=compile_mlp(models["blocks"]), windows=compile_mlp(models["windows"]), threshold=0.0
    )
    per: dict[str, dict[str, Any]] = {}
    scores: list[float] = []
    decisions = []
    for page, view in views:
        found = locator.candidates(view)
        window = max(found, key=lambda w: w.probability) if found else None
        truth = true_box(view, page)
        if window is None or truth is None:
            hit = False
        elif square_turn(page):
            hit = box_iou(window.box, truth) >= 0.5
        else:
            x, y, w, h = window.box
            tx, ty, tw, th = truth
            hit = tx <= x + w / 2 <= tx + tw and ty <= y + h / 2 <= ty + th
        stats = per.setdefault(page.family, {"pages": 0, "hits": 0})
        stats["pages"] += 1
        stats["hits"] += int(hit)
        if window is not None and hit:
            scores.append(window.probability)
        decisions.append(int(hit))
    for stats in per.values():
        stats["hit_rate"] = round(stats["hits"] / max(1, stats["pages"]), 4)
    digest = hashlib.sha256(np.asarray(decisions, np.uint8).tobytes()).hexdigest()[:16]
    return {"per_family": per, "scores": scores, "decisions_sha256_16": digest}


def train(
    families: list[str],
    *,
    seed: int = TRAIN_SEED,
    n: int = TRAIN_REQUESTS,
    valid_families: list[str] | None = None,
) -> tuple[dict[str, Pipeline], dict[str, Any]]:
    views = collect(families, n, seed)
    # Stage one learns from every other data page, stage two from the rest: stage two
    # must see stage one's candidates on pages stage one did not learn from.
    train_views, window_views = views[0::2], views[1::2]
    features, labels = block_dataset(train_views, seed)
    blocks = fit(features, labels, seed, HIDDEN)
    w_features, w_labels = window_dataset(window_views, blocks, seed)
    models = {"blocks": blocks, "windows": fit(w_features, w_labels, seed, WINDOW_HIDDEN)}
    valid_families = valid_families or families  # never a family not trained on
    valid = evaluate(models, collect(valid_families, VALID_REQUESTS, VALID_SEED))
    scores = np.asarray(valid.pop("scores"))
    # Under this probability a page shows no portrait: well under the validation hits.
    threshold = round(float(np.percentile(scores, 2)) * 0.5, 4) if scores.size else 0.2
    card = {
        "model": f"blocks: MLP {HIDDEN}; windows: MLP {WINDOW_HIDDEN} (standardised)",
        "block_features": list(FEATURE_NAMES),
        "window_features": list(DESCRIPTOR_NAMES),
        "locator_px_per_mm": LOCATOR_PX_PER_MM,
        "block_px": BLOCK,
        "train_families": families,
        "train_seed": seed,
        "train_requests_per_family": n,
        "train_pages": len(train_views),
        "train_blocks": len(labels),
        "train_portrait_blocks": int(labels.sum()),
        "train_window_pages": len(window_views),
        "train_windows": len(w_labels),
        "train_portrait_windows": int(w_labels.sum()),
        "valid_families": valid_families,
        "valid_seed": VALID_SEED,
        "valid_requests_per_family": VALID_REQUESTS,
        "validation": valid,
        "threshold": threshold,
        "library_versions": library_versions(),
    }
    return models, card


def write_fingerprint(models: dict[str, Pipeline], views: list[tuple[Page, Upright]]) -> None:
    """Block and window features of two validation pages and the networks' outputs on
    them: the unit tests check the committed model against these without drawing pages."""
    locator = PortraitLocator.from_fitted(models, {"threshold": 0.0})
    blocks, windows = [], []
    for _page, view in views:
        maps = block_maps(view)
        blocks.append(maps.features.reshape(-1, maps.features.shape[-1])[::7])
        prob = np.where(block_valid(view, maps.shape), locator.block_probabilities(maps), 0.0)
        describer = WindowDescriber(maps, prob, view.px_per_mm)
        windows += [
            describer.describe(w) for w in candidate_windows(prob, view.px_per_mm, count=CANDIDATES)
        ]
    block_rows, window_rows = np.vstack(blocks), np.vstack(windows)
    np.savez_compressed(
        FINGERPRINT_FILE,
        blocks=block_rows,
        block_probabilities=locator.blocks.positive_proba(block_rows),
        windows=window_rows,
        window_probabilities=locator.windows.positive_proba(window_rows),
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_training_args("python -m models.train_portrait", __doc__, argv)
    families = args.families
    started = time.time()
    models, card = train(families)
    print(json.dumps(card, indent=2))
    print(f"trained in {time.time() - started:.1f} s", file=sys.stderr)
    if args.check:
        return compare_card(CARD_FILE, card, ("validation",))
    save_model(models, card, MODEL_FILE, CARD_FILE)
    write_fingerprint(models, collect(card["valid_families"][:1], 16, VALID_SEED)[:2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
