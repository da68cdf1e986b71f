"""Find MRZ bands: groups of 2 or 3 long, parallel, evenly spaced text lines.

Works on a downscaled grey copy (about 1000 px on the long side). Dark text is isolated
with a black-hat transform, characters are merged into line blobs by closing along both
axes (so pages turned by 90 degrees are found the same way), and each blob's rotated
rectangle gives the line's direction, length and height. Lines of similar direction,
length and height stacked at a regular spacing form a band candidate. Which of the two
reading directions is right (the 180-degree trap) is left to the reader, which tries both.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

WORK_SIDE = 1000
BLACKHAT_KERNEL = 21
CLOSE_WIDTHS = (7, 13, 21, 31)
MIN_ELONGATION = 9.0
MIN_LINE_HEIGHT = 4.0


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line blob, in input-image pixels: centre, unit direction, length, height."""

    center: tuple[float, float]
    direction: tuple[float, float]
    length: float
    height: float

    def normal(self) -> np.ndarray:
        ux, uy = self.direction
        return np.array([-uy, ux])

    def corners(self) -> np.ndarray:
        c = np.array(self.center)
        u = np.array(self.direction) * self.length / 2
        n = self.normal() * self.height / 2
        return np.array([c - u - n, c + u - n, c + u + n, c - u + n], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class BandCandidate:
    """Lines of one candidate MRZ, ordered along the band normal."""

    lines: tuple[TextLine, ...]
    score: float

    def quad(self) -> np.ndarray:
        points = np.concatenate([line.corners() for line in self.lines])
        box = cv2.boxPoints(cv2.minAreaRect(points.astype(np.float32)))
        return box.astype(np.float32)

    def region(self) -> tuple[int, int, int, int]:
        x, y, w, h = cv2.boundingRect(self.quad().astype(np.float32))
        return (int(x), int(y), int(w), int(h))


def work_image(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Resize so the long side is about WORK_SIDE pixels; return image and scale."""
    scale = WORK_SIDE / max(gray.shape[:2])
    scale = min(scale, 4.0)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    if abs(scale - 1.0) < 0.05:
        return gray, 1.0
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp), scale


def _text_mask(work: np.ndarray) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (BLACKHAT_KERNEL, BLACKHAT_KERNEL))
    blackhat = cv2.morphologyEx(work, cv2.MORPH_BLACKHAT, kernel)
    otsu, _ = cv2.threshold(blackhat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, mask = cv2.threshold(blackhat, max(otsu, 18.0), 255, cv2.THRESH_BINARY)
    return mask


def _line_blobs(mask: np.ndarray, scale: float, axis: str | None = None) -> list[TextLine]:
    lines: list[TextLine] = []
    min_len = 0.12 * min(mask.shape)
    for width in CLOSE_WIDTHS:
        shapes = {"x": ((width, 1),), "y": ((1, width),)}.get(axis or "", ((width, 1), (1, width)))
        for kshape in shapes:
            kernel = cv2.getStructuringElement(cv2.MORPH_RECT, kshape)
            closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
            # CCOMP, not EXTERNAL: a page border drawn as a closed frame must not hide
            # everything inside it. Only outer boundaries (no parent) are blobs.
            contours, hierarchy = cv2.findContours(closed, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            for contour, links in zip(contours, hierarchy[0] if len(contours) else [], strict=True):
                if links[3] != -1 or len(contour) < 4:
                    continue
                _, _, bw, bh = cv2.boundingRect(contour)
                if max(bw, bh) < min_len:
                    continue  # cheap reject before the rotated rectangle
                (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
                length, height = max(w, h), min(w, h)
                if height < MIN_LINE_HEIGHT or length < min_len:
                    continue
                if length / height < MIN_ELONGATION:
                    continue
                if cv2.contourArea(contour) < 0.45 * length * height:
                    continue
                theta = np.deg2rad(angle if w >= h else angle + 90.0)
                direction = (float(np.cos(theta)), float(np.sin(theta)))
                if direction[0] < -1e-6 or (abs(direction[0]) < 1e-6 and direction[1] < 0):
                    direction = (-direction[0], -direction[1])
                lines.append(
                    TextLine(
                        center=(cx / scale, cy / scale),
                        direction=direction,
                        length=length / scale,
                        height=height / scale,
                    )
                )
    return _dedupe(_merge_collinear(_dedupe(lines)))


def _merge_collinear(lines: list[TextLine]) -> list[TextLine]:
    """Join pieces of one text line split by glare or a fold (same axis, small gap)."""
    merged: list[TextLine] = []
    for line in sorted(lines, key=lambda ln: -ln.length):
        for k, base in enumerate(merged):
            u = np.array(base.direction)
            cos = abs(float(u @ np.array(line.direction)))
            delta = np.array(line.center) - np.array(base.center)
            if cos < np.cos(np.deg2rad(3.0)) or abs(float(delta @ base.normal())) > 0.45 * max(
                base.height, line.height
            ):
                continue
            along = float(delta @ u)
            lo = min(-base.length / 2, along - line.length / 2)
            hi = max(base.length / 2, along + line.length / 2)
            gap = abs(along) - (base.length + line.length) / 2
            tallest = max(base.height, line.height)
            if gap > 4.0 * tallest or min(line.height, base.height) < 0.6 * tallest:
                continue
            center = np.array(base.center) + u * (lo + hi) / 2
            merged[k] = TextLine(
                center=(float(center[0]), float(center[1])),
                direction=base.direction,
                length=hi - lo,
                height=max(base.height, line.height),
            )
            break
        else:
            merged.append(line)
    return merged


def _dedupe(lines: list[TextLine]) -> list[TextLine]:
    kept: list[TextLine] = []
    for line in sorted(lines, key=lambda ln: -ln.length):
        c = np.array(line.center)
        if any(
            abs(float((c - np.array(k.center)) @ k.normal())) < 0.5 * k.height
            and abs(float((c - np.array(k.center)) @ np.array(k.direction))) < 0.1 * k.length
            and abs(line.length - k.length) < 0.15 * k.length
            for k in kept
        ):
            continue
        kept.append(line)
    return kept


def _compatible(a: TextLine, b: TextLine) -> float | None:
    """Spacing of b from a along a's normal when they can belong to one band."""
    cos = abs(a.direction[0] * b.direction[0] + a.direction[1] * b.direction[1])
    if cos < np.cos(np.deg2rad(5.0)):
        return None
    if min(a.length, b.length) / max(a.length, b.length) < 0.7:
        return None
    if min(a.height, b.height) / max(a.height, b.height) < 0.55:
        return None
    delta = np.array(b.center) - np.array(a.center)
    along = float(delta @ np.array(a.direction))
    across = float(delta @ a.normal())
    mean_h = (a.height + b.height) / 2
    if abs(along) > 0.2 * max(a.length, b.length):
        return None
    if not 1.1 * mean_h <= abs(across) <= 3.2 * mean_h:
        return None
    return across


def text_mask(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The dark-text mask of the downscaled image, and the scale used (computed once)."""
    work, scale = work_image(gray)
    return _text_mask(work), scale


def find_bands(
    gray: np.ndarray,
    limit: int = 6,
    axis: str | None = None,
    mask: tuple[np.ndarray, float] | None = None,
) -> list[BandCandidate]:
    """Band candidates in input-image pixels, best first (at most ``limit``)."""
    """Band candidates (lines along ``axis`` "x" or "y" of the image, or both), best first.

    Pages upright or upside down have their lines along x, pages turned by 90 degrees
    along y; the reader tries x first and y only when x gave no confident read.
    """
    binary, scale = mask if mask is not None else text_mask(gray)
    lines = _line_blobs(binary, scale, axis)
    bands: list[BandCandidate] = []
    seen: set[tuple[int, ...]] = set()
    for i, first in enumerate(lines):
        normal = first.normal()
        # Lines stacked on first's normal, sorted by their offset along it.
        group = [(0.0, i)]
        for j, other in enumerate(lines):
            if j != i and _compatible(first, other) is not None:
                offset = float((np.array(other.center) - np.array(first.center)) @ normal)
                group.append((offset, j))
        group.sort()
        # Consecutive runs with regular spacing: pairs and triples containing ``first``.
        for size in (3, 2):
            for start in range(len(group) - size + 1):
                members = group[start : start + size]
                if i not in [m[1] for m in members]:
                    continue
                key = tuple(sorted(m[1] for m in members))
                if key in seen:
                    continue
                gaps = np.diff([m[0] for m in members])
                heights = [lines[m[1]].height for m in members]
                if np.any(gaps < 1.1 * np.mean(heights)):
                    continue
                if size == 3 and max(gaps) > 1.35 * min(gaps):
                    continue
                if size == 3 and not all(
                    _compatible(lines[a[1]], lines[b[1]]) is not None
                    for a, b in itertools.pairwise(members)
                ):
                    continue
                seen.add(key)
                band_lines = tuple(lines[m[1]] for m in members)
                lengths = [ln.length for ln in band_lines]
                score = float(np.mean(lengths) * min(lengths) / max(lengths)) * (
                    1.1 if size == 3 else 1.0
                )
                bands.append(BandCandidate(lines=band_lines, score=score))
    bands.sort(key=lambda b: -b.score)
    return bands[:limit]
