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

OCR_LINE_H = 30  # pixels: a line box scaled to this height before reading
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
    """One word read on a page; ``box`` in view pixels, ``line`` the index of its line;
    ``chars`` the confidence of each character of ``text`` (empty: ``conf`` for all).
    Tesseract rates a word by its worst character: a date glued to a speck is rated by
    the speck, its own characters by themselves."""

    text: str
    conf: float
    line: int
    box: tuple[float, float, float, float]
    chars: tuple[float, ...] = ()
    read: int = 0  # which read of the line (a line read twice gives two word sequences)

    def span_conf(self, start: int, end: int) -> float:
        """The lowest confidence of characters ``start:end`` of ``text``."""
        if len(self.chars) != len(self.text) or start >= end:
            return self.conf
        return min(self.chars[max(0, start) : end], default=self.conf)


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


def without_small_print(crop: np.ndarray, h: int) -> np.ndarray:
    """``crop`` with glyphs of label size in its top half turned to paper: a label printed
    into its value's band from above (a tight design, a crude overprint) is read as part
    of the value otherwise."""
    ink = (crop < 0.7).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    rows = crop.shape[0]
    tops, heights = stats[:, cv2.CC_STAT_TOP], stats[:, cv2.CC_STAT_HEIGHT]
    # Above the band only: below it sit the value's own dots and commas, on its baseline.
    small = (heights < 0.45 * h) & (tops < 0.3 * rows) & (tops + heights < 0.55 * rows)
    small[0] = False
    if not small.any():
        return crop
    out = crop.copy()
    out[small[labels]] = 1.0
    return out


def line_crop(
    ratio: np.ndarray,
    keep: np.ndarray,
    box: Box,
    height: int,
    masked: bool = True,
    small_print: bool = False,
) -> tuple[np.ndarray, float, int, int]:
    """The line's pixels, kept ink only (all of them unless ``masked``: ink the line finder
    cut apart, a value with a ghost of the old one under it), stretched to full contrast
    and scaled to ``height``: (crop, scale, view x, view y) of its top-left corner."""
    x, y, w, h = box
    margin = max(2, int(0.25 * h))
    x0, y0 = max(0, x - margin), max(0, y - margin // 2)
    x1, y1 = min(ratio.shape[1], x + w + margin), min(ratio.shape[0], y + h + margin // 2)
    crop = ratio[y0:y1, x0:x1]
    if masked:
        crop = np.where(keep[y0:y1, x0:x1], crop, 1.0)
    if small_print:
        crop = without_small_print(crop, h)
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


@dataclass(slots=True)
class Budget:
    """What may still be read, in character widths (a line box's width over its height,
    about one unit per printed character). Tesseract's cost grows with a line's length:
    about 0.7 ms of one core per unit here. Counting units, not clock time, keeps what is
    read the same on a busy machine and on a free one."""

    units: float

    def spend(self, box: Box, zoom: float) -> bool:
        """Take one line's cost; False (nothing taken) when the budget is spent."""
        if self.units <= 0:
            return False
        self.units -= zoom * box[2] / max(box[3], 1)
        return True


def read_lines(
    ratio: np.ndarray,
    keep: np.ndarray,
    boxes: list[Box],
    lines: Iterable[int],
    *,
    lang: str = "eng",
    alphabet: str = "",
    zoom: float = 1.0,
    budget: Budget | None = None,
    read: int = 0,
    masked: bool = True,
    small_print: bool = False,
) -> list[Word]:
    """Words of ``lines`` (indices into ``boxes``), each line read on its own, while
    ``budget`` lasts."""
    from PIL import Image

    api = _api(lang)
    api.SetVariable("tessedit_char_whitelist", alphabet)
    words: list[Word] = []
    height = round(OCR_LINE_H * zoom)
    for index in lines:
        if budget is not None and not budget.spend(boxes[index], zoom):
            break
        img, scale, vx, vy = line_crop(ratio, keep, boxes[index], height, masked, small_print)
        api.SetImage(Image.fromarray(img))
        api.Recognize()
        words += [
            Word(w.text, w.conf, w.line, w.box, w.chars, read)
            for w in _words(api, index, scale, vx, vy)
        ]
    return words


def _words(api, line: int, scale: float, vx: int, vy: int) -> list[Word]:
    """The words of the last recognised line, with their characters' confidences."""
    import tesserocr

    out: list[Word] = []
    iterator = api.GetIterator()
    if iterator is None:
        return out
    symbol, word = tesserocr.RIL.SYMBOL, tesserocr.RIL.WORD
    current: list = []  # [text, chars, conf, bbox] of the word being read
    for item in tesserocr.iterate_level(iterator, symbol):
        if item.IsAtBeginningOf(word) or not current:
            if current:
                out.append(_word(current, line, scale, vx, vy))
            current = ["", [], float(item.Confidence(word)), item.BoundingBox(word)]
        try:
            text = (item.GetUTF8Text(symbol) or "").upper()
        except RuntimeError:  # an empty symbol
            continue
        current[0] += text
        current[1] += [float(item.Confidence(symbol))] * len(text)
    if current:
        out.append(_word(current, line, scale, vx, vy))
    return [w for w in out if w.text.strip()]


def _word(current: list, line: int, scale: float, vx: int, vy: int) -> Word:
    text, chars, conf, bbox = current
    left, top, right, bottom = bbox or (0, 0, 0, 0)
    box = (
        vx + (left - PAD) / scale,
        vy + (top - PAD) / scale,
        (right - left) / scale,
        (bottom - top) / scale,
    )
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    return Word(stripped, conf, line, box, tuple(chars[lead : lead + len(stripped)]))
