"""Our own OCR-B character reader: fixed-geometry cell crops classified by a small MLP.

The MRZ is printed in OCR-B at a fixed pitch, so once a line is segmented into cells
every cell holds exactly one glyph of a 37-letter alphabet. Each cell is cut with the
same geometry at run time and at training time (:func:`crop_cells`), normalised for
contrast, and resampled to ``CELL_H x CELL_W`` pixels; the model (trained by
``models/train_ocrb.py`` on glyphs we render ourselves) gives a probability per
character, from which we keep the best character, its confidence and the runner-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import joblib
import numpy as np

from screening.errors import MissingDependencyError

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
CELL_W = 16
CELL_H = 20
# Crop geometry, as fractions of the pitch (x) and of the character height (y). The
# margins let a little of each neighbour in, exactly as at training time.
HALF_WIDTH = 0.55
MARGIN_Y = 0.18

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "ocrb"
MODEL_FILE = MODEL_DIR / "ocrb_mlp.joblib"


@dataclass(frozen=True, slots=True)
class CharRead:
    """One classified cell: best character, its probability, and the runner-up."""

    char: str
    confidence: float
    runner_up: str
    runner_up_confidence: float


def crop_cells(
    line: np.ndarray,
    centers: np.ndarray,
    pitch: float | np.ndarray,
    top: float | np.ndarray,
    bottom: float | np.ndarray,
) -> np.ndarray:
    """Cut one normalised cell per character centre out of a grey line image.

    ``line`` is a 2-D uint8/float image (dark ink on light paper); ``centers`` the
    x-centres of the cells; ``top``/``bottom`` the character top and bottom rows (scalars
    or per cell). Returns float32 ``(n, CELL_H, CELL_W)`` with ink = 1, paper = 0.
    """
    img = line.astype(np.float32, copy=False)
    height, width = img.shape
    n = len(centers)
    pitch_arr = np.broadcast_to(np.asarray(pitch, dtype=np.float32), (n,))
    top_arr = np.broadcast_to(np.asarray(top, dtype=np.float32), (n,))
    bottom_arr = np.broadcast_to(np.asarray(bottom, dtype=np.float32), (n,))
    out = np.zeros((n, CELL_H, CELL_W), dtype=np.float32)
    for i in range(n):
        char_h = max(float(bottom_arr[i] - top_arr[i]), 2.0)
        x0 = round(centers[i] - HALF_WIDTH * pitch_arr[i])
        x1 = round(centers[i] + HALF_WIDTH * pitch_arr[i])
        y0 = round(top_arr[i] - MARGIN_Y * char_h)
        y1 = round(bottom_arr[i] + MARGIN_Y * char_h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        patch = np.full((y1 - y0, x1 - x0), np.nan, dtype=np.float32)
        sx0, sx1 = max(x0, 0), min(x1, width)
        sy0, sy1 = max(y0, 0), min(y1, height)
        if sx1 <= sx0 or sy1 <= sy0:
            continue
        patch[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = img[sy0:sy1, sx0:sx1]
        valid = patch[~np.isnan(patch)]
        paper = float(np.percentile(valid, 97))
        ink = float(np.percentile(valid, 2))
        patch = np.where(np.isnan(patch), paper, patch)
        span = max(paper - ink, 24.0)
        norm = np.clip((paper - patch) / span, 0.0, 1.0)
        interp = cv2.INTER_AREA if patch.shape[1] > CELL_W else cv2.INTER_LINEAR
        out[i] = cv2.resize(norm, (CELL_W, CELL_H), interpolation=interp)
    return out


def cell_features(cells: np.ndarray) -> np.ndarray:
    """Flatten normalised cells into the model's feature vectors."""
    return cells.reshape(len(cells), -1).astype(np.float32)


class OcrbClassifier:
    """The trained model plus the decoding of its probabilities into :class:`CharRead`."""

    def __init__(self, model: Any) -> None:
        self.model = model
        classes = [ALPHABET[int(c)] for c in model.classes_]
        self._classes = np.array(classes)

    def predict_proba(self, cells: np.ndarray) -> np.ndarray:
        if len(cells) == 0:
            return np.zeros((0, len(self._classes)), dtype=np.float32)
        return np.asarray(self.model.predict_proba(cell_features(cells)))

    def read(self, cells: np.ndarray) -> list[CharRead]:
        proba = self.predict_proba(cells)
        return decode(proba, self._classes)

    @property
    def classes(self) -> np.ndarray:
        return self._classes


def decode(proba: np.ndarray, classes: np.ndarray) -> list[CharRead]:
    if len(proba) == 0:
        return []
    order = np.argsort(-proba, axis=1)[:, :2]
    reads: list[CharRead] = []
    for row, (best, second) in zip(proba, order, strict=True):
        reads.append(
            CharRead(
                char=str(classes[best]),
                confidence=float(row[best]),
                runner_up=str(classes[second]),
                runner_up_confidence=float(row[second]),
            )
        )
    return reads


@cache
def load_classifier(path: Path = MODEL_FILE) -> OcrbClassifier:
    """Load the committed model once per process."""
    if not path.is_file():
        raise MissingDependencyError(
            f"OCR-B model file not found: {path}",
            hint="rebuild it with: .venv/bin/python -m models.train_ocrb",
        )
    return OcrbClassifier(joblib.load(path))
