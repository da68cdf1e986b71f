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
from threadpoolctl import threadpool_limits

from screening.errors import MissingDependencyError
from screening.model_integrity import verified_card

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
CELL_W = 16
CELL_H = 20
# Crop geometry, as fractions of the pitch (x) and of the character height (y). The
# margins let a little of each neighbour in, exactly as at training time.
HALF_WIDTH = 0.55
MARGIN_Y = 0.18
# OCR-B capitals are about as tall as the pitch (2.4-2.5 mm at 2.54 mm): the rows of a
# cell follow from the pitch, at run time and at training time alike.
CAP_PER_PITCH = 0.99

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

    ``line`` is a 2-D uint8 image (dark ink on light paper); ``centers`` the x-centres of
    the cells; ``top``/``bottom`` the character top and bottom rows (scalars or per
    cell). Returns float32 ``(n, CELL_H, CELL_W)`` with ink = 1, paper = 0.
    """
    n = len(centers)
    out = np.zeros((n, CELL_H, CELL_W), dtype=np.float32)
    if n == 0:
        return out
    pitch_arr = np.broadcast_to(np.asarray(pitch, dtype=np.float64), (n,))
    top_arr = np.broadcast_to(np.asarray(top, dtype=np.float64), (n,))
    bottom_arr = np.broadcast_to(np.asarray(bottom, dtype=np.float64), (n,))
    char_h = np.maximum(bottom_arr - top_arr, 2.0)
    x0 = np.round(np.asarray(centers) - HALF_WIDTH * pitch_arr).astype(int)
    x1 = np.round(np.asarray(centers) + HALF_WIDTH * pitch_arr).astype(int)
    y0 = np.round(top_arr - MARGIN_Y * char_h).astype(int)
    y1 = np.round(bottom_arr + MARGIN_Y * char_h).astype(int)
    # Replicate the border once so that every crop is in bounds.
    height, width = line.shape
    pad = int(max(0, -x0.min(), -y0.min(), x1.max() - width, y1.max() - height)) + 1
    img = cv2.copyMakeBorder(line, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    for i in range(n):
        if x1[i] - x0[i] < 2 or y1[i] - y0[i] < 2:
            continue
        patch = img[y0[i] + pad : y1[i] + pad, x0[i] + pad : x1[i] + pad]
        interp = cv2.INTER_AREA if patch.shape[1] > CELL_W else cv2.INTER_LINEAR
        out[i] = cv2.resize(patch, (CELL_W, CELL_H), interpolation=interp)
    # Contrast: per cell, paper = 97th and ink = 2nd percentile, ink -> 1, paper -> 0.
    flat = np.sort(out.reshape(n, -1), axis=1)
    size = flat.shape[1]
    paper = flat[:, int(0.97 * (size - 1))][:, None, None]
    ink = flat[:, int(0.02 * (size - 1))][:, None, None]
    span = np.maximum(paper - ink, 24.0)
    return np.clip((paper - out) / span, 0.0, 1.0).astype(np.float32)


def cell_features(cells: np.ndarray) -> np.ndarray:
    """Flatten normalised cells into the model's feature vectors."""
    return cells.reshape(len(cells), -1).astype(np.float32)


class OcrbClassifier:
    """The trained model plus the decoding of its probabilities into :class:`CharRead`.

    The forward pass of the (ReLU, softmax) MLP is done here in float32 on the model's
    own weights: for a few dozen cells that is several times faster than going through
    scikit-learn's generic code, with the same probabilities up to rounding.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        if list(model.classes_) != list(range(len(ALPHABET))):
            raise MissingDependencyError("OCR-B model has an unexpected class list")
        self._classes = np.array(list(ALPHABET))
        self._weights = [np.asarray(w, dtype=np.float32) for w in model.coefs_]
        self._biases = [np.asarray(b, dtype=np.float32) for b in model.intercepts_]

    def predict_proba(self, cells: np.ndarray) -> np.ndarray:
        if len(cells) == 0:
            return np.zeros((0, len(self._classes)), dtype=np.float32)
        act = cell_features(cells)
        last = len(self._weights) - 1
        for i, (w, b) in enumerate(zip(self._weights, self._biases, strict=True)):
            act = act @ w + b
            if i < last:
                np.maximum(act, 0.0, out=act)
        act -= act.max(axis=1, keepdims=True)
        np.exp(act, out=act)
        act /= act.sum(axis=1, keepdims=True)
        return act

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
    verified_card(path, what="OCR-B", rebuild="models.train_ocrb")  # before unpickling
    # Small matrices: BLAS threads only add overhead (and fight over shared cores).
    threadpool_limits(1, user_api="blas")
    return OcrbClassifier(joblib.load(path))
