"""Photo substitution: signs that the photograph on a data page was replaced.

Given the page (RGB array) and the photo box (from the generator's truth, from a layout
template, or from :func:`locate_photo`), :func:`photo_features` measures three signs an
examiner checks, comparing the photo with the page around it so that the capture
(blur, noise, light, JPEG) cancels out:

* **seal continuity** — seal ink (violet/blue, saturated) in thin strips just outside and
  just inside each border: where the ring leaves the page it must enter the photo at the
  same place, in the same ink. A missing or shifted continuation breaks it;
* **edge** — the perpendicular intensity profile across each border: a thin dark or
  bright line (cut, lamination break) and a shadow outside (a photo standing proud);
* **texture** — high-frequency energy and periodicity inside the photo against the page:
  halftone screens, photo-paper grain, inkjet blur, compression blocks.

A small classifier (``models/photo_substitution``, trained by ``models/train_photo.py``
on generated genuine and substituted pages) combines the features into a score; the
threshold in its model card was chosen on a seeded validation set of genuine pages for a
false-alert rate under the 5 % target. :func:`photo_findings` emits
``PHOTO_SUBSTITUTION_SUSPECTED`` with the photo region and the signs that fired.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage

from screening.documents.forest import CompiledForest, compile_forest
from screening.documents.model_files import load_model_and_card
from screening.documents.registry import Registry, load_registry
from screening.findings import Finding, make_finding

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "photo_substitution"
MODEL_FILE = MODEL_DIR / "model.joblib"
CARD_FILE = MODEL_DIR / "model_card.json"
PHOTO_WIDTH = 200  # the photo is resampled to this width for the border measurements
STRIP = (3, 11)  # depth range of the inside/outside strips, in resampled pixels
PROFILE_REACH = 10

FEATURE_NAMES = (
    "ring_contrast_outside",
    "ring_contrast_inside",
    "ring_continuity",
    "ring_present_inside",
    "ring_offset_inside",
    "ring_aligned_inside",
    "ring_underlay_luminance",
    "ring_continuity_light",
    "ring_light_share",
    "ring_votes",
    "seal_outside",
    "seal_inside",
    "seal_continuity",
    "seal_orphan_inside",
    "seal_lag",
    "seal_colour_distance",
    "edge_line_mean",
    "edge_line_max",
    "edge_line_sign",
    "edge_step_mean",
    "edge_shadow",
    "edge_line_coverage",
    "noise_ratio",
    "noise_inside",
    "fine_coarse_ratio",
    "fine_coarse_outside",
    "periodicity_inside",
    "periodicity_outside",
)


def _gray(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.float32)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def _seal_mask(rgb: np.ndarray) -> np.ndarray:
    r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
    chroma = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    gray = 0.299 * r + 0.587 * g + 0.114 * b
    # Seal inks are violet/blue/purple: blue well above green, saturated, and (being
    # semi-transparent) never as dark as printed or written text.
    return ((b - g) > 22) & (chroma > 28) & (gray > 75)


@dataclass(frozen=True, slots=True)
class _Crop:
    rgb: np.ndarray  # resampled crop, float32
    box: tuple[int, int, int, int]  # photo box inside the crop (resampled pixels)


def _resampled_crop(rgb: np.ndarray, box: tuple[int, int, int, int]) -> _Crop:
    x, y, w, h = box
    margin = int(0.3 * max(w, h))
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(rgb.shape[1], x + w + margin), min(rgb.shape[0], y + h + margin)
    crop = rgb[y0:y1, x0:x1, :3]
    factor = PHOTO_WIDTH / max(1, w)
    size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
    img = Image.fromarray(np.ascontiguousarray(crop.astype(np.uint8))).resize(
        size, Image.Resampling.BILINEAR
    )
    inner = (round((x - x0) * factor), round((y - y0) * factor), PHOTO_WIDTH, round(h * factor))
    return _Crop(rgb=np.asarray(img, np.float32), box=inner)


def _side_strips(
    array: np.ndarray, box: tuple[int, int, int, int], depth: tuple[int, int]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each side: (outside strip, inside strip) as (length x depth) arrays.

    Strips are oriented so index 0 along the depth axis is nearest the border.
    """
    x, y, w, h = box
    d0, d1 = depth
    H, W = array.shape[:2]
    out: list[tuple[np.ndarray, np.ndarray]] = []

    def rows(a: int, b: int) -> slice:
        return slice(max(0, a), max(0, min(H, b)))

    def cols(a: int, b: int) -> slice:
        return slice(max(0, a), max(0, min(W, b)))

    xs, ys = cols(x, x + w), rows(y, y + h)
    # top
    out.append(
        (
            array[rows(y - d1, y - d0), xs][::-1].swapaxes(0, 1),
            array[rows(y + d0, y + d1), xs].swapaxes(0, 1),
        )
    )
    # bottom
    out.append(
        (
            array[rows(y + h + d0, y + h + d1), xs].swapaxes(0, 1),
            array[rows(y + h - d1, y + h - d0), xs][::-1].swapaxes(0, 1),
        )
    )
    # left
    out.append((array[ys, cols(x - d1, x - d0)][:, ::-1], array[ys, cols(x + d0, x + d1)]))
    # right
    out.append(
        (array[ys, cols(x + w + d0, x + w + d1)], array[ys, cols(x + w - d1, x + w - d0)][:, ::-1])
    )
    return out


def _seal_circle(mask_outside: np.ndarray) -> tuple[float, float, float, float] | None:
    """Hough vote for the seal ring among seal pixels outside the photo.

    Each seal pixel on the ring's edge votes for centres one radius away along its
    gradient; returns (cx, cy, r, votes share) of the strongest circle, or None.
    """
    if mask_outside.sum() < 40:
        return None
    smooth = ndimage.gaussian_filter(mask_outside.astype(np.float32), 1.5)
    gy, gx = np.gradient(smooth)
    magnitude = np.hypot(gx, gy)
    ys, xs = np.nonzero(magnitude > 0.08)
    if ys.size < 30:
        return None
    if ys.size > 3000:
        pick = np.linspace(0, ys.size - 1, 3000).astype(int)
        ys, xs = ys[pick], xs[pick]
    nx, ny = gx[ys, xs] / magnitude[ys, xs], gy[ys, xs] / magnitude[ys, xs]
    H, W = mask_outside.shape
    radii = np.arange(int(0.12 * PHOTO_WIDTH), int(0.5 * PHOTO_WIDTH), 2)
    step = 2  # accumulator cell, pixels
    gh, gw = H // step + 1, W // step + 1
    # All radii and both directions in one vote (one bincount).
    r = radii[:, None, None].astype(np.float64)
    sign = np.array([1.0, -1.0])[None, :, None]
    cx = np.round((xs[None, None, :] + sign * r * nx[None, None, :]) / step).astype(int)
    cy = np.round((ys[None, None, :] + sign * r * ny[None, None, :]) / step).astype(int)
    k = np.broadcast_to(np.arange(radii.size)[:, None, None], cx.shape)
    keep = (cx >= 0) & (cx < gw) & (cy >= 0) & (cy < gh)
    flat = (k[keep] * gh + cy[keep]) * gw + cx[keep]
    acc = np.bincount(flat, minlength=radii.size * gh * gw).astype(np.float32)
    acc = ndimage.uniform_filter(acc.reshape(radii.size, gh, gw), size=(1, 3, 3))
    k, cy, cx = np.unravel_index(int(np.argmax(acc)), acc.shape)
    share = float(acc[k, cy, cx] * 9 / max(1, ys.size))
    return float(cx * step), float(cy * step), float(radii[k]), share


def _ring_contrast(crop: _Crop, circle: tuple[float, float, float, float]) -> tuple[float, ...]:
    """Seal-ring presence along the fitted circle outside and inside the photo.

    For each angle, the radial profile of seal-ink signal (blue minus green) across the
    ring gives a prominence: the peak within +-3 px of the ring minus the level 6-8 px
    either side, so photo content under the ring cancels. The ring radius is first
    refined on the outside arc. Returns (outside prominence, inside prominence,
    inside/outside ratio, share of inside angles where the ring is present, median
    radial offset of the ink peak inside, share of inside peaks on the ring, luminance
    of the photo under the ring, continuity where that is light, share of light angles).
    """
    cx, cy, radius, _ = circle
    x, y, w, h = crop.box
    rgb = crop.rgb
    H, W = rgb.shape[:2]
    theta = np.linspace(0, 2 * np.pi, max(64, int(2 * np.pi * radius)), endpoint=False)
    ux, uy = np.cos(theta), np.sin(theta)
    offsets = np.arange(-14, 15)
    rr = radius + offsets[:, None]
    px = cx + rr * ux[None, :]
    py = cy + rr * uy[None, :]
    valid = ((px >= 0) & (px < W) & (py >= 0) & (py < H)).all(axis=0)
    samples = rgb[
        np.clip(np.round(py).astype(int), 0, H - 1), np.clip(np.round(px).astype(int), 0, W - 1)
    ]  # offsets x angles x 3
    on_x, on_y = cx + radius * ux, cy + radius * uy
    inside = (on_x > x + 4) & (on_x < x + w - 4) & (on_y > y + 4) & (on_y < y + h - 4) & valid
    outside = ((on_x < x - 4) | (on_x > x + w + 4) | (on_y < y - 4) | (on_y > y + h + 4)) & valid
    if inside.sum() < 8 or outside.sum() < 8:
        return 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0
    # Refine the radius on the outside arc (the Hough cell is 2 px) with blue-minus-green.
    coarse = samples[..., 2] - samples[..., 1]
    centre = int(np.argmax(coarse[4:-4][:, outside].mean(axis=1))) + 4
    # The seal's own ink colour, learnt on the outside arc: ring minus its surroundings.
    ring_rgb = samples[centre, outside].mean(axis=0)
    side_rgb = np.concatenate(
        [
            samples[max(0, centre - 9) : centre - 5, outside],
            samples[centre + 6 : centre + 10, outside],
        ]
    ).reshape(-1, 3)
    direction = ring_rgb - side_rgb.mean(axis=0)
    # Keep only the ink's hue (remove the grey component): a semi-transparent stamp
    # barely darkens a dark photo but still shifts its colour.
    direction = direction - direction.mean()
    norm = float(np.linalg.norm(direction))
    # Project every sample on that ink hue: photo content under the ring cancels in the
    # prominence, and purple or blue inks are followed equally well.
    profiles = samples @ (direction / norm) if norm > 4.0 else coarse
    # How dark the photo is under the ring: on a dark photo even a genuine stamp is
    # faint, so a missing continuation there means less.
    under = samples[:, inside][[0, 1, 2, -3, -2, -1]].reshape(-1, 3).mean(axis=0)
    luminance = float(0.299 * under[0] + 0.587 * under[1] + 0.114 * under[2]) / 255

    def prominence(columns: np.ndarray) -> np.ndarray:
        block = profiles[:, columns]
        peak = block[centre - 3 : centre + 4].max(axis=0)
        sides = np.concatenate(
            [block[max(0, centre - 9) : centre - 5], block[centre + 6 : centre + 10]], axis=0
        )
        return peak - np.median(sides, axis=0)

    p_out = prominence(outside)
    p_in = prominence(inside)
    c_out, c_in = float(np.median(p_out)), float(np.median(p_in))
    ratio = c_in / c_out if c_out > 3.0 else 1.0
    present = float(np.mean(p_in > max(4.0, 0.4 * c_out)))
    # Where is the ink peak across the ring inside the photo? On a genuine seal it sits
    # on the fitted ring (offset ~0); a re-inked arc sits a few pixels off, varying
    # with the angle.
    block = profiles[:, inside]
    peak_at = np.argmax(block, axis=0) - centre
    strong = block.max(axis=0) - np.median(block, axis=0) > max(4.0, 0.4 * c_out)
    offsets = np.abs(peak_at[strong])
    offset = float(np.median(offsets)) if offsets.size else 0.0
    aligned = float(np.mean(offsets <= 2)) if offsets.size else 1.0
    # The same continuity, counted only where the photo under the ring is light enough
    # for a stamp to show: there a missing ring is telling.
    side = samples[:, inside][[0, 1, 2, -3, -2, -1]]
    lum = (side @ np.array([0.299, 0.587, 0.114], np.float32)).mean(axis=0) / 255
    light = lum > 0.45
    if light.sum() >= 8 and c_out > 3.0:
        ratio_light = float(np.clip(np.median(p_in[light]) / c_out, -2.0, 3.0))
    else:
        ratio_light = 1.0  # nothing to judge: neutral
    return (
        c_out / 255,
        c_in / 255,
        float(np.clip(ratio, -2.0, 3.0)),
        present,
        offset,
        aligned,
        luminance,
        ratio_light,
        float(light.mean()),
    )


def _seal_features(crop: _Crop) -> list[float]:
    mask = _seal_mask(crop.rgb).astype(np.float32)
    total_out = total_in = matched = orphan = 0.0
    lags: list[float] = []
    colours_out: list[np.ndarray] = []
    colours_in: list[np.ndarray] = []
    rgb_strips = _side_strips(crop.rgb, crop.box, STRIP)
    for (m_out, m_in), (c_out, c_in) in zip(
        _side_strips(mask, crop.box, STRIP), rgb_strips, strict=True
    ):
        if m_out.size == 0 or m_in.size == 0 or m_out.shape[0] != m_in.shape[0]:
            continue
        p_out = ndimage.uniform_filter1d(m_out.mean(axis=1), 7)
        p_in = ndimage.uniform_filter1d(m_in.mean(axis=1), 7)
        total_out += float(p_out.sum())
        total_in += float(p_in.sum())
        matched += float(np.minimum(p_out, p_in).sum())
        orphan += float(np.clip(p_in - p_out, 0, None).sum())
        if p_out.sum() > 3 and p_in.sum() > 3:
            best, best_lag = -1.0, 0
            for lag in range(-12, 13):
                score = float(np.dot(p_out, np.roll(p_in, lag)))
                if score > best:
                    best, best_lag = score, lag
            lags.append(abs(best_lag))
        sel_out, sel_in = m_out > 0.5, m_in > 0.5
        if sel_out.sum() >= 15 and sel_in.sum() >= 15:
            colours_out.append(c_out[sel_out].mean(axis=0))
            colours_in.append(c_in[sel_in].mean(axis=0))
    perimeter = 2 * (crop.box[2] + crop.box[3])
    continuity = matched / total_out if total_out > 1.0 else 1.0
    orphan_ratio = orphan / total_in if total_in > 1.0 else 0.0
    colour = (
        float(np.linalg.norm(np.mean(colours_out, axis=0) - np.mean(colours_in, axis=0)) / 255)
        if colours_out
        else 0.0
    )
    outside_only = mask.astype(bool).copy()
    x, y, w, h = crop.box
    outside_only[max(0, y - 2) : y + h + 2, max(0, x - 2) : x + w + 2] = False
    circle = _seal_circle(outside_only)
    ring = _ring_contrast(crop, circle) if circle else (0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0)
    return [
        *ring,
        circle[3] if circle else 0.0,
        total_out / perimeter,
        total_in / perimeter,
        continuity,
        orphan_ratio,
        float(max(lags)) if lags else 0.0,
        colour,
    ]


def _edge_features(crop: _Crop) -> list[float]:
    gray = _gray(crop.rgb)
    x, y, w, h = crop.box
    H, W = gray.shape
    lines, signs, steps, shadows, coverage = [], [], [], [], []
    reach = PROFILE_REACH
    sides = []
    # Perpendicular profiles, outside -> inside, index `reach` on the border line.
    trim_w, trim_h = int(w * 0.12), int(h * 0.12)
    if y - reach >= 0:
        sides.append(gray[y - reach : y + reach + 1, x + trim_w : x + w - trim_w])
    if y + h + reach < H:
        sides.append(gray[y + h - reach - 1 : y + h + reach, x + trim_w : x + w - trim_w][::-1])
    if x - reach >= 0:
        sides.append(gray[y + trim_h : y + h - trim_h, x - reach : x + reach + 1].T)
    if x + w + reach < W:
        sides.append(gray[y + trim_h : y + h - trim_h, x + w - reach - 1 : x + w + reach].T[::-1])
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
        outside = profile[: centre - 5].mean()
        inside = profile[centre + 6 :].mean()
        steps.append(float(abs(outside - inside)))
        shadows.append(float(profile[:4].mean() - profile[centre - 5 : centre - 1].mean()))
        # How much of the side carries a line: a cut or laminate edge runs the whole way.
        local = profile2d[centre - 3 : centre + 4]
        far = (
            profile2d[centre - 8 : centre - 5].mean(axis=0)
            + profile2d[centre + 6 : centre + 9].mean(axis=0)
        ) / 2
        per_position = np.abs(local - far[None, :]).max(axis=0)
        coverage.append(float(np.mean(per_position > 25)))
    if not lines:
        return [0.0] * 6
    return [
        float(np.mean(lines)) / 255,
        float(np.max(lines)) / 255,
        float(np.mean(signs)),
        float(np.mean(steps)) / 255,
        float(np.max(shadows)) / 255,
        float(np.mean(coverage)),
    ]


def _periodicity(patch: np.ndarray) -> float:
    if min(patch.shape) < 24:
        return 0.0
    patch = patch - ndimage.gaussian_filter(patch, 2.0)
    spectrum = np.abs(
        np.fft.rfft2(
            patch * np.hanning(patch.shape[0])[:, None] * np.hanning(patch.shape[1])[None, :]
        )
    )
    fy = np.abs(np.fft.fftfreq(patch.shape[0]))[:, None]
    fx = np.fft.rfftfreq(patch.shape[1])[None, :]
    band = np.hypot(fy, fx) > 0.08
    values = spectrum[band]
    if values.size == 0:
        return 0.0
    return float(np.log((values.max() + 1e-6) / (np.median(values) + 1e-6)))


def _texture_features(rgb: np.ndarray, box: tuple[int, int, int, int]) -> list[float]:
    """Texture at native resolution: the print texture lives in the finest pixels.

    Inside: a central patch of the photo (at most 160 x 160). Outside: four patches of
    page just beyond the photo's sides. Ratios inside/outside cancel the capture.
    """
    x, y, w, h = box
    gray = _gray(rgb)
    H, W = gray.shape
    side = min(160, int(w * 0.76), int(h * 0.76))
    cx, cy = x + w // 2, y + h // 2
    inner = gray[cy - side // 2 : cy + side // 2, cx - side // 2 : cx + side // 2]
    gap, depth = 6, max(12, min(48, int(0.15 * w)))
    length = min(160, int(h * 0.6))
    patches = [
        gray[cy - length // 2 : cy + length // 2, max(0, x - gap - depth) : max(0, x - gap)],
        gray[cy - length // 2 : cy + length // 2, x + w + gap : min(W, x + w + gap + depth)],
        gray[max(0, y - gap - depth) : max(0, y - gap), cx - length // 2 : cx + length // 2],
        gray[y + h + gap : min(H, y + h + gap + depth), cx - length // 2 : cx + length // 2],
    ]
    patches = [p for p in patches if min(p.shape) >= 10]
    if inner.size < 400 or not patches:
        return [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]

    def noise_floor(img: np.ndarray) -> float:
        hp = img - ndimage.uniform_filter(img, 3)
        local = np.sqrt(ndimage.uniform_filter(hp * hp, 7))
        return float(np.percentile(local, 20)) + 1e-3

    def fine_coarse(img: np.ndarray) -> float:
        g1 = ndimage.gaussian_filter(img, 0.8)
        fine = np.abs(img - g1)
        coarse = np.abs(g1 - ndimage.gaussian_filter(img, 2.5))
        return float(fine.mean() / (coarse.mean() + 1e-3))

    n_in = noise_floor(inner)
    n_out = float(np.median([noise_floor(p) for p in patches]))
    largest = max(patches, key=lambda p: p.size)
    return [
        n_in / n_out,
        n_in,
        fine_coarse(inner),
        float(np.median([fine_coarse(p) for p in patches])),
        _periodicity(inner[:128, :128]),
        _periodicity(largest[:128, :128]),
    ]


def photo_box_fits(rgb: np.ndarray, box: tuple[int, int, int, int] | list[int]) -> bool:
    """True when ``box`` is a usable photo area inside the image."""
    x, y, w, h = (int(v) for v in box)
    return (
        w >= 16
        and h >= 16
        and x >= 0
        and y >= 0
        and x + w <= rgb.shape[1]
        and (y + h <= rgb.shape[0])
    )


def photo_features(rgb: np.ndarray, box: tuple[int, int, int, int] | list[int]) -> np.ndarray:
    """The feature vector (order :data:`FEATURE_NAMES`) for the photo at ``box``."""
    box_t = tuple(int(v) for v in box)
    if not photo_box_fits(rgb, box_t):
        raise ValueError(f"photo box {list(box_t)} outside the image {rgb.shape[1]}x{rgb.shape[0]}")
    crop = _resampled_crop(rgb, box_t)  # type: ignore[arg-type]
    return np.array(
        _seal_features(crop) + _edge_features(crop) + _texture_features(rgb, box_t),  # type: ignore[arg-type]
        dtype=np.float32,
    )


def locate_photo(
    rgb: np.ndarray, template: tuple[float, float, float, float]
) -> tuple[int, int, int, int]:
    """Refine a layout template (fractions of page width/height) to the photo's edges.

    Each side moves within +-6 % of the page to the line of strongest mean gradient
    across it; the template is the edition's photo zone (``layout.photo_zone``).
    """
    gray = _gray(rgb)
    H, W = gray.shape
    fx, fy, fw, fh = template
    x0, y0, x1, y1 = fx * W, fy * H, (fx + fw) * W, (fy + fh) * H
    gx = np.abs(np.diff(gray, axis=1))
    gy = np.abs(np.diff(gray, axis=0))
    search_x, search_y = int(0.06 * W), int(0.06 * H)

    def best_col(c: float, r0: float, r1: float) -> int:
        rows = slice(int(r0), int(r1))
        lo, hi = max(0, int(c) - search_x), min(W - 1, int(c) + search_x)
        if hi <= lo:
            return int(c)
        scores = gx[rows, lo:hi].mean(axis=0)
        return lo + int(np.argmax(scores))

    def best_row(r: float, c0: float, c1: float) -> int:
        cols = slice(int(c0), int(c1))
        lo, hi = max(0, int(r) - search_y), min(H - 1, int(r) + search_y)
        if hi <= lo:
            return int(r)
        scores = gy[lo:hi, cols].mean(axis=1)
        return lo + int(np.argmax(scores))

    left, right = best_col(x0, y0, y1), best_col(x1, y0, y1) + 1
    top, bottom = best_row(y0, x0, x1), best_row(y1, x0, x1) + 1
    if right - left < 16 or bottom - top < 16:
        return (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
    return (left, top, right - left, bottom - top)


def photo_box_from_mrz(
    rgb: np.ndarray,
    mrz_text_box: tuple[int, int, int, int] | list[int],
    fmt: str,
    *,
    registry: Registry | None = None,
) -> tuple[int, int, int, int] | None:
    """The photo box predicted from the MRZ text box (image pixels), then refined.

    The MRZ gives the page's scale (its width is a fixed number of 2.54 mm cells) and
    position; the photo zone sits at a fixed offset from it (``[layout_defaults.
    mrz_anchored_photo]``). Each side is then moved to the strongest straight edge
    within 2.5 mm. None for formats without an anchor (TD1: MRZ on the back).
    """
    registry = registry or load_registry()
    if fmt not in registry.mrz_anchored_photo:
        return None
    width_mm, (dx, dy, w, h) = registry.mrz_anchored_photo[fmt]
    mx, my, mw, _ = (int(v) for v in mrz_text_box)
    ppm = mw / width_mm
    x0, y0 = mx + dx * ppm, my + dy * ppm
    box = (round(x0), round(y0), round(w * ppm), round(h * ppm))
    if not photo_box_fits(rgb, box):
        return None
    return _refine_box(rgb, box, reach=max(2, round(2.5 * ppm)))


def _refine_box(
    rgb: np.ndarray, box: tuple[int, int, int, int], *, reach: int
) -> tuple[int, int, int, int]:
    gray = _gray(rgb)
    H, W = gray.shape
    x, y, w, h = box
    gx = np.abs(np.diff(gray, axis=1))
    gy = np.abs(np.diff(gray, axis=0))
    inset_x, inset_y = int(0.15 * w), int(0.15 * h)

    def col(c: int) -> int:
        lo, hi = max(0, c - reach), min(W - 1, c + reach + 1)
        scores = gx[y + inset_y : y + h - inset_y, lo:hi].mean(axis=0)
        return lo + int(np.argmax(scores)) if scores.size else c

    def row(r: int) -> int:
        lo, hi = max(0, r - reach), min(H - 1, r + reach + 1)
        scores = gy[lo:hi, x + inset_x : x + w - inset_x].mean(axis=1)
        return lo + int(np.argmax(scores)) if scores.size else r

    left, right = col(x), col(x + w - 1) + 1
    top, bottom = row(y), row(y + h - 1) + 1
    if right - left < 0.8 * w or bottom - top < 0.8 * h:
        return box
    return (left, top, right - left, bottom - top)


@dataclass(frozen=True, slots=True)
class PhotoModel:
    classifier: Any
    threshold: float
    forest: CompiledForest | None = None

    def score(self, features: np.ndarray) -> float:
        if self.forest is not None:
            return float(self.forest.positive_proba(features[None, :])[0])
        return float(self.classifier.predict_proba(features[None, :])[0, 1])


@cache
def load_model(path: Path = MODEL_FILE) -> PhotoModel:
    classifier, card = load_model_and_card(
        path, what="photo-substitution", rebuild="models.train_photo"
    )
    return PhotoModel(
        classifier=classifier,
        threshold=float(card["threshold"]),
        forest=compile_forest(classifier),
    )


@dataclass(frozen=True, slots=True)
class PhotoAssessment:
    box: tuple[int, int, int, int]
    score: float
    threshold: float
    features: dict[str, float]

    @property
    def suspected(self) -> bool:
        return self.score >= self.threshold

    def signs(self) -> list[str]:
        """Plain-language signs, for the officer, from the features that stand out."""
        f = self.features
        out = []
        if f["seal_outside"] > 0.01 and f["seal_continuity"] < 0.5:
            out.append("the seal on the page does not continue onto the photo")
        elif f["seal_lag"] >= 4 or f["seal_colour_distance"] > 0.12:
            out.append("the seal arc on the photo is shifted or in another ink")
        if f["edge_line_max"] > 0.2 or f["edge_shadow"] > 0.08:
            out.append("a hard edge, cut line or lamination break around the photo")
        if f["noise_ratio"] > 2.0 or f["noise_ratio"] < 0.5 or f["periodicity_inside"] > 4.0:
            out.append("the photo's print texture differs from the page")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": list(self.box),
            "score": round(self.score, 3),
            "threshold": self.threshold,
            "suspected": self.suspected,
            "signs": self.signs(),
        }


def assess_photo(
    rgb: np.ndarray, box: tuple[int, int, int, int] | list[int], *, model: PhotoModel | None = None
) -> PhotoAssessment:
    """Score the photo at ``box`` (image pixels) for signs of substitution."""
    model = model or load_model()
    features = photo_features(rgb, box)
    score = model.score(features)
    return PhotoAssessment(
        box=tuple(int(v) for v in box),  # type: ignore[arg-type]
        score=score,
        threshold=model.threshold,
        features={n: float(v) for n, v in zip(FEATURE_NAMES, features, strict=True)},
    )


def photo_findings(
    assessment: PhotoAssessment, *, registry: Registry | None = None
) -> list[Finding]:
    """``PHOTO_SUBSTITUTION_SUSPECTED`` with the region, when the score passes the threshold."""
    if not assessment.suspected:
        return []
    registry = registry or load_registry()
    signs = assessment.signs() or ["the photo differs from the page around it"]
    return [
        make_finding(
            "PHOTO_SUBSTITUTION_SUSPECTED",
            "The photograph may have been replaced: " + "; ".join(signs) + ".",
            region=assessment.box,
            score=round(assessment.score, 3),
            threshold=assessment.threshold,
            signs=signs,
            checklist=list(registry.checklists["photo"]),
        )
    ]
