"""Candidate portrait windows on a page's block map, and what each window shows.

Stage one (:func:`candidate_windows`): windows of a portrait's size and proportions whose
blocks score high while the ring round them scores low, the best few, not overlapping.
Stage two (:func:`window_descriptor`): for each candidate, the layout inside it on a
coarse grid — where it is dark, light, smooth or full of fine strokes, and how alike its
left and right halves are — and how it stands out from the ring round it. A
head-and-shoulders picture has the same coarse layout whoever drew it (hair above, a
face in the middle, shoulders across the bottom, a backdrop in the top corners); the
locator's second model (:mod:`screening.documents.portrait`) scores that.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from screening.documents.portrait_blocks import BLOCK, BlockMaps

# Portrait heights and width/height ratios searched (mm; ICAO portraits are 32-45 mm
# high on passports, 25-35 mm on cards; ovals and cropped prints are a little wider).
HEIGHTS_MM = (14.0, 62.0)
ASPECTS = (0.64, 0.76, 0.88, 1.0)
RING = 0.25  # the ring round a window, as a share of its height
CELL_ROWS, CELL_COLS = 5, 4
DESCRIPTOR_MAPS = ("grey", "fine", "prob", "dark")


@dataclass(frozen=True, slots=True)
class PortraitWindow:
    box: tuple[float, float, float, float]  # upright pixels of the view
    score: float  # mean block probability inside minus in the ring round it
    inside: float
    probability: float = 0.0  # stage two: P(this window is the portrait)

    def with_probability(self, probability: float) -> PortraitWindow:
        return replace(self, probability=probability)

    def to_dict(self) -> dict[str, Any]:
        return {"probability": round(self.probability, 3), "score": round(self.score, 3)}


def _window_sums(
    integral: np.ndarray, origin: int, hb: int, wb: int, n_i: int, n_j: int
) -> np.ndarray:
    """Sums of the hb x wb windows whose top-left corners are (origin + i, origin + j),
    i < n_i, j < n_j, of the (padded) map whose integral image is ``integral``."""
    o = origin
    return (
        integral[o + hb : o + hb + n_i, o + wb : o + wb + n_j]
        - integral[o : o + n_i, o + wb : o + wb + n_j]
        - integral[o + hb : o + hb + n_i, o : o + n_j]
        + integral[o : o + n_i, o : o + n_j]
    )


def candidate_windows(
    prob: np.ndarray, px_per_mm: float, valid: np.ndarray | None = None, *, count: int = 1
) -> list[PortraitWindow]:
    """The ``count`` best portrait-sized windows by inside-minus-ring score, no two
    overlapping by more than half (IoU).

    The ring is the window grown by :data:`RING` of its height on every side; only its
    part on the page counts (``valid`` blocks).
    """
    rows, cols = prob.shape
    mm_per_block = BLOCK / px_per_mm
    lo, hi = (max(4, round(v / mm_per_block)) for v in HEIGHTS_MM)
    hi = min(hi, rows)
    if lo > hi:
        return []
    pad = max(2, round(RING * hi)) + 1
    on_page = np.ones_like(prob) if valid is None else valid.astype(np.float64)
    ip, iv = _integral(np.pad(prob * on_page, pad)), _integral(np.pad(on_page, pad))
    per_shape = 4
    pool: list[tuple[float, int, int, int, int, float]] = []
    for hb in range(lo, hi + 1, 1 if hi - lo < 12 else 3):
        ring = max(2, round(RING * hb))
        for aspect in ASPECTS:
            wb = max(3, round(hb * aspect))
            if wb > cols:
                continue
            n_i, n_j = rows - hb + 1, cols - wb + 1
            inner = _window_sums(ip, pad, hb, wb, n_i, n_j)
            inner_n = _window_sums(iv, pad, hb, wb, n_i, n_j)
            grown = _window_sums(ip, pad - ring, hb + 2 * ring, wb + 2 * ring, n_i, n_j)
            grown_n = _window_sums(iv, pad - ring, hb + 2 * ring, wb + 2 * ring, n_i, n_j)
            mean_in = inner / np.maximum(inner_n, 1.0)
            mean_ring = (grown - inner) / np.maximum(grown_n - inner_n, 1.0)
            # A window mostly off the page is no portrait.
            score = np.where(inner_n >= 0.8 * hb * wb, mean_in - mean_ring, -1.0).ravel()
            top = np.argpartition(-score, min(per_shape, score.size - 1))[:per_shape]
            for k in top:
                bi, bj = divmod(int(k), n_j)
                pool.append((float(score[k]), bi, bj, hb, wb, float(mean_in[bi, bj])))
    pool.sort(key=lambda item: -item[0])
    chosen: list[PortraitWindow] = []
    kept = np.zeros((0, 4))
    for value, bi, bj, hb, wb, inside in pool:
        box = np.array([bj, bi, wb, hb], np.float64) * BLOCK
        if len(kept):
            ix = np.clip(
                np.minimum(kept[:, 0] + kept[:, 2], box[0] + box[2])
                - np.maximum(kept[:, 0], box[0]),
                0,
                None,
            )
            iy = np.clip(
                np.minimum(kept[:, 1] + kept[:, 3], box[1] + box[3])
                - np.maximum(kept[:, 1], box[1]),
                0,
                None,
            )
            inter = ix * iy
            union = kept[:, 2] * kept[:, 3] + box[2] * box[3] - inter
            if np.any(inter > 0.5 * union):
                continue
        kept = np.vstack([kept, box])
        chosen.append(PortraitWindow(box=tuple(float(v) for v in box), score=value, inside=inside))  # type: ignore[arg-type]
        if len(chosen) >= count:
            break
    return chosen


def best_window(
    prob: np.ndarray, px_per_mm: float, valid: np.ndarray | None = None
) -> PortraitWindow | None:
    """The portrait-sized window with the highest inside-minus-ring score."""
    found = candidate_windows(prob, px_per_mm, valid, count=1)
    return found[0] if found else None


def _integral(img: np.ndarray) -> np.ndarray:
    out = np.zeros((img.shape[0] + 1, img.shape[1] + 1))
    out[1:, 1:] = img.cumsum(0).cumsum(1)
    return out


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / max(1e-6, aw * ah + bw * bh - inter)


def _cell_edges(start: float, length: float, count: int, limit: int) -> np.ndarray:
    edges = np.round(start + length * np.arange(count + 1) / count).astype(int)
    edges = np.clip(edges, 0, limit)
    for i in range(1, len(edges)):  # every cell at least one block
        edges[i] = max(edges[i], min(limit, edges[i - 1] + 1))
    return edges


def _cell_means(integral: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    r0, r1 = rows[:-1, None], rows[1:, None]
    c0, c1 = cols[None, :-1], cols[None, 1:]
    sums = integral[r1, c1] - integral[r0, c1] - integral[r1, c0] + integral[r0, c0]
    return sums / np.maximum((r1 - r0) * (c1 - c0), 1)


def _region_mean(integral: np.ndarray, r0: int, r1: int, c0: int, c1: int) -> float:
    area = max(1, (r1 - r0) * (c1 - c0))
    return float(integral[r1, c1] - integral[r0, c1] - integral[r1, c0] + integral[r0, c0]) / area


DESCRIPTOR_NAMES = (
    *(f"{name}_{r}_{c}" for name in DESCRIPTOR_MAPS for r in range(CELL_ROWS)
      for c in range(CELL_COLS)),
    "prob_in", "prob_ring", "fine_in", "fine_ring", "grey_ring", "grey_spread", "dark_in",
    "sat_in", "skin_in", "stage_one", "height_mm", "aspect", "mirror",
)  # fmt: skip


class WindowDescriber:
    """Integral images of a page's block maps, to describe many windows cheaply."""

    def __init__(self, maps: BlockMaps, prob: np.ndarray, px_per_mm: float) -> None:
        self.maps = maps
        self.px_per_mm = px_per_mm
        layers = dict(maps.means)
        layers["prob"] = prob
        self.integrals = {name: _integral(layer) for name, layer in layers.items()}
        self.shape = prob.shape

    def describe(self, window: PortraitWindow) -> np.ndarray:
        rows, cols = self.shape
        x, y, w, h = (v / BLOCK for v in window.box)
        r_edges = _cell_edges(y, h, CELL_ROWS, rows)
        c_edges = _cell_edges(x, w, CELL_COLS, cols)
        cells = {
            name: _cell_means(self.integrals[name], r_edges, c_edges) for name in DESCRIPTOR_MAPS
        }
        grey = cells["grey"]
        spread = float(grey.std())
        cells["grey"] = (grey - grey.mean()) / (spread + 0.03)
        cells["fine"] = np.log1p(cells["fine"] / self.maps.fine_median)
        r0, r1, c0, c1 = int(r_edges[0]), int(r_edges[-1]), int(c_edges[0]), int(c_edges[-1])
        ring = max(1, round(RING * (r1 - r0)))
        g0, g1 = max(0, r0 - ring), min(rows, r1 + ring)
        h0, h1 = max(0, c0 - ring), min(cols, c1 + ring)

        def inside(name: str) -> float:
            return _region_mean(self.integrals[name], r0, r1, c0, c1)

        def around(name: str) -> float:
            grown = _region_mean(self.integrals[name], g0, g1, h0, h1) * (g1 - g0) * (h1 - h0)
            inner = inside(name) * (r1 - r0) * (c1 - c0)
            return (grown - inner) / max(1, (g1 - g0) * (h1 - h0) - (r1 - r0) * (c1 - c0))

        mirror = np.corrcoef(cells["grey"].ravel(), cells["grey"][:, ::-1].ravel())[0, 1]
        extra = [
            inside("prob"), around("prob"),
            np.log1p(inside("fine") / self.maps.fine_median),
            np.log1p(around("fine") / self.maps.fine_median),
            around("grey") - inside("grey"), spread, inside("dark"), inside("sat"),
            inside("skin"), window.score, window.box[3] / self.px_per_mm,
            window.box[2] / max(1.0, window.box[3]),
            0.0 if not np.isfinite(mirror) else float(mirror),
        ]  # fmt: skip
        return np.concatenate(
            [cells[name].ravel() for name in DESCRIPTOR_MAPS] + [np.asarray(extra)]
        ).astype(np.float32)
