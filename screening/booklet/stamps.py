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

STAMP_MM = (10.0, 70.0)
JOIN_MM = 2.5
SEED_DELTA = 75  # ink strength (darker + colour distance from the paper) of sure ink
GROW_DELTA = 42  # ink next to sure ink; background print stays below ~36
MIN_INK_FRACTION = 0.04
INK_NAMES = {  # Lab hue angle (degrees) of named inks; neutral below MIN_CHROMA
    "red": 35.0,
    "green": 150.0,
    "blue": 275.0,
    "violet": 315.0,
}
MIN_CHROMA = 9.0


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


def ink_layers(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ink strength (0-255-ish) of every pixel against the local paper, and the Lab image."""
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(np.int16)
    k = int(4 * PX_PER_MM) | 1
    paper = cv2.morphologyEx(bgr, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    paper = cv2.medianBlur(paper, 5)
    paper_lab = cv2.cvtColor(paper, cv2.COLOR_BGR2LAB).astype(np.int16)
    darker = np.clip(paper_lab[..., 0] - lab[..., 0], 0, None)
    colour = np.abs(lab[..., 1] - paper_lab[..., 1]) + np.abs(lab[..., 2] - paper_lab[..., 2])
    strength = darker + colour
    return strength.astype(np.float32), lab


def _grow(strength: np.ndarray) -> np.ndarray:
    seeds = (strength > SEED_DELTA).astype(np.uint8)
    weak = (strength > GROW_DELTA).astype(np.uint8)
    near = cv2.dilate(seeds, np.ones((int(2 * PX_PER_MM),) * 2, np.uint8))
    return (seeds | (weak & near)).astype(np.uint8)


def _shape(mask: np.ndarray) -> tuple[str, bool]:
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
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
    cv2.drawContours(ring, [hull], -1, 1, thickness=max(3, int(1.2 * PX_PER_MM)))
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


def find_stamps(bgr: np.ndarray, *, exclude: list[tuple[int, int, int, int]] = ()) -> list[StampBlob]:
    """Stamps on one page (pixels at PX_PER_MM). ``exclude``: boxes of printed words."""
    strength, lab = ink_layers(bgr)
    ink = _grow(strength)
    for x, y, w, h in exclude:
        ink[y : y + h, x : x + w] = 0
    join = int(JOIN_MM * PX_PER_MM) | 1
    blobs = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((join, join), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, 8)
    out = []
    lo, hi = STAMP_MM[0] * PX_PER_MM, STAMP_MM[1] * PX_PER_MM
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        if max(w, h) < lo or max(w, h) > hi or min(w, h) < 0.45 * lo:
            continue
        mask = ((labels[y : y + h, x : x + w] == i) & (ink[y : y + h, x : x + w] > 0)).astype(np.uint8)
        fill = float(mask.mean())
        if fill < MIN_INK_FRACTION:
            continue
        shape, outlined = _shape(mask)
        colour, chroma = _colour(lab[y : y + h, x : x + w], mask)
        # Printed text blocks (neutral, no outline) are not stamps.
        if colour == "black" and not outlined:
            continue
        out.append(StampBlob((int(x), int(y), int(w), int(h)), mask, shape, colour, chroma, fill, outlined))
    return out
