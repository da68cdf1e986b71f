"""Pixels for the annotated view: encode a page for embedding, draw outlines onto it
(``explain --png``, the README picture), cut an enlarged crop around a region.

Takes and returns BGR ``uint8`` arrays (OpenCV's order); the outlines come from
:mod:`screening.report.annotate`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

import cv2
import numpy as np

from screening.errors import OutputFileError
from screening.report.annotate import Box, Outline, clip

# One colour per outline kind, BGR; the HTML views use the same ones (COLOURS_CSS).
COLOURS: dict[str, tuple[int, int, int]] = {
    "alert": (48, 0, 224),
    "warning": (0, 140, 255),
    "info": (217, 111, 30),
    "mrz": (90, 90, 90),
    "photo": (160, 60, 150),
    "viz": (60, 150, 40),
    "sign": (200, 180, 0),
}


def css_colour(kind: str) -> str:
    b, g, r = COLOURS.get(kind, COLOURS["info"])
    return f"#{r:02x}{g:02x}{b:02x}"


def encode(bgr: np.ndarray, *, kind: str = "jpeg", quality: int = 85) -> bytes:
    """The array as JPEG or PNG bytes."""
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if kind == "jpeg" else []
    ok, buffer = cv2.imencode(".jpg" if kind == "jpeg" else ".png", bgr, params)
    if not ok:  # pragma: no cover - OpenCV encodes any 8-bit BGR array
        raise OutputFileError(f"cannot encode the image as {kind}")
    return buffer.tobytes()


def data_uri(data: bytes, kind: str = "jpeg") -> str:
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def shrink(bgr: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """The image scaled down so its longer side is at most ``max_side``, and the scale."""
    height, width = bgr.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale >= 1.0:
        return bgr, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(bgr, size, interpolation=cv2.INTER_AREA), scale


def _thickness(bgr: np.ndarray) -> int:
    return max(2, round(max(bgr.shape[:2]) / 500))


def draw_outlines(bgr: np.ndarray, outlines: Iterable[Outline]) -> np.ndarray:
    """A copy of ``bgr`` with every outline drawn and labelled (dashed-looking grey for
    the MRZ band is not worth the code: a thinner line marks the context outlines)."""
    out = bgr.copy()
    thick = _thickness(out)
    font_scale = max(0.5, max(out.shape[:2]) / 1400)
    for outline in outlines:
        x, y, w, h = outline.box
        colour = COLOURS.get(outline.kind, COLOURS["info"])
        context = outline.kind in ("mrz", "photo", "viz")
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, max(1, thick // 2) if context else thick)
        if not context or outline.kind == "mrz":
            label = outline.label.encode("ascii", "replace").decode("ascii")
            origin = (x, max(y - 2 * thick, int(18 * font_scale)))
            cv2.putText(
                out, label, origin, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255),
                thick + 2, cv2.LINE_AA,
            )  # fmt: skip
            cv2.putText(
                out, label, origin, cv2.FONT_HERSHEY_SIMPLEX, font_scale, colour, thick,
                cv2.LINE_AA,
            )  # fmt: skip
    return out


def zoom_box(box: Box, size: tuple[int, int], *, margin: float = 0.35) -> Box:
    """The region around ``box`` a zoomed crop shows: the box plus a margin of context
    (at least a few pixels, more for small boxes), kept on the image."""
    x, y, w, h = box
    pad = max(8, round(margin * max(w, h)), round(1.5 * min(w, h)))
    grown = clip((x - pad, y - pad, w + 2 * pad, h + 2 * pad), size)
    return grown or box


def zoom(
    bgr: np.ndarray, box: Box, *, width: int | None = None, kind: str = "sign"
) -> tuple[np.ndarray, Box]:
    """An enlarged crop around ``box`` with the box outlined, and the crop's region.
    ``width`` of the result: by default at least twice the crop, 360-720 pixels."""
    height_px, width_px = bgr.shape[:2]
    region = zoom_box(box, (width_px, height_px), margin=0.15)
    x, y, w, h = region
    if width is None:
        width = min(720, max(360, 2 * w))
    crop = bgr[y : y + h, x : x + w]
    scale = width / max(1, w)
    size = (width, max(1, round(h * scale)))
    big = cv2.resize(crop, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    bx, by = round((box[0] - x) * scale), round((box[1] - y) * scale)
    bw, bh = round(box[2] * scale), round(box[3] * scale)
    cv2.rectangle(big, (bx, by), (bx + bw, by + bh), COLOURS.get(kind, COLOURS["sign"]), 2)
    return big, region
