"""Find the portrait on a page without a layout template.

The page is seen upright at :data:`LOCATOR_PX_PER_MM` (:mod:`screening.documents.upright`)
and cut into blocks (:mod:`screening.documents.portrait_blocks`). A first small network
gives each block the probability of lying inside a portrait; the best few portrait-sized
windows on that map (:mod:`screening.documents.portrait_windows`) are then scored by a
second network from the coarse layout inside each window and how it stands out from the
ring round it. Both are trained on pages of several independently written families
(``models/portrait``, :mod:`models.train_portrait`). There is no position prior: a
portrait anywhere on any design is found, or None when no window looks like one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from screening.documents.mlp import CompiledMlp, compile_mlp
from screening.documents.model_files import load_model_and_card
from screening.documents.portrait_blocks import (
    BlockMaps,
    block_maps,
    block_valid,
)
from screening.documents.portrait_windows import (
    PortraitWindow,
    WindowDescriber,
    candidate_windows,
)
from screening.documents.upright import Upright

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "portrait"
MODEL_FILE = MODEL_DIR / "model.joblib"
CANDIDATES = 24  # windows of stage one scored by stage two


@dataclass(frozen=True, slots=True)
class PortraitLocator:
    blocks: CompiledMlp  # block -> P(inside a portrait)
    windows: CompiledMlp  # window descriptor -> P(the window is the portrait)
    threshold: float  # stage-two probability under which no portrait is reported

    @classmethod
    def from_fitted(cls, models: dict[str, Any], card: dict[str, Any]) -> PortraitLocator:
        return cls(
            blocks=compile_mlp(models["blocks"]),
            windows=compile_mlp(models["windows"]),
            threshold=float(card["threshold"]),
        )

    def block_probabilities(self, maps: BlockMaps) -> np.ndarray:
        rows, cols, n = maps.features.shape
        return self.blocks.positive_proba(maps.features.reshape(-1, n)).reshape(rows, cols)

    def candidates(self, view: Upright) -> list[PortraitWindow]:
        """Stage-one windows, each with its stage-two probability in ``probability``."""
        maps = block_maps(view)
        valid = block_valid(view, maps.shape)
        prob = np.where(valid, self.block_probabilities(maps), 0.0)
        windows = candidate_windows(prob, view.px_per_mm, valid, count=CANDIDATES)
        if not windows:
            return []
        describer = WindowDescriber(maps, prob, view.px_per_mm)
        scores = self.windows.positive_proba(np.vstack([describer.describe(w) for w in windows]))
        return [w.with_probability(float(p)) for w, p in zip(windows, scores, strict=True)]


@cache
def load_locator(path: Path = MODEL_FILE) -> PortraitLocator:
    models, card = load_model_and_card(
        path, what="portrait locator", rebuild="models.train_portrait"
    )
    return PortraitLocator.from_fitted(models, card)


def locate_portrait(view: Upright, locator: PortraitLocator | None = None) -> PortraitWindow | None:
    """The portrait on ``view`` (at :data:`LOCATOR_PX_PER_MM`): the candidate window
    stage two likes best, or None when none reaches the locator's threshold."""
    locator = locator or load_locator()
    found = locator.candidates(view)
    if not found:
        return None
    best = max(found, key=lambda w: w.probability)
    return best if best.probability >= locator.threshold else None
