"""Find ink stamps on a page and describe them: where, what shape, what ink.

A stamp is ink that is clearly darker or more coloured than the paper around it, in a
compact blob some 12-60 mm across. The paper (with its light background print) is
estimated by a morphological closing; ink is what falls well below it or departs from
its colour. Ink is grown from strong seeds into weaker neighbours (a faded impression
keeps its faint parts), blobs are joined at stamp scale, and printed text (page numbers,
titles, notes: neutral ink in thin rows, no outline) is set aside.

Shape comes from the blob's convex hull: a round or oval impression fills ~79% of its
bounding rotated rectangle and has no corners; a rectangle fills nearly all of it; a
triangle fills about half of it and three corners carry its hull.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from screening.booklet.geometry import PX_PER_MM

STAMP_MM = (12.0, 70.0)
JOIN_MM = 2.5
SEED_DELTA = 55  # ink strength (darker + colour distance from the paper) of sure ink
GROW_DELTA = 30  # ink next to sure ink (background print at half resolution stays below ~27)
MIN_INK_FRACTION = 0.04
INK_NAMES = {  # Lab hue angle (degrees) of named inks; neutral below MIN_CHROMA
    "red": 35.0,
    "green": 150.0,
    "blue": 275.0,
    "violet": 315.0,
}
MIN_CHROMA = 9.0
HUE_BINS = 36
HUE_MERGE = 40.0

TWIN_IOU = 0.8  # boxes this alike are one stamp seen in two ink classes


@dataclass(slots=True)
class StampBlob:
    box: tuple[int, int, int, int]  # page pixels
    mask: np.ndarray  # ink mask inside box (uint8 0/1)
    shape: str  # round | oval | rectangle | triangle | unknown
    colour: str
    chroma: float
    fill: float  # ink fraction of the box
    outlined: bool

    def region_mm(self) -> list[float]:
        return [round(v / PX_PER_MM, 1) for v in self.box]


def ink_layers(bgr: np.ndarray, *, px_per_mm: float = PX_PER_MM) -> tuple[np.ndarray, np.ndarray]:
    """Ink strength (0-255-ish) of every pixel against the local paper, and the Lab image."""
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(np.int16)
    k = int(4 * px_per_mm) | 1
    paper = cv2.morphologyEx(bgr, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    paper = cv2.medianBlur(paper, 5)
    paper_lab = cv2.cvtColor(paper, cv2.COLOR_BGR2LAB).astype(np.int16)
    darker = np.clip(paper_lab[..., 0] - lab[..., 0], 0, None)
    colour = np.abs(lab[..., 1] - paper_lab[..., 1]) + np.abs(lab[..., 2] - paper_lab[..., 2])
    strength = darker + colour
    return strength.astype(np.float32), lab


def _grow(strength: np.ndarray, *, px_per_mm: float = PX_PER_MM) -> np.ndarray:
    seeds = (strength > SEED_DELTA).astype(np.uint8)
    weak = (strength > GROW_DELTA).astype(np.uint8)
    near = cv2.dilate(seeds, np.ones((int(2 * px_per_mm),) * 2, np.uint8))
    return (seeds | (weak & near)).astype(np.uint8)


def _shape(mask: np.ndarray) -> tuple[str, bool]:
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return "unknown", False
    points = np.concatenate(contours)
    hull = cv2.convexHull(points)
    area = cv2.contourArea(hull)
    if area < 1:
        return "unknown", False
    (_c, (rw, rh), _a) = cv2.minAreaRect(hull)
    rect_fill = area / max(rw * rh, 1.0)
    tri_area, _tri = cv2.minEnclosingTriangle(hull.astype(np.float32))
    tri_fill = area / max(float(tri_area), 1.0)
    perimeter = cv2.arcLength(hull, True)
    # An outline: ink along most of the hull's boundary.
    ring = np.zeros_like(mask)
    cv2.drawContours(ring, [hull], -1, 1, thickness=max(3, int(0.6 * PX_PER_MM)))
    on_ring = float((ring & joined).sum()) / max(float(ring.sum()), 1.0)
    outlined = on_ring > 0.35
    aspect = max(rw, rh) / max(min(rw, rh), 1.0)
    if tri_fill > 0.88 and rect_fill < 0.72:
        return "triangle", outlined
    if rect_fill > 0.9:
        return "rectangle", outlined
    circularity = 4 * np.pi * area / max(perimeter * perimeter, 1.0)
    if rect_fill > 0.72 and circularity > 0.8:
        return ("round" if aspect < 1.15 else "oval"), outlined
    return ("rectangle" if rect_fill > 0.82 else "unknown"), outlined


def _colour(lab: np.ndarray, mask: np.ndarray) -> tuple[str, float]:
    pixels = lab[mask.astype(bool)]
    if len(pixels) == 0:
        return "unknown", 0.0
    a = float(np.median(pixels[:, 1])) - 128.0
    b = float(np.median(pixels[:, 2])) - 128.0
    chroma = float(np.hypot(a, b))
    if chroma < MIN_CHROMA:
        return "black", chroma
    hue = float(np.degrees(np.arctan2(b, a))) % 360.0
    name = min(INK_NAMES, key=lambda n: min(abs(hue - INK_NAMES[n]), 360 - abs(hue - INK_NAMES[n])))
    return name, chroma


@dataclass(frozen=True, slots=True)
class PageInk:
    """A page at half resolution (PX_PER_MM / 2) with its ink strength and Lab image:
    computed once, used by stamp detection and by the paper measures."""

    bgr: np.ndarray
    strength: np.ndarray
    lab: np.ndarray


def page_ink(bgr: np.ndarray) -> PageInk:
    half = cv2.resize(bgr, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    strength, lab = ink_layers(half, px_per_mm=PX_PER_MM / 2)
    return PageInk(half, strength, lab)


def find_stamps(
    bgr: np.ndarray,
    *,
    exclude: list[tuple[int, int, int, int]] = (),
    ink_map: PageInk | None = None,
) -> list[StampBlob]:
    """Stamps on one page (pixels at PX_PER_MM). ``exclude``: boxes of printed words.

    Detection runs at half resolution: stamps are large, and averaging thins the 0.1 mm
    lines of background print far more than a stamp's 0.3-0.6 mm strokes.
    """
    ink_map = ink_map or page_ink(bgr)
    strength, lab = ink_map.strength, ink_map.lab
    ink = _grow(strength, px_per_mm=PX_PER_MM / 2)
    for x, y, w, h in exclude:
        ink[y // 2 : (y + h) // 2 + 1, x // 2 : (x + w) // 2 + 1] = 0
    out = []
    for layer in _ink_classes(ink, lab):
        for mask, (x, y, w, h) in _blobs(layer, lab):
            fill = float(mask.mean())
            if fill < MIN_INK_FRACTION:
                continue
            shape, outlined = _shape(mask)
            colour, chroma = _colour(lab[y : y + h, x : x + w], mask)
            # Printed text blocks (neutral, no outline) are not stamps; nor are shapeless
            # fragments of background print.
            if colour == "black" and not outlined:
                continue
            if shape == "unknown" and not outlined and max(w, h) < 2 * 20 * PX_PER_MM / 4:
                continue
            full = cv2.resize(mask, (w * 2, h * 2), interpolation=cv2.INTER_NEAREST)
            out.append(
                StampBlob((2 * x, 2 * y, 2 * w, 2 * h), full, shape, colour, chroma, fill, outlined)
            )
    return _merge_twins(out)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two boxes."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / float(a[2] * a[3] + b[2] * b[3] - inter or 1)


def _merge_twins(blobs: list[StampBlob]) -> list[StampBlob]:
    """One stamp found twice: the dark core of a coloured impression falls to the neutral
    class and covers the same box. Two stamps of different inks pressed exactly on top of
    each other are far rarer than that, so a neutral twin joins the coloured stamp."""
    out = list(blobs)
    for twin in [b for b in blobs if b.colour == "black"]:
        host = next(
            (
                b
                for b in out
                if b is not twin and b.colour != "black" and _overlap(b.box, twin.box) >= TWIN_IOU
            ),
            None,
        )
        if host is None:
            continue
        x0, y0 = min(host.box[0], twin.box[0]), min(host.box[1], twin.box[1])
        x1 = max(host.box[0] + host.box[2], twin.box[0] + twin.box[2])
        y1 = max(host.box[1] + host.box[3], twin.box[1] + twin.box[3])
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        for b in (host, twin):
            bx, by = b.box[0] - x0, b.box[1] - y0
            mask[by : by + b.mask.shape[0], bx : bx + b.mask.shape[1]] |= b.mask
        merged = StampBlob(
            (x0, y0, x1 - x0, y1 - y0),
            mask,
            host.shape,
            host.colour,
            host.chroma,
            float(mask.mean()),
            host.outlined or twin.outlined,
        )
        out = [merged if b is host else b for b in out if b is not twin]
    return out


def _ink_classes(ink: np.ndarray, lab: np.ndarray) -> list[np.ndarray]:
    """The ink split by hue: one mask per ink seen on the page (overlapping stamps of
    different inks come apart), plus one for neutral ink (black stamps, print)."""
    a = lab[..., 1].astype(np.float32) - 128.0
    b = lab[..., 2].astype(np.float32) - 128.0
    chroma = np.hypot(a, b)
    on = ink > 0
    coloured = on & (chroma >= MIN_CHROMA)
    layers = [(on & ~coloured).astype(np.uint8)]
    if coloured.sum() < 50:
        return [on.astype(np.uint8)]
    hue = np.degrees(np.arctan2(b, a)) % 360.0
    hist, _edges = np.histogram(hue[coloured], bins=HUE_BINS, range=(0, 360))
    smooth = np.convolve(np.r_[hist[-2:], hist, hist[:2]], np.ones(5) / 5, mode="same")[2:-2]
    peaks = [
        i
        for i in range(HUE_BINS)
        if smooth[i] >= smooth[i - 1]
        and smooth[i] > smooth[(i + 1) % HUE_BINS]
        and smooth[i] >= max(40.0, 0.04 * smooth.max())
    ]
    centres = [(i + 0.5) * 360.0 / HUE_BINS for i in peaks] or [float(np.median(hue[coloured]))]
    # Merge peaks closer than HUE_MERGE degrees (one ink, uneven pressure).
    merged: list[float] = []
    for c in sorted(centres):
        if merged and min(abs(c - merged[-1]), 360 - abs(c - merged[-1])) < HUE_MERGE:
            continue
        merged.append(c)
    diffs = np.stack([np.minimum(np.abs(hue - c), 360 - np.abs(hue - c)) for c in merged])
    nearest = np.argmin(diffs, axis=0)
    for k in range(len(merged)):
        layers.append((coloured & (nearest == k)).astype(np.uint8))
    return layers


def _blobs(ink: np.ndarray, lab: np.ndarray) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """Stamp-sized blobs of ink; a blob of two inks (overlapping stamps) is split by ink."""
    px = PX_PER_MM / 2
    join = int(JOIN_MM * px) | 1
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((join, join), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, 8)
    lo, hi = STAMP_MM[0] * px, STAMP_MM[1] * px
    out = []
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        if max(w, h) < lo or min(w, h) < 0.45 * lo:
            continue
        mask = ((labels[y : y + h, x : x + w] == i) & (ink[y : y + h, x : x + w] > 0)).astype(
            np.uint8
        )
        parts = _split_by_ink(mask, lab[y : y + h, x : x + w], join)
        for part in parts:
            ys, xs = np.nonzero(part)
            if len(xs) == 0:
                continue
            px0, py0, px1, py1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
            pw, ph = px1 - px0, py1 - py0
            if max(pw, ph) < lo or min(pw, ph) < 0.45 * lo or max(pw, ph) > hi:
                continue
            out.append((part[py0:py1, px0:px1], (int(x + px0), int(y + py0), int(pw), int(ph))))
    return out


def _split_by_ink(mask: np.ndarray, lab: np.ndarray, join: int) -> list[np.ndarray]:
    """One mask per ink when the blob's ink colours form clearly separate groups."""
    pixels = lab[mask.astype(bool)][:, 1:].astype(np.float32)
    if len(pixels) < 200:
        return [mask]
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _c, assigned, centres = cv2.kmeans(pixels, 2, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    if float(np.linalg.norm(centres[0] - centres[1])) < 14.0:
        return [mask]
    label_img = np.zeros(mask.shape, np.int16) - 1
    label_img[mask.astype(bool)] = assigned.ravel()
    boxes = []
    for k in (0, 1):
        ys, xs = np.nonzero(label_img == k)
        boxes.append((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))
    # One stamp's dark core and faint rim also differ in colour, but they cover the same
    # ground; two stamps overlap only in part.
    if _iou(boxes[0], boxes[1]) > 0.4:
        return [mask]
    parts = []
    for k in (0, 1):
        part = (label_img == k).astype(np.uint8)
        closed = cv2.morphologyEx(part, cv2.MORPH_CLOSE, np.ones((join, join), np.uint8))
        count, labels = cv2.connectedComponents(closed, connectivity=8)
        for i in range(1, count):
            parts.append(((labels == i) & (part > 0)).astype(np.uint8))
    return parts


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / max(union, 1)
