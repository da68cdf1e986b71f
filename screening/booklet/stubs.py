"""Torn stubs at the fold of a spread.

A leaf torn out of a bound booklet leaves a narrow strip at the binding: paper lying on
one of the visible pages, a few millimetres wide, ending in a ragged edge that casts a
thin shadow. In the grey band around the fold that edge is a line of strong horizontal
gradient running the height of the page, roughly parallel to the fold, 1-14 mm from it,
jittering from row to row but never jumping. Background print, stamps and the fold's
own shading do not make such a line: the best continuous path through them is weak or
short.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from screening.booklet.geometry import PX_PER_MM

NEAR_MM, FAR_MM = 1.2, 14.0
STEP_PX = 2  # how far the path may move from one row to the next
MIN_STRONG_ROWS = 0.7  # fraction of rows where the path sits on a strong edge
MAX_WANDER_MM = 8.0  # how far the edge may move towards or away from the fold
MIN_CONTRAST = 3.6  # path edge strength / the band's typical edge strength


@dataclass(frozen=True, slots=True)
class StubEvidence:
    side: str  # left | right of the fold
    score: float  # contrast of the path against the band
    strong_rows: float
    distance_mm: tuple[float, float]  # nearest and farthest the edge comes to the fold

    @property
    def found(self) -> bool:
        near, far = self.distance_mm
        # A torn edge keeps to a strip near the fold; a path that wanders across the whole
        # band is following print, not paper.
        steady = far - near <= MAX_WANDER_MM and far < FAR_MM - 0.5
        return steady and self.strong_rows >= MIN_STRONG_ROWS and self.score >= MIN_CONTRAST


def _best_path(strength: np.ndarray) -> np.ndarray:
    """Column per row of the strongest path that moves at most STEP_PX per row."""
    h, w = strength.shape
    score = strength[0].astype(np.float64)
    back = np.zeros((h, w), np.int16)
    padded = np.full(w + 2 * STEP_PX, -np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * STEP_PX + 1)
    cols = np.arange(w)
    rows = strength.astype(np.float64)
    for y in range(1, h):
        padded[STEP_PX : STEP_PX + w] = score
        pick = windows.argmax(axis=1)  # the window of column c starts at c - STEP_PX
        score = windows.max(axis=1) + rows[y]
        back[y] = cols + pick - STEP_PX
    path = np.zeros(h, np.int32)
    path[-1] = int(np.argmax(score))
    for y in range(h - 1, 0, -1):
        path[y - 1] = back[y, path[y]]
    return path


def find_stub(band: np.ndarray) -> StubEvidence | None:
    """The best stub edge on either side of the fold (band centre), or None."""
    gray = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 1.0)
    gx = np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3))
    # Rows averaged in fours (0.5 mm): the path search is 4x shorter, the edge still clear.
    gx = cv2.resize(gx, (gx.shape[1], gx.shape[0] // 4), interpolation=cv2.INTER_AREA)
    h, w = gx.shape
    fold = w // 2
    near, far = int(NEAR_MM * PX_PER_MM), int(FAR_MM * PX_PER_MM)
    best: StubEvidence | None = None
    for side, cols in (
        ("right", slice(fold + near, fold + far)),
        ("left", slice(fold - far, fold - near)),
    ):
        part = gx[:, cols]
        typical = float(np.median(part)) + 1.0
        path = _best_path(part)
        along = part[np.arange(h), path]
        strong = float(np.mean(along > 3.0 * typical))
        score = float(np.median(along) / typical)
        offset = path + (cols.start - fold)
        dist = np.abs(offset) / PX_PER_MM
        lo, hi = np.percentile(dist, [3, 97])
        evidence = StubEvidence(
            side, round(score, 2), round(strong, 3), (round(float(lo), 1), round(float(hi), 1))
        )
        if best is None or (evidence.strong_rows, evidence.score) > (best.strong_rows, best.score):
            best = evidence
    return best
