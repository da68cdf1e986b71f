"""The photo seen close up, upright, and what its border shows.

:func:`photo_crop` cuts the located portrait and a margin round it from the input image,
upright (:mod:`screening.documents.upright`), resampled so the portrait is
:data:`PHOTO_WIDTH` pixels wide, and snaps each side of the box to the photo's own edge
where it has one (a crisp print; a feathered portrait has none and keeps the locator's
side). Then, per side, the border signs an examiner looks for:

* **edge** (:func:`edge_features`) — the perpendicular profile across the border: a thin
  dark or bright line (a cut, a lamination break), a step, a shadow outside (a print
  standing proud), and how much of the side carries it;
* **tilt** (:func:`tilt_features`) — the angle of each side against the page's axes: a
  portrait printed with the page is square to it, a print glued on by hand rarely is;
* **guilloche** (:func:`guilloche_features`) — the page's fine line pattern just outside
  the border and just inside: printed through the portrait it continues across the
  border; on a print glued over the page it stops there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from screening.documents.upright import Upright, upright_crop

PHOTO_WIDTH = 200  # the portrait's width in the close-up, pixels
MARGIN = 0.4  # page kept round the portrait, as a share of its size
SNAP = 0.22  # how far a side may move to the photo's own edge (share of its length)
SNAP_DISTANCE_COST = 0.5  # an edge at the full reach must be twice as strong as one on the side
PROFILE_REACH = 10


@dataclass(frozen=True, slots=True)
class PhotoCrop:
    rgb: np.ndarray  # float32 HxWx3, upright close-up
    grey: np.ndarray  # float32 HxW
    box: tuple[int, int, int, int]  # the portrait in close-up pixels
    view: Upright  # the close-up's geometry (to_input, px_per_mm)
    snapped: tuple[float, float, float, float]  # edge strength that moved each side


def grey_of(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.float32)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def _side_gradient(
    grey: np.ndarray, box: tuple[int, int, int, int], side: int, offsets: np.ndarray
) -> np.ndarray:
    """How strongly a straight edge runs along side ``side`` (0 top, 1 bottom, 2 left,
    3 right) of ``box`` moved by each offset: the gradient across the side that at least
    three quarters of its middle 70 % show with one sign.

    A photo's own border is one step (photo darker or lighter than the page) along the
    whole side; a column of text, a header line or a seal arc gives strong gradients on
    part of the side only, or of both signs, and scores low (a mean of the gradient's
    size had pulled the sides a few millimetres out onto the text beside the portrait).
    """
    x, y, w, h = box
    H, W = grey.shape
    if side < 2:
        line = y if side == 0 else y + h
        c0, c1 = x + int(0.15 * w), x + w - int(0.15 * w)
        rows = np.clip(line + offsets, 1, H - 2)
        across = grey[rows + 1, c0:c1] - grey[rows - 1, c0:c1]
    else:
        line = x if side == 2 else x + w
        r0, r1 = y + int(0.15 * h), y + h - int(0.15 * h)
        cols = np.clip(line + offsets, 1, W - 2)
        across = (grey[r0:r1, cols + 1] - grey[r0:r1, cols - 1]).T
    if across.shape[1] == 0:
        return np.zeros(len(offsets))
    rising = np.percentile(across, 25, axis=1)
    falling = -np.percentile(across, 75, axis=1)
    return np.maximum(np.maximum(rising, falling), 0.0)


def _snap(
    grey: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[tuple[int, int, int, int], tuple[float, float, float, float]]:
    """Each side moved to the straight edge within :data:`SNAP` of the box's size that
    runs along it (:func:`_side_gradient`), nearer ones preferred, where that edge
    clearly stands out (a crisp print; a feathered portrait keeps the locator's side);
    the edge strength found per side."""
    x, y, w, h = box
    edges = [x, y, x + w, y + h]
    found = []
    for side, index, size in ((0, 1, h), (1, 3, h), (2, 0, w), (3, 2, w)):
        reach = max(2, round(SNAP * size))
        offsets = np.arange(-reach, reach + 1)
        profile = _side_gradient(grey, box, side, offsets)
        # The locator's side is usually close: a distant edge must be stronger to win.
        best = int(np.argmax(profile * (1.0 - SNAP_DISTANCE_COST * np.abs(offsets) / reach)))
        strength = float(profile[best] / (np.median(profile) + 1.0))
        found.append(strength)
        if strength > 2.0:
            edges[index] += int(offsets[best])
    x0, y0, x1, y1 = edges
    if x1 - x0 < 0.6 * w or y1 - y0 < 0.6 * h:
        return box, (0.0, 0.0, 0.0, 0.0)
    return (x0, y0, x1 - x0, y1 - y0), tuple(found)  # type: ignore[return-value]


def photo_crop(rgb: np.ndarray, view: Upright, box: tuple[float, float, float, float]) -> PhotoCrop:
    """The close-up of the portrait at ``box`` (upright pixels of ``view``)."""
    px_per_mm = view.px_per_mm * PHOTO_WIDTH / max(1.0, box[2])
    close, inner = upright_crop(rgb, view, box, margin=MARGIN, px_per_mm=px_per_mm)
    crop_rgb = close.rgb.astype(np.float32)
    grey = grey_of(crop_rgb)
    start = tuple(round(float(v)) for v in inner)
    snapped, strengths = _snap(grey, start)  # type: ignore[arg-type]
    return PhotoCrop(rgb=crop_rgb, grey=grey, box=snapped, view=close, snapped=strengths)


def edge_features(crop: PhotoCrop) -> list[float]:
    """Line, step, shadow and coverage of the border profiles (see the module)."""
    grey = crop.grey
    x, y, w, h = crop.box
    H, W = grey.shape
    reach = PROFILE_REACH
    sides = []
    trim_w, trim_h = int(w * 0.12), int(h * 0.12)
    if y - reach >= 0:
        sides.append(grey[y - reach : y + reach + 1, x + trim_w : x + w - trim_w])
    if y + h + reach < H:
        sides.append(grey[y + h - reach - 1 : y + h + reach, x + trim_w : x + w - trim_w][::-1])
    if x - reach >= 0:
        sides.append(grey[y + trim_h : y + h - trim_h, x - reach : x + reach + 1].T)
    if x + w + reach < W:
        sides.append(grey[y + trim_h : y + h - trim_h, x + w - reach - 1 : x + w + reach].T[::-1])
    lines, signs, steps, shadows, coverage = [], [], [], [], []
    for profile2d in sides:
        if profile2d.shape[0] != 2 * reach + 1 or profile2d.shape[1] < 5:
            continue
        profile = np.median(profile2d, axis=1)
        centre = reach
        window = profile[centre - 3 : centre + 4]
        neighbours = (profile[centre - 6 : centre + 1] + profile[centre : centre + 7]) / 2
        response = window - neighbours
        idx = int(np.argmax(np.abs(response)))
        lines.append(float(abs(response[idx])))
        signs.append(float(np.sign(response[idx])))
        steps.append(float(abs(profile[: centre - 5].mean() - profile[centre + 6 :].mean())))
        shadows.append(float(profile[:4].mean() - profile[centre - 5 : centre - 1].mean()))
        local = profile2d[centre - 3 : centre + 4]
        far = (
            profile2d[centre - 8 : centre - 5].mean(axis=0)
            + profile2d[centre + 6 : centre + 9].mean(axis=0)
        ) / 2
        coverage.append(float(np.mean(np.abs(local - far[None, :]).max(axis=0) > 25)))
    if not lines:
        return [0.0] * 7
    return [
        float(np.mean(lines)) / 255,
        float(np.max(lines)) / 255,
        float(np.mean(signs)),
        float(np.mean(steps)) / 255,
        float(np.max(shadows)) / 255,
        float(np.mean(coverage)),
        float(np.min(coverage)),
    ]


def _side_angle(grey: np.ndarray, box: tuple[int, int, int, int], side: int) -> tuple[float, float]:
    """(rotation in degrees implied by side ``side``'s edge, edge strength)."""
    x, y, w, h = box
    H, W = grey.shape
    span = max(5, round(0.06 * max(w, h)))
    if side >= 2:  # left / right: edge column per row
        line = x if side == 2 else x + w
        rows = np.arange(y + int(0.15 * h), y + h - int(0.15 * h))
        cols = np.clip(line + np.arange(-span, span + 1), 1, W - 2)
        if rows.size < 8:
            return 0.0, 0.0
        grad = np.abs(grey[rows][:, cols + 1] - grey[rows][:, cols - 1])
        along = rows.astype(np.float64)
    else:  # top / bottom: edge row per column
        line = y if side == 0 else y + h
        cols_ = np.arange(x + int(0.15 * w), x + w - int(0.15 * w))
        rws = np.clip(line + np.arange(-span, span + 1), 1, H - 2)
        if cols_.size < 8:
            return 0.0, 0.0
        grad = np.abs(grey[rws + 1][:, cols_] - grey[rws - 1][:, cols_]).T
        along = cols_.astype(np.float64)
    peak = grad.max(axis=1)
    position = grad.argmax(axis=1).astype(np.float64)
    strength = float(np.median(peak) / (np.median(grad) + 1.0))
    strong = peak >= np.percentile(peak, 40)
    if strong.sum() < 6 or np.ptp(along[strong]) < 4:
        return 0.0, strength
    slope = np.polyfit(along[strong], position[strong], 1)[0]
    # A clockwise turn moves a vertical side right going down (+slope) and a horizontal
    # side up going right (-slope).
    angle = float(np.degrees(np.arctan(slope)))
    return (angle if side >= 2 else -angle), strength


def tilt_features(crop: PhotoCrop) -> list[float]:
    """Turn of the portrait against the page: the strength-weighted mean of the sides'
    angles, their agreement, and the largest single-side angle among clear edges."""
    angles, strengths = [], []
    for side in range(4):
        angle, strength = _side_angle(crop.grey, crop.box, side)
        angles.append(angle)
        strengths.append(strength)
    a, s = np.asarray(angles), np.asarray(strengths)
    clear = s > 2.0
    if clear.sum() == 0:
        return [0.0, 0.0, 0.0, float(s.max())]
    weights = s[clear]
    mean = float(np.average(a[clear], weights=weights))
    spread = float(np.sqrt(np.average((a[clear] - mean) ** 2, weights=weights)))
    return [abs(mean), spread, float(np.abs(a[clear]).max()), float(s.max())]


def _bandpass(grey: np.ndarray) -> np.ndarray:
    return grey - ndimage.gaussian_filter(grey, 1.5)


def guilloche_features(crop: PhotoCrop) -> list[float]:
    """Fine-line energy just inside vs just outside the border (median over sides, the
    weakest side) and how well the pattern continues across it (best lagged
    correlation of the two strips, median over sides)."""
    bp = _bandpass(crop.grey)
    x, y, w, h = crop.box
    H, W = bp.shape
    ratios, continuity = [], []
    gap, depth = 3, 6
    for side in range(4):
        if side == 0 and y - gap - depth >= 0:
            outer = bp[y - gap - depth : y - gap, x : x + w]
            inner = bp[y + gap : y + gap + depth, x : x + w]
            axis = 0
        elif side == 1 and y + h + gap + depth <= H:
            outer = bp[y + h + gap : y + h + gap + depth, x : x + w]
            inner = bp[y + h - gap - depth : y + h - gap, x : x + w]
            axis = 0
        elif side == 2 and x - gap - depth >= 0:
            outer = bp[y : y + h, x - gap - depth : x - gap]
            inner = bp[y : y + h, x + gap : x + gap + depth]
            axis = 1
        elif side == 3 and x + w + gap + depth <= W:
            outer = bp[y : y + h, x + w + gap : x + w + gap + depth]
            inner = bp[y : y + h, x + w - gap - depth : x + w - gap]
            axis = 1
        else:
            continue
        if outer.size == 0 or inner.size == 0:
            continue  # the box runs off the close-up on this side: nothing to compare
        out_, in_ = outer.mean(axis=axis), inner.mean(axis=axis)
        e_out, e_in = np.abs(outer).mean(), np.abs(inner).mean()
        ratios.append(float(e_in / (e_out + 0.3)))
        a = out_ - out_.mean()
        b = in_ - in_.mean()
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        if norm < 1e-6:
            continuity.append(0.0)
            continue
        best = max(float(np.dot(a, np.roll(b, lag))) for lag in range(-6, 7)) / norm
        continuity.append(best)
    if not ratios:
        return [1.0, 1.0, 0.0]
    return [float(np.median(ratios)), float(np.min(ratios)), float(np.median(continuity))]
