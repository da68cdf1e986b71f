"""Blocks of an upright page view and what each shows, for the portrait locator.

The view (:mod:`screening.documents.upright`, at :data:`LOCATOR_PX_PER_MM`) is cut into
blocks of :data:`BLOCK` pixels. Each block is described by what sets a printed portrait
apart from the rest of a data page at a few scales round it — large smooth areas with
strong coarse contrast (a face, hair, clothes, a backdrop) where the rest of the page is
fine strokes (text, guilloche) on pale paper — measured relative to the page itself (its
paper level and colour), so a tinted page or a dim capture does not move them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from screening.documents.upright import Upright

LOCATOR_PX_PER_MM = 2.5
BLOCK = 4  # pixels per block side at the locator scale (1.6 mm)

FEATURE_NAMES = (
    "grey_rel_s",
    "grey_rel_l",
    "std_m",
    "std_l",
    "std_xl",
    "fine_m",
    "fine_l",
    "coarse_fine_m",
    "dark_m",
    "dark_l",
    "sat_rel_m",
    "sat_l",
    "edge_m",
    "flat_m",
    "flat_l",
    "paper_m",
    "paper_l",
    "skin_m",
    "skin_l",
    "red_green_m",
    "green_blue_m",
    "vertical_grad_share_m",
)
SCALES = {"s": 1, "m": 3, "l": 5, "xl": 9}  # box-filter sides, in blocks


def _block_means(maps: list[np.ndarray]) -> np.ndarray:
    """Mean of each map over each BLOCK x BLOCK tile (cropped to whole tiles): an array
    (len(maps), rows, cols)."""
    rows, cols = maps[0].shape[0] // BLOCK, maps[0].shape[1] // BLOCK
    stack = np.stack([m[: rows * BLOCK, : cols * BLOCK] for m in maps])
    tiles = stack.reshape(len(maps), rows, BLOCK, cols, BLOCK)
    return tiles.sum(axis=(2, 4), dtype=np.float32) * (1.0 / (BLOCK * BLOCK))


@dataclass(frozen=True, slots=True)
class BlockMaps:
    """Per-block maps of a page view: the locator's features and the block means the
    window descriptor reads (grey relative to the paper, fine-stroke energy, dark,
    saturation, skin-like shares)."""

    features: np.ndarray  # rows x cols x len(FEATURE_NAMES)
    means: dict[str, np.ndarray]  # rows x cols each
    fine_median: float  # the page's typical fine-stroke energy per block

    @property
    def shape(self) -> tuple[int, int]:
        return self.features.shape[:2]  # type: ignore[return-value]


def block_maps(view: Upright) -> BlockMaps:
    """The block maps of ``view``.

    Pixel maps are reduced to block means first; the scales round each block are box
    filters over blocks (1, 3, 5 and 9 blocks: 1.6 to 14 mm).
    """
    rgb = view.rgb.astype(np.float32) * (1.0 / 255.0)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    grey = 0.299 * r + 0.587 * g + 0.114 * b
    valid = view.valid
    sample = grey[valid] if valid.any() else grey.ravel()
    paper = float(np.percentile(sample[::7], 92))
    sat = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    page_sat = float(np.median((sat[valid] if valid.any() else sat.ravel())[::7]))
    smooth = ndimage.uniform_filter(grey, size=3, mode="nearest")
    fine = np.abs(grey - smooth)
    gy, gx = np.gradient(smooth)
    grad = np.hypot(gx, gy)
    dark = (smooth < paper - 0.45).astype(np.float32)
    flat = (grad < 0.012).astype(np.float32)
    paper_like = ((np.abs(smooth - paper) < 0.06) & (sat < page_sat + 0.06)).astype(np.float32)
    skin = ((r > g) & (g > b) & (r - b > 0.1) & (r - b < 0.5) & (grey > 0.25)).astype(np.float32)
    named = {
        "grey": grey, "grey2": grey * grey, "fine": fine, "grad": grad, "dark": dark,
        "flat": flat, "paper": paper_like, "skin": skin, "sat": sat, "rg": r - g,
        "gb": g - b, "vert": np.abs(gx), "absgrad": np.abs(gx) + np.abs(gy),
    }  # fmt: skip
    blocks = dict(zip(named, _block_means(list(named.values())), strict=True))

    def mean(name: str, scale: str) -> np.ndarray:
        size = SCALES[scale]
        block = blocks[name]
        return block if size == 1 else ndimage.uniform_filter(block, size=size, mode="nearest")

    def std(scale: str) -> np.ndarray:
        m = mean("grey", scale)
        return np.sqrt(np.maximum(mean("grey2", scale) - m * m, 0.0))

    fine_m = mean("fine", "m")
    std_m = std("m")
    maps = [
        mean("grey", "s") - paper,
        mean("grey", "l") - paper,
        std_m,
        std("l"),
        std("xl"),
        fine_m,
        mean("fine", "l"),
        std_m / (fine_m + 0.01),
        mean("dark", "m"),
        mean("dark", "l"),
        mean("sat", "m") - page_sat,
        mean("sat", "l"),
        mean("grad", "m"),
        mean("flat", "m"),
        mean("flat", "l"),
        mean("paper", "m"),
        mean("paper", "l"),
        mean("skin", "m"),
        mean("skin", "l"),
        mean("rg", "m"),
        mean("gb", "m"),
        mean("vert", "m") / (mean("absgrad", "m") + 1e-3),
    ]
    means = {name: blocks[name] for name in ("grey", "fine", "dark", "sat", "skin")}
    means["grey"] = means["grey"] - paper
    valid_blocks = block_valid(view, blocks["fine"].shape)
    fine_values = blocks["fine"][valid_blocks] if valid_blocks.any() else blocks["fine"].ravel()
    return BlockMaps(
        features=np.stack(maps, axis=-1).astype(np.float32),
        means=means,
        fine_median=float(np.median(fine_values)) + 1e-3,
    )


def block_features(view: Upright) -> np.ndarray:
    """The locator's features of every block: (rows, cols, len(FEATURE_NAMES))."""
    return block_maps(view).features


def block_valid(view: Upright, shape: tuple[int, int]) -> np.ndarray:
    """Blocks whose centre lies inside the input image."""
    rows, cols = shape
    return view.valid[BLOCK // 2 :: BLOCK, BLOCK // 2 :: BLOCK][:rows, :cols]


def block_labels(
    shape: tuple[int, int], box: tuple[float, ...] | None, ghost: tuple[float, ...] | None = None
) -> np.ndarray:
    """1 inside the portrait box, 0 outside, -1 (left out) on its border and, where a
    ghost image is known, 0 inside it (the hardest negative)."""
    rows, cols = shape
    ys = (np.arange(rows) * BLOCK + BLOCK // 2)[:, None].astype(np.float64)
    xs = (np.arange(cols) * BLOCK + BLOCK // 2)[None, :].astype(np.float64)
    labels = np.zeros(shape, np.int8)
    if box is None:
        return labels
    x, y, w, h = box
    margin = BLOCK * 1.0

    def inside(pad: float) -> np.ndarray:
        return (xs >= x - pad) & (xs <= x + w + pad) & (ys >= y - pad) & (ys <= y + h + pad)

    labels[inside(margin)] = -1
    labels[inside(-margin)] = 1
    return labels
