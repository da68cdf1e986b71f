"""Train the hand-filled text-region classifier (seeded, reproducible).

    .venv/bin/python -m models.train_handfilled            # rebuild models/handfilled/
    .venv/bin/python -m models.train_handfilled --check    # retrain in memory, compare card
    .venv/bin/python -m models.train_handfilled --families house,atlas   # a subset

Pages: the ``documents`` plan of every available family (:mod:`models.document_pages`):
hand-filled legacy pages (positives) and the pages that must stay quiet — printed pages
without MRZ (stamp and visa pages, observations, typed legacy forms, signature pages) and
data pages with MRZ (the check runs on them when their MRZ is not found). Each page is cut
into text regions by :func:`screening.documents.features.page_region_features`, exactly as
at run time, and a region is labelled from the page's truth:

* handwritten — its centre lies in a hand-entered value box and the box covers most of it;
* printed — it lies on a page without hand-entered values, or far from every one of them,
  and outside the holder's signature;
* otherwise (signatures, half-overlaps, the loose boxes of a page turned by a phone) it is
  left out of training.

A page is hand-filled when its K-th best region, counting one region per text row
(:func:`screening.documents.legacy.page_score`), passes a threshold: the holder's
signature (however many pieces it falls into) and a seal arc alone must not make a
printed page hand-filled. K and the threshold are chosen on validation pages (other
seeds, the families trained on) and stored in the model card with the figures per
family, library versions and a hash of the decisions; tests compare the committed model
with that card.
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
from models.training_cli import compare_card, parse_training_args, save_model
from screening.documents.features import FEATURE_NAMES, TextRegion, page_region_features
from screening.documents.legacy import CARD_FILE, MODEL_DIR, MODEL_FILE, page_score

FINGERPRINT_FILE = MODEL_DIR / "fingerprint.npz"
N_TREES = 60
K_CHOICES = (2, 3, 4)
KINDS = ("handfilled", "printed_no_mrz", "genuine", "photo_substituted")
FALSE_ALARM_COST = 3  # misses one false hand-filled call is worth (see choose_operating_point)
MARGIN = 0.35  # the threshold sits this far from the highest other page towards the
#                lowest hand-filled one (closer to the printed side: recall is harder)


@dataclass(slots=True)
class PageRegions:
    family: str
    kind: str
    capture: str
    regions: list[TextRegion]
    features: np.ndarray
    hand: list[list[int]]  # hand-entered value boxes (input pixels)
    signatures: list[list[int]]

    @property
    def labels(self) -> np.ndarray:
        return label_regions(self.regions, self.hand, self.signatures)

    @property
    def handfilled(self) -> bool:
        return self.kind == "handfilled"


def _coverage(box: tuple[int, int, int, int], other: list[int]) -> float:
    x, y, w, h = box
    ox, oy, ow, oh = other
    ix = max(0, min(x + w, ox + ow) - max(x, ox))
    iy = max(0, min(y + h, oy + oh) - max(y, oy))
    return ix * iy / max(1, w * h)


def _near(box: tuple[int, int, int, int], others: list[list[int]], pad: float) -> bool:
    x, y, w, h = box
    for ox, oy, ow, oh in others:
        if (
            x < ox + ow + pad * oh
            and ox - pad * oh < x + w
            and y < oy + oh + pad * oh
            and oy - pad * oh < y + h
        ):
            return True
    return False


def label_regions(
    regions: list[TextRegion], hand: list[list[int]], signatures: list[list[int]]
) -> np.ndarray:
    """1 handwritten, 0 printed, -1 left out (see the module)."""
    labels = []
    for region in regions:
        x, y, w, h = region.box
        cx, cy = x + w / 2, y + h / 2
        covered = max((_coverage(region.box, b) for b in hand), default=0.0)
        centre_in = any(hx <= cx <= hx + hw and hy <= cy <= hy + hh for hx, hy, hw, hh in hand)
        if centre_in and covered >= 0.5:
            labels.append(1)
        elif covered < 0.15 and not _near(region.box, signatures, 0.3):
            labels.append(0)
        else:
            labels.append(-1)
    return np.asarray(labels, np.int8)


def page_regions(page: Page) -> PageRegions:
    regions, features = page_region_features(page.rgb)
    handwriting = page.truth.get("handwriting") or {}
    hand = handwriting.get("boxes") or []
    signatures = handwriting.get("signature_boxes") or []
    return PageRegions(
        family=page.family,
        kind=page.kind,
        capture=page.request.capture,
        regions=regions,
        features=features,
        hand=hand,
        signatures=signatures,
    )


def collect(families: list[str], n: int, seed: int) -> list[PageRegions]:
    return [page_regions(p) for f in families for p in pages(f, n, seed, kinds=KINDS)]


def dataset(items: list[PageRegions]) -> tuple[np.ndarray, np.ndarray]:
    labelled = [(p.features, p.labels) for p in items if len(p.regions)]
    rows = [f[lab >= 0] for f, lab in labelled]
    labels = [lab[lab >= 0] for _, lab in labelled]
    return np.vstack(rows), np.concatenate(labels).astype(int)


def fit(features: np.ndarray, labels: np.ndarray, seed: int) -> RandomForestClassifier:
    model = RandomForestClassifier(
        n_estimators=N_TREES,
        max_depth=14,
        min_samples_leaf=3,
        max_features=0.4,
        class_weight="balanced_subsample",
        random_state=seed,
        n_jobs=1,
    )
    with threadpool_limits(1):
        model.fit(features, labels)
    return model


def page_scores(model: Any, items: list[PageRegions], k: int) -> np.ndarray:
    out = []
    for p in items:
        if not p.regions:
            out.append(0.0)
            continue
        with threadpool_limits(1):
            probs = model.predict_proba(p.features)[:, 1]
        out.append(page_score(probs, [r.box_work for r in p.regions], k))
    return np.asarray(out)


def choose_operating_point(
    model: Any, items: list[PageRegions]
) -> tuple[int, float, dict[str, Any]]:
    """K and the threshold: the K that separates hand-filled pages from the others
    widest on validation; the threshold :data:`MARGIN` of the way across the gap (or,
    when they overlap, the cheapest, a false alarm costing :data:`FALSE_ALARM_COST`
    misses: it raises legacy-edition alerts on a genuine document; the middle of the
    cheapest run of thresholds)."""
    truth = np.array([p.handfilled for p in items])
    best: tuple[float, int, float, np.ndarray] | None = None
    for k in K_CHOICES:
        scores = page_scores(model, items, k)
        low, high = float(scores[truth].min()), float(scores[~truth].max())
        if low > high:
            threshold, gap = high + MARGIN * (low - high), low - high
        else:
            grid = np.linspace(0.05, 0.95, 91)
            costs = np.array(
                [
                    np.sum((scores < t) & truth) + FALSE_ALARM_COST * np.sum((scores >= t) & ~truth)
                    for t in grid
                ]
            )
            cheapest = np.flatnonzero(costs == costs.min())
            threshold = float(grid[cheapest[len(cheapest) // 2]])
            gap = -float(costs.min())
        if best is None or gap > best[0]:
            best = (gap, k, threshold, scores)
    assert best is not None
    gap, k, threshold, scores = best
    return (
        k,
        round(threshold, 4),
        {
            "validation_gap": round(gap, 4),
            "validation_lowest_handfilled": round(float(scores[truth].min()), 4),
            "validation_highest_other": round(float(scores[~truth].max()), 4),
        },
    )


def figures(model: Any, k: int, threshold: float, items: list[PageRegions]) -> dict[str, Any]:
    decided = page_scores(model, items, k) >= threshold
    per: dict[str, dict[str, int]] = {}
    for p, d in zip(items, decided, strict=True):
        stats = per.setdefault(
            p.family, {"handfilled": 0, "caught": 0, "other": 0, "other_flagged": 0}
        )
        if p.handfilled:
            stats["handfilled"] += 1
            stats["caught"] += int(d)
        else:
            stats["other"] += 1
            stats["other_flagged"] += int(d)
    digest = hashlib.sha256(decided.astype(np.uint8).tobytes()).hexdigest()[:16]
    return {"per_family": per, "decisions_sha256_16": digest}


def train(
    families: list[str],
    *,
    seed: int = TRAIN_SEED,
    n: int = TRAIN_REQUESTS,
    valid_families: list[str] | None = None,
) -> tuple[Any, dict[str, Any], list[PageRegions]]:
    items = collect(families, n, seed)
    features, labels = dataset(items)
    model = fit(features, labels, seed)
    valid_families = valid_families or families
    valid = collect(valid_families, VALID_REQUESTS, VALID_SEED)
    k, threshold, info = choose_operating_point(model, valid)
    card = {
        "model": "RandomForestClassifier on text-region features",
        "features": list(FEATURE_NAMES),
        "train_families": families,
        "train_seed": seed,
        "train_requests_per_family": n,
        "train_pages": len(items),
        "train_regions": len(labels),
        "train_handwritten_regions": int(labels.sum()),
        "valid_families": valid_families,
        "valid_seed": VALID_SEED,
        "valid_requests_per_family": VALID_REQUESTS,
        "k": k,
        "threshold": threshold,
        **info,
        "validation": figures(model, k, threshold, valid),
        "library_versions": library_versions(),
    }
    return model, card, valid


def write_fingerprint(model: Any, items: list[PageRegions]) -> None:
    """Region features of a few validation pages and the model's probabilities on them:
    the unit tests check the committed model against these without drawing pages."""
    rows = np.vstack([p.features for p in items if len(p.regions)][:6])
    np.savez_compressed(
        FINGERPRINT_FILE, features=rows, probabilities=model.predict_proba(rows)[:, 1]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_training_args("python -m models.train_handfilled", __doc__, argv)
    families = args.families
    started = time.time()
    model, card, valid = train(families)
    print(json.dumps(card, indent=2))
    print(f"trained in {time.time() - started:.1f} s", file=sys.stderr)
    if args.check:
        return compare_card(CARD_FILE, card, ("validation", "k", "threshold"))
    save_model(model, card, MODEL_FILE, CARD_FILE)
    write_fingerprint(model, valid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
