"""Seal continuity across the photo border.

A seal (an ink stamp or an embossed dry seal) is applied over the page and the photo
together: its ring runs on across the border. When the photo is replaced, the new print
carries none of it (the ring stops at the border) or a re-applied impression that misses
the ring by a few pixels, sometimes in another ink.

On the close-up (:mod:`screening.documents.photo_crop`): seal ink (blue well above
green, saturated, not as dark as text) outside the photo votes in a Hough transform for
the ring (centre and radius); along the fitted ring, the radial profile of the seal's
own ink hue gives a *prominence* (the peak on the ring minus the level a few pixels
either side, so the photo under the ring cancels), outside and inside the photo. Strip
profiles of seal ink just inside and outside each border add a second view.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from screening.documents.photo_crop import PHOTO_WIDTH, PhotoCrop

STRIP = (3, 11)  # depth range of the inside/outside strips, in close-up pixels
SEAL_FEATURES = (
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
)


def seal_ink_mask(rgb: np.ndarray) -> np.ndarray:
    r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
    chroma = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    gray = 0.299 * r + 0.587 * g + 0.114 * b
    # Seal inks are violet/blue/purple: blue well above green, saturated, and (being
    # semi-transparent) never as dark as printed or written text.
    return ((b - g) > 22) & (chroma > 28) & (gray > 75)


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


def _ring_contrast(crop: PhotoCrop, circle: tuple[float, float, float, float]) -> tuple[float, ...]:
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


def seal_features(crop: PhotoCrop) -> list[float]:
    """The values of :data:`SEAL_FEATURES` for the close-up."""
    mask = seal_ink_mask(crop.rgb).astype(np.float32)
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
