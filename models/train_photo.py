"""Train the photo-substitution scorer from pages we generate (seeded, reproducible).

    .venv/bin/python -m models.train_photo            # rebuild models/photo_substitution/
    .venv/bin/python -m models.train_photo --check    # retrain in memory, compare card

Pages come from :func:`fixtures.photo.photo_specimen`: half hand-filled/printed legacy
pages (capture tiers scan/desk/phone), half generator data pages with MRZ (capture
clean/mild), each genuine or with a substituted photo (missing or redrawn seal, hard
edge / lamination break / shadow, foreign print texture, in random combinations).
Features: :func:`screening.documents.photo.photo_features` on the true photo box.

The threshold is the lowest score at which at most :data:`TARGET_FALSE_ALERTS` of the
*genuine* validation pages are flagged (half the 5 % product target, for margin). The
model card records it with the accuracy and a hash of the decisions on a fixed
evaluation set; tests compare the committed model with that card.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from typing import Any

import joblib
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from threadpoolctl import threadpool_limits

from fixtures.photo import photo_specimen
from models import retrain_check
from models.provenance import provenance
from screening.documents.photo import (
    CARD_FILE,
    FEATURE_NAMES,
    MODEL_DIR,
    MODEL_FILE,
    photo_features,
)

FINGERPRINT_FILE = MODEL_DIR / "fingerprint.npz"
TRAIN_SEED = 20261128
VALID_SEED = 41
EVAL_SEED = 9
TRAIN_PAIRS = 300
VALID_PAIRS = 150
EVAL_PAIRS = 40
N_TREES = 150
EVAL_FINGERPRINT_PAIRS = 3
TARGET_FALSE_ALERTS = 0.025


def make_set(seed: int, pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of ``pairs`` genuine and ``pairs`` substituted pages."""
    rows, labels = [], []
    for i in range(pairs):
        for substituted in (False, True):
            page_seed = seed * 1_000_003 + 2 * i + int(substituted)
            specimen = photo_specimen(page_seed, substituted=substituted)
            rows.append(photo_features(specimen.image, specimen.photo_box))
            labels.append(int(substituted))
    return np.vstack(rows), np.asarray(labels)


def fit(features: np.ndarray, labels: np.ndarray, seed: int) -> RandomForestClassifier:
    model = RandomForestClassifier(
        n_estimators=N_TREES, max_depth=12, min_samples_leaf=2, random_state=seed, n_jobs=1
    )
    with threadpool_limits(1):
        model.fit(features, labels)
    return model


def choose_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, dict[str, float]]:
    genuine = scores[labels == 0]
    for threshold in np.round(np.arange(0.05, 0.96, 0.01), 2):
        false_alerts = float(np.mean(genuine >= threshold))
        if false_alerts <= TARGET_FALSE_ALERTS:
            recall = float(np.mean(scores[labels == 1] >= threshold))
            return float(threshold), {
                "validation_false_alerts": round(false_alerts, 4),
                "validation_recall": round(recall, 4),
            }
    return 0.95, {"validation_false_alerts": float(np.mean(genuine >= 0.95))}


def evaluate(model: Any, threshold: float, features: np.ndarray, labels: np.ndarray) -> dict:
    decided = model.predict_proba(features)[:, 1] >= threshold
    truth = labels.astype(bool)
    return {
        "pages": len(labels),
        "accuracy": round(float(np.mean(decided == truth)), 4),
        "recall": round(float(np.mean(decided[truth])), 4),
        "false_alerts": round(float(np.mean(decided[~truth])), 4),
        "decisions_sha256_16": hashlib.sha256(decided.astype(np.uint8).tobytes()).hexdigest()[:16],
    }


def train(
    *, seed: int = TRAIN_SEED, train_pairs: int = TRAIN_PAIRS, valid_pairs: int = VALID_PAIRS
) -> tuple[Any, dict[str, Any]]:
    features, labels = make_set(seed, train_pairs)
    model = fit(features, labels, seed)
    v_features, v_labels = make_set(VALID_SEED, valid_pairs)
    threshold, info = choose_threshold(model.predict_proba(v_features)[:, 1], v_labels)
    card = {
        "model": "RandomForestClassifier on photo-border features",
        "features": list(FEATURE_NAMES),
        "train_seed": seed,
        "train_pages": len(labels),
        "valid_seed": VALID_SEED,
        "valid_pages": len(v_labels),
        "target_false_alerts": TARGET_FALSE_ALERTS,
        "threshold": threshold,
        **info,
    }
    return model, card


def write_fingerprint(model: Any, features: np.ndarray) -> None:
    """Features of a few evaluation pages and the model's scores on them, for the unit
    tests (independent of the page generator)."""
    np.savez_compressed(
        FINGERPRINT_FILE, features=features, probabilities=model.predict_proba(features)[:, 1]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.train_photo", description=__doc__)
    parser.add_argument("--check", action="store_true", help="retrain in memory, compare card")
    parser.add_argument("--fingerprint-only", action="store_true",
                        help="rewrite fingerprint.npz from the committed model")
    args = parser.parse_args(argv)
    if args.fingerprint_only:
        features, _ = make_set(EVAL_SEED, EVAL_FINGERPRINT_PAIRS)
        write_fingerprint(joblib.load(MODEL_FILE), features)
        return 0
    started = time.time()
    model, card = train()
    card["eval_seed"] = EVAL_SEED
    e_features, e_labels = make_set(EVAL_SEED, EVAL_PAIRS)
    card["eval"] = evaluate(model, card["threshold"], e_features, e_labels)
    print(json.dumps(card, indent=2))
    print(f"trained in {time.time() - started:.1f} s", file=sys.stderr)
    if args.check:  # within tolerances, not bit for bit: see models/retrain_check.py
        committed = json.loads(CARD_FILE.read_text("utf-8"))
        return retrain_check.photo(model, card["threshold"], committed, e_features, e_labels)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, MODEL_FILE, compress=3)
    card.update(provenance(MODEL_FILE))  # digest and library versions
    write_fingerprint(model, e_features[: 2 * EVAL_FINGERPRINT_PAIRS])
    CARD_FILE.write_text(json.dumps(card, indent=2) + "\n", "utf-8")
    print(f"wrote {MODEL_FILE} and {CARD_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
