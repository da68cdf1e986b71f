"""Train the photo-substitution scorer (seeded, reproducible).

    .venv/bin/python -m models.train_photo            # rebuild models/photo_substitution/
    .venv/bin/python -m models.train_photo --check    # retrain in memory, compare card
    .venv/bin/python -m models.train_photo --families house,atlas   # a subset

Pages: genuine and substituted data pages of the ``documents`` plan of every available
family (:mod:`models.document_pages`; half the substituted ones subtle), each read by our
MRZ reader, brought upright from it, its portrait found by the committed locator
(``models/portrait``) — exactly the path of ``screening scan`` — and measured by
:func:`screening.documents.photo.photo_features`. A substituted page whose portrait the
locator missed teaches nothing about substitution and is left out; a genuine page is
kept whatever the locator found (the scorer must stay quiet on a poorly placed box).

The threshold is the lowest score at which at most :data:`TARGET_FALSE_ALERTS` of the
genuine validation pages (other seeds, every family trained on) are flagged: half the
5 % product target, for margin. The card records the families, the per-family figures,
the genuine medians of every feature (what the officer's signs are measured against),
library versions and a hash of the decisions; tests compare the committed model with it.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestClassifier
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
from models.train_portrait import page_view, square_turn, true_box
from models.training_cli import compare_card, parse_training_args, save_model
from screening.documents.photo import (
    CARD_FILE,
    FEATURE_NAMES,
    MODEL_DIR,
    MODEL_FILE,
    photo_features,
)
from screening.documents.portrait import PortraitLocator, load_locator
from screening.documents.portrait_windows import box_iou

FINGERPRINT_FILE = MODEL_DIR / "fingerprint.npz"
N_TREES = 120
TARGET_FALSE_ALERTS = 0.025
KINDS = ("genuine", "photo_substituted")


@dataclass(slots=True)
class Sample:
    family: str
    substituted: bool
    subtle: bool
    signs: tuple[str, ...]
    features: np.ndarray | None  # None: no portrait found (the photo is not checked)
    located: bool  # the window overlaps the true portrait


def located_on_truth(page: Page, view: Any, box: tuple[float, ...]) -> bool:
    truth = true_box(view, page)
    if truth is None:
        return False
    if square_turn(page):
        return box_iou(box, truth) >= 0.4
    x, y, w, h = box
    tx, ty, tw, th = truth
    return tx <= x + w / 2 <= tx + tw and ty <= y + h / 2 <= ty + th


def sample_page(page: Page, locator: PortraitLocator) -> Sample:
    photo = page.truth.get("photo") or {}
    substituted = bool(photo.get("substituted"))
    sample = Sample(
        family=page.family,
        substituted=substituted,
        subtle=bool(photo.get("subtle")),
        signs=tuple(photo.get("signs") or ()),
        features=None,
        located=False,
    )
    view = page_view(page)
    if view is None:
        return sample
    found = locator.candidates(view)
    window = max(found, key=lambda w: w.probability) if found else None
    if window is None or window.probability < locator.threshold:
        return sample
    sample.features, _ = photo_features(page.rgb, view, window)
    sample.located = located_on_truth(page, view, window.box)
    return sample


def collect(
    families: list[str], n: int, seed: int, locator: PortraitLocator | None = None
) -> list[Sample]:
    locator = locator or load_locator()
    return [
        sample_page(page, locator)
        for family in families
        for page in pages(family, n, seed, kinds=KINDS, with_mrz=True)
    ]


def training_rows(samples: list[Sample]) -> tuple[np.ndarray, np.ndarray]:
    keep = [s for s in samples if s.features is not None and (s.located or not s.substituted)]
    return (
        np.vstack([s.features for s in keep]),  # type: ignore[misc]
        np.asarray([int(s.substituted) for s in keep]),
    )


def fit(features: np.ndarray, labels: np.ndarray, seed: int) -> RandomForestClassifier:
    model = RandomForestClassifier(
        n_estimators=N_TREES,
        max_depth=12,
        min_samples_leaf=3,
        max_features=0.4,
        class_weight="balanced",
        random_state=seed,
        n_jobs=1,
    )
    with threadpool_limits(1):
        model.fit(features, labels)
    return model


def scores_of(model: Any, samples: list[Sample]) -> np.ndarray:
    """Scores per sample; 0 where no portrait was found (the check does not run)."""
    rows = [s.features for s in samples if s.features is not None]
    out = np.zeros(len(samples))
    if rows:
        with threadpool_limits(1):
            proba = model.predict_proba(np.vstack(rows))[:, 1]
        out[[i for i, s in enumerate(samples) if s.features is not None]] = proba
    return out


def choose_threshold(scores: np.ndarray, samples: list[Sample]) -> float:
    genuine = np.array([not s.substituted for s in samples])
    for threshold in np.round(np.arange(0.2, 0.96, 0.01), 2):
        if float(np.mean(scores[genuine] >= threshold)) <= TARGET_FALSE_ALERTS:
            return float(threshold)
    return 0.95


def figures(scores: np.ndarray, samples: list[Sample], threshold: float) -> dict[str, Any]:
    """Per family: substituted caught (all, subtle), genuine flagged, portraits found."""
    out: dict[str, Any] = {}
    decided = scores >= threshold
    for family in sorted({s.family for s in samples}):
        idx = [i for i, s in enumerate(samples) if s.family == family]
        sub = [i for i in idx if samples[i].substituted]
        subtle = [i for i in sub if samples[i].subtle]
        gen = [i for i in idx if not samples[i].substituted]
        out[family] = {
            "substituted": len(sub),
            "caught": int(decided[sub].sum()),
            "subtle": len(subtle),
            "subtle_caught": int(decided[subtle].sum()),
            "genuine": len(gen),
            "genuine_flagged": int(decided[gen].sum()),
            "portrait_found": sum(samples[i].features is not None for i in idx),
            "portrait_on_truth": sum(samples[i].located for i in idx),
        }
    digest = hashlib.sha256(decided.astype(np.uint8).tobytes()).hexdigest()[:16]
    return {"per_family": out, "decisions_sha256_16": digest}


def train(
    families: list[str],
    *,
    seed: int = TRAIN_SEED,
    n: int = TRAIN_REQUESTS,
    valid_families: list[str] | None = None,
    locator: PortraitLocator | None = None,
) -> tuple[Any, dict[str, Any], list[Sample]]:
    locator = locator or load_locator()
    samples = collect(families, n, seed, locator)
    features, labels = training_rows(samples)
    model = fit(features, labels, seed)
    valid_families = valid_families or families
    valid = collect(valid_families, VALID_REQUESTS, VALID_SEED, locator)
    scores = scores_of(model, valid)
    threshold = choose_threshold(scores, valid)
    card = {
        "model": "RandomForestClassifier on photo-substitution features",
        "features": list(FEATURE_NAMES),
        "train_families": families,
        "train_seed": seed,
        "train_requests_per_family": n,
        "train_pages": len(labels),
        "train_substituted": int(labels.sum()),
        "valid_families": valid_families,
        "valid_seed": VALID_SEED,
        "valid_requests_per_family": VALID_REQUESTS,
        "target_false_alerts": TARGET_FALSE_ALERTS,
        "threshold": threshold,
        "validation": figures(scores, valid, threshold),
        "genuine_medians": [round(float(v), 6) for v in np.median(features[labels == 0], axis=0)],
        "library_versions": library_versions(),
    }
    return model, card, valid


def write_fingerprint(model: Any, samples: list[Sample]) -> None:
    """Features of a few validation pages and the model's scores on them, for the unit
    tests (independent of the page generators)."""
    rows = np.vstack([s.features for s in samples if s.features is not None][:8])
    np.savez_compressed(
        FINGERPRINT_FILE, features=rows, probabilities=model.predict_proba(rows)[:, 1]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_training_args("python -m models.train_photo", __doc__, argv)
    families = args.families
    started = time.time()
    model, card, valid = train(families)
    print(json.dumps({k: v for k, v in card.items() if k != "genuine_medians"}, indent=2))
    print(f"trained in {time.time() - started:.1f} s", file=sys.stderr)
    if args.check:
        return compare_card(CARD_FILE, card, ("validation", "threshold"))
    save_model(model, card, MODEL_FILE, CARD_FILE)
    write_fingerprint(model, valid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
