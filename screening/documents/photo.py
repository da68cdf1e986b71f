"""Photo substitution: signs that the photograph on a data page was replaced.

The portrait is found without a template (:mod:`screening.documents.portrait`) on the
page brought upright (:mod:`screening.documents.upright`), seen close up
(:mod:`screening.documents.photo_crop`), and measured for the signs an examiner checks,
each comparing the photo with the page round it so that the capture cancels:

* seal continuity across the border (:mod:`screening.documents.photo_seal`);
* the border itself: a cut edge, a shadow, a tilt against the page, the page's
  guilloche stopping at the border (:mod:`screening.documents.photo_crop`);
* print texture inside against the page (:mod:`screening.documents.photo_texture`);
* the ghost portrait against the main one (:mod:`screening.documents.photo_ghost`).

A random forest (``models/photo_substitution``, :mod:`models.train_photo`, trained on
genuine and substituted pages of several independently written families, genuine pages
in all their variety: ink and dry seals over the photo, feathered and crisp portraits,
guilloche through the photo, ghost images) turns the measurements into a score.
:func:`photo_findings` emits ``PHOTO_SUBSTITUTION_SUSPECTED`` with the region, the signs
that fired — the groups of measurements without which the score would fall back under
the threshold — in plain words, and the examiner's checklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from screening.documents.forest import CompiledForest, compile_forest
from screening.documents.model_files import load_model_and_card
from screening.documents.photo_crop import (
    PhotoCrop,
    edge_features,
    guilloche_features,
    photo_crop,
    tilt_features,
)
from screening.documents.photo_ghost import GHOST_FEATURES, ghost_features
from screening.documents.photo_seal import SEAL_FEATURES, seal_features
from screening.documents.photo_texture import TEXTURE_FEATURES, texture_features
from screening.documents.portrait_windows import PortraitWindow
from screening.documents.registry import Registry, load_registry
from screening.documents.upright import Upright
from screening.findings import Finding, make_finding

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "photo_substitution"
MODEL_FILE = MODEL_DIR / "model.joblib"
CARD_FILE = MODEL_DIR / "model_card.json"

EDGE_FEATURES = (
    "edge_line_mean",
    "edge_line_max",
    "edge_line_sign",
    "edge_step_mean",
    "edge_shadow",
    "edge_line_coverage",
    "edge_line_coverage_min",
)
TILT_FEATURES = ("tilt_deg", "tilt_spread", "tilt_max_side", "edge_strength_max")
GUILLOCHE_FEATURES = ("guilloche_ratio", "guilloche_ratio_min", "guilloche_continuity")
LOCATOR_FEATURES = ("portrait_probability", "portrait_height_mm", "snapped_sides")
FEATURE_NAMES = (
    SEAL_FEATURES + EDGE_FEATURES + TILT_FEATURES + GUILLOCHE_FEATURES + TEXTURE_FEATURES
    + GHOST_FEATURES + LOCATOR_FEATURES
)  # fmt: skip
# The signs an officer is told about, each a group of measurements.
SIGN_GROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "seal_broken": (
        SEAL_FEATURES,
        "the seal on the page does not continue onto the photo as it should (missing, or "
        "re-applied off its ring)",
    ),
    "glued_print": (
        EDGE_FEATURES + TILT_FEATURES + GUILLOCHE_FEATURES,
        "the photo's border looks like a separate print glued on (cut edge, shadow, tilt, "
        "or the page's background pattern stopping at the border)",
    ),
    "texture": (TEXTURE_FEATURES, "the photo's print texture differs from the page's"),
    "ghost_mismatch": (
        GHOST_FEATURES,
        "the ghost image on the page does not show the same face as the photo",
    ),
}


def photo_features(
    rgb: np.ndarray, view: Upright, window: PortraitWindow
) -> tuple[np.ndarray, PhotoCrop]:
    """The feature vector (order :data:`FEATURE_NAMES`) of the portrait ``window`` of
    ``view`` (the upright page) in ``rgb`` (the input image), and its close-up."""
    crop = photo_crop(rgb, view, window.box)
    values = (
        seal_features(crop) + edge_features(crop) + tilt_features(crop)
        + guilloche_features(crop) + texture_features(rgb, crop)
        + ghost_features(view, window.box)
        + [window.probability, window.box[3] / view.px_per_mm,
           float(np.sum(np.asarray(crop.snapped) > 2.0))]
    )  # fmt: skip
    return np.asarray(values, dtype=np.float32), crop


@dataclass(frozen=True, slots=True)
class PhotoModel:
    forest: CompiledForest
    threshold: float
    genuine_medians: np.ndarray  # per feature, over genuine training pages

    @classmethod
    def from_fitted(cls, classifier: Any, card: dict[str, Any]) -> PhotoModel:
        return cls(
            forest=compile_forest(classifier),
            threshold=float(card["threshold"]),
            genuine_medians=np.asarray(card["genuine_medians"], np.float32),
        )

    def score(self, features: np.ndarray) -> float:
        return float(self.forest.positive_proba(features[None, :])[0])

    def signs(self, features: np.ndarray) -> list[str]:
        """The sign groups without which the score falls back under the threshold (or,
        when no single group does that, the one whose removal lowers it most)."""
        base = self.score(features)
        drops: dict[str, float] = {}
        for sign, (names, _) in SIGN_GROUPS.items():
            neutral = features.copy()
            index = [FEATURE_NAMES.index(n) for n in names]
            neutral[index] = self.genuine_medians[index]
            drops[sign] = base - self.score(neutral)
        decisive = [s for s, d in drops.items() if base - d < self.threshold]
        if decisive:
            return decisive
        best = max(drops, key=lambda s: drops[s])
        return [best] if drops[best] > 0 else []


@cache
def load_model(path: Path = MODEL_FILE) -> PhotoModel:
    classifier, card = load_model_and_card(
        path, what="photo-substitution", rebuild="models.train_photo"
    )
    return PhotoModel.from_fitted(classifier, card)


@dataclass(frozen=True, slots=True)
class PhotoAssessment:
    region: tuple[int, int, int, int]  # the portrait in input-image pixels
    score: float
    threshold: float
    signs: tuple[str, ...]
    portrait_probability: float

    @property
    def suspected(self) -> bool:
        return self.score >= self.threshold

    def sign_words(self) -> list[str]:
        return [SIGN_GROUPS[s][1] for s in self.signs]

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": True,
            "region": list(self.region),
            "score": round(self.score, 3),
            "threshold": self.threshold,
            "suspected": self.suspected,
            "signs": list(self.signs) if self.suspected else [],
            "portrait_probability": round(self.portrait_probability, 3),
        }


def _within(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """``box`` (x, y, w, h) clipped to an image of ``shape``: a portrait at the image's
    border is reported on the image (the close-up's side may snap to the border itself)."""
    x, y, w, h = box
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(shape[1], x + w), min(shape[0], y + h)
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def assess_photo(
    rgb: np.ndarray, view: Upright, window: PortraitWindow, *, model: PhotoModel | None = None
) -> PhotoAssessment:
    """Score the portrait ``window`` of ``view`` for signs of substitution."""
    model = model or load_model()
    features, crop = photo_features(rgb, view, window)
    score = model.score(features)
    signs = tuple(model.signs(features)) if score >= model.threshold else ()
    region = crop.view.box_to_input(tuple(float(v) for v in crop.box))  # type: ignore[arg-type]
    return PhotoAssessment(
        region=_within(region, rgb.shape),
        score=score,
        threshold=model.threshold,
        signs=signs,
        portrait_probability=window.probability,
    )


def photo_box_from_mrz(
    rgb: np.ndarray, mrz_box: tuple[int, int, int, int], fmt: str
) -> tuple[int, int, int, int] | None:
    """Where the portrait is (input pixels), found by the locator on the page brought
    upright from an upright MRZ's text box (the web station outlines it); None when no
    portrait is found."""
    from screening.documents.stage import find_portrait
    from screening.documents.upright import geometry_from_mrz_box

    geometry = geometry_from_mrz_box(mrz_box, fmt)
    found = find_portrait(rgb, geometry, None) if geometry is not None else None
    if found is None:
        return None
    view, window = found
    return view.box_to_input(window.box)


def photo_findings(
    assessment: PhotoAssessment, *, registry: Registry | None = None
) -> list[Finding]:
    """``PHOTO_SUBSTITUTION_SUSPECTED`` with the region, when the score passes the threshold."""
    if not assessment.suspected:
        return []
    registry = registry or load_registry()
    words = assessment.sign_words() or ["the photo differs from the page around it"]
    return [
        make_finding(
            "PHOTO_SUBSTITUTION_SUSPECTED",
            "The photograph may have been replaced: " + "; ".join(words) + ".",
            region=assessment.region,
            score=round(assessment.score, 3),
            threshold=assessment.threshold,
            signs=list(assessment.signs),
            sign_words=words,
            checklist=list(registry.checklists["photo"]),
        )
    ]
