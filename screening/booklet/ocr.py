"""One Tesseract call for many small crops: stack them into a montage, read it once, and
give each crop its words back. Tesseract starts in ~40 ms and reads a montage of dozens
of crops in about the time of a few single calls, so a whole booklet's page numbers (or
its stamps) cost one process each.

A missing binary is :class:`~screening.errors.MissingDependencyError` (checked before any
work); a Tesseract failure on a montage is a neutral empty result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytesseract

from screening.imaging.tesseract import ensure_tesseract

GAP_PX = 24
# A guard against a hung Tesseract, not a time budget: on a loaded machine one montage
# has taken over 30 s of wall time, and a timeout loses every crop in it at once.
TIMEOUT_S = 180


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    confidence: float  # 0-100 as Tesseract reports it
    line: int  # Tesseract's line number within the crop's block
    box: tuple[int, int, int, int]  # x, y, w, h inside the crop


def read_crops(
    crops: list[np.ndarray],
    *,
    lang: str = "eng",
    psm: int = 6,
    whitelist: str | None = None,
    gap: int = GAP_PX,
) -> list[list[Word]]:
    """Words Tesseract reads in each grey crop (dark text on light ground). ``gap``: white
    space between crops, well above the crops' own line spacing so that no text line of
    one crop is taken for a line of the next."""
    if not crops:
        return []
    ensure_tesseract()
    width = max(c.shape[1] for c in crops) + 2 * gap
    rows, offsets = [], []
    y = gap
    rows.append(np.full((gap, width), 255, np.uint8))
    for crop in crops:
        row = np.full((crop.shape[0], width), 255, np.uint8)
        row[:, gap : gap + crop.shape[1]] = crop
        rows.append(row)
        rows.append(np.full((gap, width), 255, np.uint8))
        offsets.append((y, y + crop.shape[0]))
        y += crop.shape[0] + gap
    montage = np.vstack(rows)
    config = f"--psm {psm} --oem 1 -c load_system_dawg=0 -c load_freq_dawg=0"
    if whitelist:
        config += f" -c tessedit_char_whitelist={whitelist}"
    try:
        data = pytesseract.image_to_data(
            montage,
            lang=lang,
            config=config,
            output_type=pytesseract.Output.DICT,
            timeout=TIMEOUT_S,
        )
    except (RuntimeError, pytesseract.TesseractError):
        return [[] for _ in crops]
    out: list[list[Word]] = [[] for _ in crops]
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if not text:
            continue
        top, height = data["top"][i], data["height"][i]
        centre = top + height / 2
        for k, (y0, y1) in enumerate(offsets):
            if y0 - gap / 2 <= centre < y1 + gap / 2:
                line = data["block_num"][i] * 1000 + data["par_num"][i] * 100 + data["line_num"][i]
                box = (data["left"][i] - gap, top - y0, data["width"][i], height)
                out[k].append(Word(text, float(data["conf"][i]), line, box))
                break
    return out


def lines_of(words: list[Word]) -> list[str]:
    """The crop's text lines, words joined in reading order."""
    by_line: dict[int, list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    return [
        " ".join(w.text for w in sorted(ws, key=lambda w: w.box[0]))
        for _, ws in sorted(by_line.items(), key=lambda item: min(w.box[1] for w in item[1]))
    ]
