"""Read text lines with Tesseract's library API (tesserocr), one line at a time.

The library is loaded once per process and per language (about 0.3 s), then each line
costs a few milliseconds: no process start per call (the command-line engine costs
50-150 ms a call before it reads a character), so lines can be read one by one, in order
of use, within a time budget, and any line read again cheaply (another scale, another
alphabet, another language).

Each line crop is masked to its kept ink, contrast-stretched (a lighter reprint reads like
the rest) and scaled to one height, so small labels and large values reach the engine at
the size it reads best.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Tesseract's OpenMP threads fight over the cores of a shared checkpoint PC.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import cv2
import numpy as np

from screening.errors import MissingDependencyError
from screening.imaging.viz.page import Box

OCR_LINE_H = 34  # pixels: a line box scaled to this height before reading
PAD = 10
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
# Document values are not words: no dictionaries; every crop is dark ink on light paper.
VARIABLES = {
    "load_system_dawg": "0",
    "load_freq_dawg": "0",
    "tessedit_do_invert": "0",
}
VALUE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-"


@dataclass(frozen=True, slots=True)
class Word:
    """One word read on a page; ``box`` in view pixels, ``line`` the index of its line."""

    text: str
    conf: float
    line: int
    box: tuple[float, float, float, float]


def tessdata_dir() -> str:
    """The folder of Tesseract's language data (``TESSDATA_PREFIX`` first)."""
    for candidate in (os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS):
        if candidate and (Path(candidate) / "eng.traineddata").is_file():
            return candidate
    raise MissingDependencyError(
        "Tesseract language data (eng.traineddata) not found",
        hint="apt-get install tesseract-ocr-eng tesseract-ocr-rus (or set TESSDATA_PREFIX)",
    )


@cache
def _api(lang: str):  # -> tesserocr.PyTessBaseAPI
    try:
        import tesserocr
    except ImportError as exc:  # pragma: no cover - a broken install
        raise MissingDependencyError(
            "the tesserocr module is missing", hint="pip install -e . (pyproject.toml)"
        ) from exc
    try:
        return tesserocr.PyTessBaseAPI(
            path=tessdata_dir(),
            lang=lang,
            psm=tesserocr.PSM.SINGLE_LINE,
            oem=tesserocr.OEM.LSTM_ONLY,
            variables=dict(VARIABLES),
        )
    except RuntimeError as exc:
        raise MissingDependencyError(
            f"Tesseract language data for {lang!r} could not be loaded",
            hint=f"apt-get install tesseract-ocr-{lang.split('+')[0]}",
        ) from exc


def warm_up(*langs: str) -> None:
    """Load the engines now (about 0.3 s each, once per process), not inside a budget."""
    for lang in langs:
        if available(lang):
            _api(lang)


def available(lang: str) -> bool:
    """Whether every language of ``lang`` (e.g. ``eng+rus``) has data installed."""
    try:
        folder = Path(tessdata_dir())
    except MissingDependencyError:
        return False
    return all((folder / f"{part}.traineddata").is_file() for part in lang.split("+"))


def line_crop(
    ratio: np.ndarray, keep: np.ndarray, box: Box, height: int
) -> tuple[np.ndarray, float, int, int]:
    """The line's pixels, kept ink only, stretched to full contrast and scaled to
    ``height``: (crop, scale, view x, view y) of its top-left corner."""
    x, y, w, h = box
    margin = max(2, int(0.25 * h))
    x0, y0 = max(0, x - margin), max(0, y - margin // 2)
    x1, y1 = min(ratio.shape[1], x + w + margin), min(ratio.shape[0], y + h + margin // 2)
    crop = np.where(keep[y0:y1, x0:x1], ratio[y0:y1, x0:x1], 1.0)
    dark = float(np.percentile(crop, 3))
    crop = np.clip((crop - dark) / max(1.0 - dark, 0.05), 0.0, 1.0)
    scale = height / max(h, 1)
    img = cv2.resize(
        (crop * 255).astype(np.uint8),
        None,
        fx=scale,
        fy=scale,
        interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA,
    )
    img = cv2.copyMakeBorder(img, PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT, value=255)
    return img, scale, x0, y0


def read_lines(
    ratio: np.ndarray,
    keep: np.ndarray,
    boxes: list[Box],
    lines: Iterable[int],
    *,
    lang: str = "eng",
    alphabet: str = "",
    zoom: float = 1.0,
    deadline: float | None = None,
) -> list[Word]:
    """Words of ``lines`` (indices into ``boxes``), each line read on its own; lines
    left when ``deadline`` (a ``time.process_time()`` value) has passed are not read."""
    from PIL import Image

    api = _api(lang)
    api.SetVariable("tessedit_char_whitelist", alphabet)
    words: list[Word] = []
    height = round(OCR_LINE_H * zoom)
    for index in lines:
        if deadline is not None and time.process_time() > deadline:
            break
        img, scale, vx, vy = line_crop(ratio, keep, boxes[index], height)
        api.SetImage(Image.fromarray(img))
        api.Recognize()
        words += _words(api, index, scale, vx, vy)
    return words


def _words(api, line: int, scale: float, vx: int, vy: int) -> list[Word]:
    import tesserocr

    out: list[Word] = []
    iterator = api.GetIterator()
    if iterator is None:
        return out
    level = tesserocr.RIL.WORD
    for item in tesserocr.iterate_level(iterator, level):
        try:
            text = (item.GetUTF8Text(level) or "").strip().upper()
        except RuntimeError:  # an empty word
            continue
        bbox = item.BoundingBox(level)
        if not text or bbox is None:
            continue
        left, top, right, bottom = bbox
        box = (
            vx + (left - PAD) / scale,
            vy + (top - PAD) / scale,
            (right - left) / scale,
            (bottom - top) / scale,
        )
        out.append(Word(text, float(item.Confidence(level)), line, box))
    return out
