"""Train the hand-filled text-region classifier from pages we generate (seeded).

    .venv/bin/python -m models.train_handfilled            # rebuild models/handfilled/
    .venv/bin/python -m models.train_handfilled --check    # retrain in memory, compare card

Training pages come from :mod:`fixtures.legacy`: hand-filled 1994-style Kyrgyz data pages
(positives) and printed pages without MRZ (negatives: the same form typed, and other
printed layouts; either may carry a rubber stamp), across the capture tiers; and from
the specimen generator: printed data pages and, above all, passport pages without MRZ
(observations pages with violet/blue border-control stamps: printed text in ink, in
rotated frames, the most common non-data page of a real passport), every capture tier
(clean/mild/hard), any state. Each page is cut into text regions by
:func:`screening.documents.features.find_text_regions`, exactly as at run time; a region
is labelled from the page's ground truth:

* handwritten — it lies mostly (>= 40 %) inside a hand-entered value box;
* printed — it lies outside every hand-entered value and outside the holder's signature
  (labels, titles, the red number, typed values, seal arcs, photo fragments);
* otherwise (signatures, half-overlaps) it is left out of training.

A page is called hand-filled when its K-th most handwriting-like region scores above a
threshold (the holder's signature and a seal arc alone must not make a printed page
hand-filled). K and the threshold are chosen on a separate validation set and stored in
the model card with the accuracy and a hash of the page decisions on a fixed evaluation
set; tests compare the committed model with that card.
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

from fixtures.legacy import Page, generate_legacy, random_legacy_spec
from models.provenance import provenance
from screening.documents.features import FEATURE_NAMES, page_region_features
from screening.documents.legacy import CARD_FILE, MODEL_DIR, MODEL_FILE, page_score

FINGERPRINT_FILE = MODEL_DIR / "fingerprint.npz"

TRAIN_SEED = 20261128
VALID_SEED = 31
EVAL_SEED = 7
TRAIN_PAGES = 300
VALID_PAGES = 100
EVAL_PAGES = 60
N_TREES = 50
EVAL_FINGERPRINT = 5
K = 3


def generator_page(seed: int, kind: str | None = None) -> Page:
    """A printed page from the specimen generator (data page with MRZ, or a stamp page
    without MRZ), any format, state and capture tier: more printed negatives at other
    scales and layouts, so that the classifier does not learn the 1994 form instead of
    handwriting, nor take stamp text for it. ``kind`` "no_mrz" forces a stamp page (any
    tier, uniformly); None draws one of the two."""
    import cv2
    from PIL import Image

    from fixtures.specimens import random_spec, render_specimen

    rng = np.random.default_rng(seed)
    if kind is None:
        kind = "no_mrz" if rng.random() < 0.4 else "data"
        tier = str(rng.choice(["clean", "mild", "hard"], p=[0.4, 0.4, 0.2]))
    else:
        tier = str(rng.choice(["clean", "mild", "hard"]))
    spec = random_spec(rng, format="TD3", page_kind=kind) if kind == "no_mrz" else random_spec(rng)
    specimen = render_specimen(spec, capture=tier, seed=seed)
    signature = specimen.truth["boxes"].get("signature", {}).get("bbox", [0, 0, 0, 0])
    image = Image.fromarray(cv2.cvtColor(specimen.image, cv2.COLOR_BGR2RGB))
    truth = {"handwritten": False, "regions": [], "signature_box": signature, "source": kind}
    return Page(image=image, truth=truth)


def make_pages(seed: int, count: int) -> list[Page]:
    """``count`` pages, reproducible from ``seed``: every fifth a generator page (every
    other one of them a stamp page without MRZ), the rest alternating hand-filled /
    printed legacy pages."""
    kinds = ("handfilled", "printed")
    pages = []
    for i in range(count):
        page_seed = seed * 100_003 + i
        if i % 5 == 4:
            pages.append(generator_page(page_seed, "no_mrz" if (i // 5) % 2 == 0 else None))
        else:
            pages.append(generate_legacy(random_legacy_spec(page_seed, kind=kinds[i % 2])))
    return pages


def _coverage(box: tuple[int, int, int, int], others: list[list[int]]) -> float:
    x, y, w, h = box
    area = max(1, w * h)
    best = 0.0
    for ox, oy, ow, oh in others:
        ix = max(0, min(x + w, ox + ow) - max(x, ox))
        iy = max(0, min(y + h, oy + oh) - max(y, oy))
        best = max(best, ix * iy / area)
    return best


def label_regions(page: Page) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix and labels (1 handwritten, 0 printed) of a page's usable regions."""
    regions, features = page_region_features(np.asarray(page.image))
    hand = [r["box"] for r in page.truth["regions"] if r["handwritten"]]
    signature = [page.truth["signature_box"]]
    rows, labels = [], []
    for region, row in zip(regions, features, strict=True):
        in_hand = _coverage(region.box, hand)
        in_signature = _coverage(region.box, signature)
        if in_hand >= 0.4:
            label = 1
        elif in_hand < 0.05 and in_signature < 0.2:
            label = 0
        else:
            continue
        rows.append(row)
        labels.append(label)
    if not rows:
        return np.zeros((0, len(FEATURE_NAMES)), np.float32), np.zeros(0, int)
    return np.vstack(rows), np.asarray(labels)


def build_dataset(pages: list[Page]) -> tuple[np.ndarray, np.ndarray]:
    parts = [label_regions(p) for p in pages]
    return np.vstack([x for x, _ in parts]), np.concatenate([y for _, y in parts])


def fit(features: np.ndarray, labels: np.ndarray, seed: int) -> RandomForestClassifier:
    model = RandomForestClassifier(
        n_estimators=N_TREES, max_depth=14, min_samples_leaf=2, random_state=seed, n_jobs=1
    )
    with threadpool_limits(1):
        model.fit(features, labels)
    return model


def page_scores(model: Any, pages: list[Page], k: int) -> np.ndarray:
    scores = []
    for page in pages:
        _, features = page_region_features(np.asarray(page.image))
        probs = model.predict_proba(features)[:, 1] if len(features) else np.zeros(0)
        scores.append(page_score(probs, k))
    return np.asarray(scores)


def choose_operating_point(
    model: Any, pages: list[Page]
) -> tuple[int, float, dict[str, float]]:
    """The threshold on the K-th best region score, from the validation pages.

    K = 3: a printed page may carry one handwriting-like signature and a seal arc, never
    three hand-entered values. When the classes separate, the threshold sits 40 % of the
    way from the highest printed page to the lowest hand-filled one (closer to the
    printed side: the recall target is the harder); otherwise it minimises errors,
    a missed hand-filled page costing twice a false alarm.
    """
    truth = np.array([p.truth["handwritten"] for p in pages])
    scores = page_scores(model, pages, K)
    lowest_positive, highest_negative = float(scores[truth].min()), float(scores[~truth].max())
    if lowest_positive > highest_negative:
        threshold = highest_negative + 0.4 * (lowest_positive - highest_negative)
    else:
        grid = np.linspace(0.05, 0.95, 91)
        costs = [2 * np.sum((scores < t) & truth) + np.sum((scores >= t) & ~truth) for t in grid]
        threshold = float(grid[int(np.argmin(costs))])
    decided = scores >= threshold
    stamp = np.array([p.truth.get("source") == "no_mrz" for p in pages])
    return K, round(threshold, 4), {
        "validation_missed": int(np.sum(~decided & truth)),
        "validation_false_alarms": int(np.sum(decided & ~truth)),
        "validation_lowest_handfilled": round(lowest_positive, 4),
        "validation_highest_printed": round(highest_negative, 4),
        "validation_stamp_pages": int(stamp.sum()),
        "validation_highest_stamp_page": round(float(scores[stamp].max()), 4)
        if stamp.any() else None,
    }


def evaluate(model: Any, k: int, threshold: float, pages: list[Page]) -> dict[str, Any]:
    truth = np.array([p.truth["handwritten"] for p in pages])
    decided = page_scores(model, pages, k) >= threshold
    stamp = np.array([p.truth.get("source") == "no_mrz" for p in pages])
    tp = int(np.sum(decided & truth))
    fp = int(np.sum(decided & ~truth))
    fn = int(np.sum(~decided & truth))
    digest = hashlib.sha256(decided.astype(np.uint8).tobytes()).hexdigest()[:16]
    return {
        "pages": len(pages),
        "accuracy": round(float(np.mean(decided == truth)), 4),
        "recall": round(tp / max(1, tp + fn), 4),
        "precision": round(tp / max(1, tp + fp), 4),
        "stamp_pages": int(stamp.sum()),
        "stamp_pages_called_handfilled": int(np.sum(decided & stamp)),
        "decisions_sha256_16": digest,
    }


def train(
    *, seed: int = TRAIN_SEED, train_pages: int = TRAIN_PAGES, valid_pages: int = VALID_PAGES
) -> tuple[Any, dict[str, Any]]:
    """Generate, train, choose the operating point; return the model and its card."""
    features, labels = build_dataset(make_pages(seed, train_pages))
    model = fit(features, labels, seed)
    k, threshold, info = choose_operating_point(model, make_pages(VALID_SEED, valid_pages))
    card = {
        "model": "RandomForestClassifier on text-region features",
        "features": list(FEATURE_NAMES),
        "train_seed": seed,
        "train_pages": train_pages,
        "train_regions": len(labels),
        "train_handwritten_regions": int(labels.sum()),
        "valid_seed": VALID_SEED,
        "valid_pages": valid_pages,
        "k": k,
        "threshold": threshold,
        **info,
    }
    return model, card


def write_fingerprint(model: Any, pages: list[Page]) -> None:
    """Region features of a few evaluation pages and the model's probabilities on them:
    the unit tests check the committed model against these without regenerating pages
    (so a change in the page generator does not hide or fake a model change)."""
    features = np.vstack([page_region_features(np.asarray(p.image))[1] for p in pages])
    np.savez_compressed(
        FINGERPRINT_FILE, features=features, probabilities=model.predict_proba(features)[:, 1]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.train_handfilled", description=__doc__)
    parser.add_argument("--check", action="store_true", help="retrain in memory, compare card")
    parser.add_argument("--fingerprint-only", action="store_true",
                        help="rewrite fingerprint.npz from the committed model")
    args = parser.parse_args(argv)
    if args.fingerprint_only:
        write_fingerprint(joblib.load(MODEL_FILE), make_pages(EVAL_SEED, EVAL_FINGERPRINT))
        return 0
    started = time.time()
    model, card = train()
    card["eval_seed"] = EVAL_SEED
    eval_pages = make_pages(EVAL_SEED, EVAL_PAGES)
    card["eval"] = evaluate(model, card["k"], card["threshold"], eval_pages)
    print(json.dumps(card, indent=2))
    print(f"trained in {time.time() - started:.1f} s", file=sys.stderr)
    if args.check:
        committed = json.loads(CARD_FILE.read_text("utf-8"))
        same = committed.get("eval") == card["eval"] and committed.get("k") == card["k"]
        print("model card matches" if same else "model card DIFFERS", file=sys.stderr)
        return 0 if same else 1
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, MODEL_FILE, compress=3)
    card.update(provenance(MODEL_FILE))  # digest and library versions
    write_fingerprint(model, eval_pages[:EVAL_FINGERPRINT])
    CARD_FILE.write_text(json.dumps(card, indent=2) + "\n", "utf-8")
    print(f"wrote {MODEL_FILE} and {CARD_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
