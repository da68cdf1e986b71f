"""Find MRZ bands: groups of 2 or 3 long, parallel, evenly spaced text lines.

Works on a downscaled grey copy (about 1000 px on the long side). Dark text is isolated
with a black-hat transform, characters are merged into line blobs by closing along one
direction (x for upright pages, y for pages turned by 90 degrees, and the mask turned by
30 or 60 degrees for pages photographed at any other angle), and each blob's rotated
rectangle gives the line's direction, length and height. Lines of similar direction,
length and height stacked at a regular spacing form a band candidate. Which of the two
reading directions is right (the 180-degree trap) is left to the reader, which tries both.

Under motion blur across the lines, or at low resolution, the lines of a band run into
one blob. With ``split_rows`` every long blob is also looked at across its length: two
or three evenly spaced rows of ink, as far apart as MRZ lines are for the blob's length
(4.23 mm apart at a 2.54 mm pitch), are split into lines of their own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import cv2
import numpy as np

WORK_SIDE = 1000
BLACKHAT_KERNEL = 21
CLOSE_WIDTHS = (7, 13, 21, 31)
MIN_ELONGATION = 9.0
MIN_LINE_HEIGHT = 4.0
# Directions (degrees) in which lines are looked for: upright and quarter-turned pages
# first, then pages photographed at any angle (each direction covers +-15 degrees).
FAST_ANGLES = (0.0, 90.0)
ALL_ANGLES = (0.0, 90.0, 30.0, 150.0, 60.0, 120.0)
# A blob holding several MRZ lines: rows this far apart relative to the blob's length.
LINE_SPACING_PITCHES = 4.23 / 2.54
LINE_CHARS = (30, 36, 44)
MIN_SPLIT_ELONGATION = 3.5
# A third line left in pieces by glare or a shadow (TD1): the shortest piece that still
# counts, as a share of the band's length, and the band's rank against the 2-line one.
FADED_LINE_MIN_SHARE = 0.25
FADED_LINE_SCORE = 0.95


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


@dataclass(frozen=True, slots=True)
class TextMap:
    """The page's dark text at the working size: binary mask, black-hat depth, scale."""

    mask: np.ndarray
    ink: np.ndarray
    scale: float  # working pixels per input pixel


def _turned(image: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """``image`` turned so that lines at ``angle`` degrees (counter-clockwise as seen)
    run along x; and the 2x3 affine from the turned image back to ``image``."""
    h, w = image.shape[:2]
    to_turned = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], np.float64)
    mapped = corners @ to_turned.T
    lo = mapped.min(axis=0)
    size = np.ceil(mapped.max(axis=0) - lo).astype(int)
    to_turned[:, 2] -= lo
    turned = cv2.warpAffine(image, to_turned, (int(size[0]), int(size[1])), flags=cv2.INTER_NEAREST)
    return turned, cv2.invertAffineTransform(to_turned)


def _line_blobs(text: TextMap, angle: float, split_rows: bool = False) -> list[TextLine]:
    """Line blobs along ``angle`` (0: x, 90: y, else the mask is turned first)."""
    mask, back = text.mask, np.array([[1.0, 0, 0], [0, 1.0, 0]])
    if angle not in (0.0, 90.0):
        mask, back = _turned(text.mask, angle)
    lines: list[TextLine] = []
    min_len = 0.12 * min(text.mask.shape)
    min_elongation = MIN_SPLIT_ELONGATION if split_rows else MIN_ELONGATION
    for width in CLOSE_WIDTHS:
        kshape = (1, width) if angle == 90.0 else (width, 1)
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
            (cx, cy), (w, h), rect_angle = cv2.minAreaRect(contour)
            length, height = max(w, h), min(w, h)
            if height < MIN_LINE_HEIGHT or length < min_len:
                continue
            if length / height < min_elongation:
                continue
            if cv2.contourArea(contour) < 0.45 * length * height:
                continue
            theta = np.deg2rad(rect_angle if w >= h else rect_angle + 90.0)
            u = back[:, :2] @ np.array([np.cos(theta), np.sin(theta)])
            if u[0] < -1e-6 or (abs(u[0]) < 1e-6 and u[1] < 0):
                u = -u
            centre = back @ np.array([cx, cy, 1.0])
            lines.append(
                TextLine(
                    center=(float(centre[0]) / text.scale, float(centre[1]) / text.scale),
                    direction=(float(u[0]), float(u[1])),
                    length=length / text.scale,
                    height=height / text.scale,
                )
            )
    lines = _dedupe(_merge_collinear(_dedupe(lines)))
    if split_rows:
        lines = _dedupe(lines + [sub for line in lines for sub in split_band_rows(text, line)])
    return lines


def _row_profile(text: TextMap, line: TextLine, reach: float) -> np.ndarray:
    """Mean ink depth per row across ``line`` (central 80% of its length), from
    ``-reach`` to ``+reach`` blob heights about its centre, one row per working pixel."""
    s = text.scale
    u = np.array(line.direction)
    n = line.normal()
    length = max(int(0.8 * line.length * s), 4)
    rows = max(int(2 * reach * line.height * s), 4)
    c = np.array(line.center) * s
    # patch (x, y) -> working image: c + (x - L/2) u + (y - R/2) n
    to_work = np.column_stack([u, n, c - length / 2 * u - rows / 2 * n])
    patch = cv2.warpAffine(
        text.ink, to_work, (length, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    )
    return patch.astype(np.float32).mean(axis=1)


def split_band_rows(text: TextMap, line: TextLine) -> list[TextLine]:
    """The 2 or 3 MRZ lines of a blob in which they ran together (empty if none)."""
    profile = _row_profile(text, line, reach=0.6)
    smooth = cv2.GaussianBlur(profile.reshape(-1, 1), (1, 0), max(1.0, len(profile) / 60))
    smooth = smooth.ravel()
    top = float(smooth.max())
    if top <= 0:
        return []
    peaks = [
        i
        for i in range(1, len(smooth) - 1)
        if smooth[i] >= smooth[i - 1] and smooth[i] > smooth[i + 1] and smooth[i] > 0.4 * top
    ]
    s = text.scale
    for count in (3, 2):
        for start in range(len(peaks) - count + 1):
            chosen = peaks[start : start + count]
            gaps = np.diff(chosen).astype(float)
            spacing = float(gaps.mean())
            if gaps.min() < 0.8 * gaps.max() or spacing < 2 * MIN_LINE_HEIGHT * s:
                continue
            # Each pair of rows is separated by a clear dip.
            dips = [float(smooth[a:b].min()) for a, b in itertools.pairwise(chosen)]
            if max(dips) > 0.8 * min(float(smooth[i]) for i in chosen):
                continue
            chars = LINE_SPACING_PITCHES * line.length * s / spacing
            if not any(0.8 * n <= chars <= 1.2 * n for n in LINE_CHARS):
                continue
            mid = (len(smooth) - 1) / 2
            n_vec = line.normal()
            out = []
            for i in chosen:
                centre = np.array(line.center) + n_vec * (i - mid) / s
                out.append(
                    TextLine(
                        center=(float(centre[0]), float(centre[1])),
                        direction=line.direction,
                        length=line.length,
                        height=0.75 * spacing / s,
                    )
                )
            return out
    return []


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
            # A line split out of a blob of several lines is not that blob.
            and 0.6 < line.height / k.height < 1.6
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


def text_map(gray: np.ndarray) -> TextMap:
    """The dark text of the downscaled image (computed once per image)."""
    work, scale = work_image(gray)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (BLACKHAT_KERNEL, BLACKHAT_KERNEL))
    blackhat = cv2.morphologyEx(work, cv2.MORPH_BLACKHAT, kernel)
    otsu, _ = cv2.threshold(blackhat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, mask = cv2.threshold(blackhat, max(otsu, 18.0), 255, cv2.THRESH_BINARY)
    return TextMap(mask=mask, ink=blackhat, scale=scale)


def find_bands(
    gray: np.ndarray,
    limit: int = 6,
    angle: float = 0.0,
    text: TextMap | None = None,
    split_rows: bool = False,
) -> list[BandCandidate]:
    """Band candidates whose lines run at ``angle`` degrees (+-15), best first.

    Pages upright or upside down have their lines along x (0), pages turned by 90
    degrees along y (90); the reader tries those first and the other angles only when
    they gave no confident read.
    """
    lines = _line_blobs(text if text is not None else text_map(gray), angle, split_rows)
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
                band_lines = tuple(_along(lines[m[1]], first) for m in members)
                lengths = [ln.length for ln in band_lines]
                score = float(np.mean(lengths) * min(lengths) / max(lengths)) * (
                    1.1 if size == 3 else 1.0
                )
                bands.append(BandCandidate(lines=band_lines, score=score))
                if size == 2:
                    faded = _with_faded_line(band_lines, lines)
                    if faded is not None:
                        bands.append(BandCandidate(lines=faded, score=FADED_LINE_SCORE * score))
    bands.sort(key=lambda b: -b.score)
    return bands[:limit]


def _along(line: TextLine, first: TextLine) -> TextLine:
    """``line`` pointing the way ``first`` does. Each blob's sign is fixed on its own (x
    positive); lines of a page turned by a quarter run along y, where a degree either
    side of vertical flips that sign: one line of the band would be read upside down."""
    if float(np.dot(line.direction, first.direction)) >= 0:
        return line
    return replace(line, direction=(-line.direction[0], -line.direction[1]))


def _with_faded_line(
    pair: tuple[TextLine, ...], lines: list[TextLine]
) -> tuple[TextLine, ...] | None:
    """A 2-line band with a third line at its spacing, above or below, that glare or a
    shadow left shorter than the others (a TD1 whose first line lost its fillers or half
    its characters): that line at the band's full length, or None. The reader decides
    whether the three lines read as a TD1."""
    a, b = pair
    u, n = np.array(a.direction), a.normal()
    spacing = float((np.array(b.center) - np.array(a.center)) @ n)
    height, length = (a.height + b.height) / 2, (a.length + b.length) / 2
    for outer, side in ((a, -1.0), (b, 1.0)):
        expected = np.array(outer.center) + side * spacing * n
        for line in lines:
            if line is a or line is b:
                continue
            if abs(float(u @ np.array(line.direction))) < np.cos(np.deg2rad(5.0)):
                continue
            delta = np.array(line.center) - expected
            if abs(float(delta @ n)) > 0.45 * height:
                continue
            if not FADED_LINE_MIN_SHARE * length <= line.length < 0.7 * length:
                continue  # a line as long as the others makes an ordinary 3-line band
            if not 0.55 < line.height / height < 1.8:
                continue
            if abs(float(delta @ u)) + line.length / 2 > 0.6 * length:
                continue  # reaching past the band's ends: other text
            third = TextLine(
                center=(float(expected[0]), float(expected[1])),
                direction=a.direction,
                length=length,
                height=height,
            )
            return (third, a, b) if side < 0 else (a, b, third)
    return None
