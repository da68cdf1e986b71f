"""Torn stubs at the fold of a spread.

A leaf torn out of a bound booklet leaves a narrow strip at the binding: paper lying on
one of the visible pages, a few millimetres wide, ending in a ragged edge that casts a
thin shadow. In the grey band around the fold that edge is a line of strong horizontal
gradient running the height of the page, roughly parallel to the fold, 1-14 mm from it,
jittering from row to row but never jumping. Background print, stamps and the fold's
own shading do not make such a line: the best continuous path through them is weak or
short.

What else makes such a line, and how it is told apart (a stub is a strip of paper of its
own, on one side of one fold):

- the fold's own shoulder, where the gutter shadow meets the page: the path then hugs the
  inner limit of the search (a stub narrower than that cannot be told from the gutter);
- a line of the page design (a frame, a border rule) printed at the inner margin: it is
  straight and stands on both pages of the spread at the same distance from the fold;
- the binding of the booklet itself (stitching, a glued strip, a fold of another cut):
  it repeats on most spreads of the booklet at the same distance (see
  :func:`repeated_edges`), where a torn-out leaf leaves one stub.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from screening.booklet.geometry import PX_PER_MM

NEAR_MM, FAR_MM = 1.2, 14.0
STEP_PX = 2  # how far the path may move from one row to the next
MIN_STRONG_ROWS = 0.7  # fraction of rows where the path sits on a strong edge
MAX_WANDER_MM = 8.0  # how far the edge may move towards or away from the fold
MIN_CONTRAST = 3.6  # path edge strength / the band's typical edge strength
RIDGE_MM = 0.6  # an edge is the strongest within this distance across (see _ridge_rows)
MIN_RIDGE_ROWS = 0.5
RIDGE_TOLERANCE = 0.9  # a ragged edge is jittered crest, not an exact one
STRAIGHT_MM = 2.0  # a printed line wanders less than this (a torn edge jitters more)
MIRROR_MM = 1.0  # the same line on both pages: median distances this close
REPEAT_MM = 2.0  # the same edge on several spreads: median distances this close


@dataclass(frozen=True, slots=True)
class StubEvidence:
    side: str  # left | right of the fold
    score: float  # contrast of the path against the band
    strong_rows: float
    distance_mm: tuple[float, float]  # nearest and farthest the edge comes to the fold
    mirrored: bool = False  # the other page shows the same straight line (see stub_sides)
    ridge_rows: float = 1.0  # fraction of rows where the path is a crest, not a ramp

    @property
    def middle_mm(self) -> float:
        return (self.distance_mm[0] + self.distance_mm[1]) / 2

    @property
    def steady(self) -> bool:
        # A torn edge keeps to a strip near the fold; a path that wanders across the whole
        # band is following print, not paper.
        near, far = self.distance_mm
        return far - near <= MAX_WANDER_MM and far < FAR_MM - 0.5

    @property
    def straight(self) -> bool:
        return self.distance_mm[1] - self.distance_mm[0] < STRAIGHT_MM

    @property
    def edge(self) -> bool:
        """A strong steady edge, whatever made it."""
        return self.steady and self.strong_rows >= MIN_STRONG_ROWS and self.score >= MIN_CONTRAST

    @property
    def found(self) -> bool:
        """An edge that is a stub's: off the fold's shoulder and on one page only."""
        off_shoulder = self.ridge_rows >= MIN_RIDGE_ROWS
        return self.edge and off_shoulder and not self.mirrored


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
    sides = stub_sides(band)
    return max(sides, key=lambda e: (e.found, e.strong_rows, e.score)) if sides else None


def stub_sides(band: np.ndarray) -> list[StubEvidence]:
    """The best edge path on each side of the fold (band centre): right, then left."""
    gray = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 1.0)
    gx = np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3))
    # Rows averaged in fours (0.5 mm): the path search is 4x shorter, the edge still clear.
    gx = cv2.resize(gx, (gx.shape[1], gx.shape[0] // 4), interpolation=cv2.INTER_AREA)
    h, w = gx.shape
    fold = w // 2
    near, far = int(NEAR_MM * PX_PER_MM), int(FAR_MM * PX_PER_MM)
    out: list[StubEvidence] = []
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
        ridge = _ridge_rows(gx, path + cols.start)
        out.append(
            StubEvidence(
                side,
                round(score, 2),
                round(strong, 3),
                (round(float(lo), 1), round(float(hi), 1)),
                ridge_rows=round(ridge, 3),
            )
        )
    return _mark_mirrors(out)


def _ridge_rows(gx: np.ndarray, columns: np.ndarray) -> float:
    """Fraction of rows where the path sits on a crest of edge strength: nothing within
    RIDGE_MM across is stronger, the fold's side included. The gutter's shading ramps up
    towards the fold, so a path pressed against the search's inner limit is no crest
    there; a paper edge is one, however near the fold it lies."""
    reach = round(RIDGE_MM * PX_PER_MM)
    padded = np.pad(gx, ((0, 0), (reach, reach)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1, axis=1)
    rows = np.arange(gx.shape[0])
    crest = windows[rows, columns].max(axis=1)
    return float(np.mean(gx[rows, columns] >= RIDGE_TOLERANCE * crest))


def _mark_mirrors(sides: list[StubEvidence]) -> list[StubEvidence]:
    """A straight line on both pages at the same distance from the fold is print."""
    if len(sides) != 2:
        return sides
    a, b = sides
    mirrored = (
        a.straight
        and b.straight
        and a.strong_rows >= MIN_STRONG_ROWS / 2
        and b.strong_rows >= MIN_STRONG_ROWS / 2
        and abs(a.middle_mm - b.middle_mm) <= MIRROR_MM
    )
    return [replace(e, mirrored=mirrored) for e in sides]


def repeated_edges(found: list[StubEvidence | None], min_count: int = 3) -> set[int]:
    """Indices of stubs that are the booklet's binding, not torn leaves: an edge at the same
    distance from the fold (within REPEAT_MM) on at least ``min_count`` spreads and on
    more than half of them. A torn-out leaf leaves one stub; a booklet with several torn
    leaves would still show stubs at different distances."""
    spreads = len(found)
    seen = [(i, e.middle_mm) for i, e in enumerate(found) if e is not None and e.found]
    out: set[int] = set()
    for i, middle in seen:
        near = [j for j, other in seen if abs(other - middle) <= REPEAT_MM]
        if len(near) >= min_count and len(near) * 2 > spreads:
            out.add(i)
    return out
