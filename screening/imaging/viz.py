"""Visual zone vs MRZ: read the printed fields and compare them with the MRZ.

The data page is cut out above the located MRZ band, in the band's own reading frame (so
rotation and skew are already undone), downscaled to a fixed text size and read once by
Tesseract. The printed values are then found by what they look like, not by a layout
table, so any issuer's page works:

* document number: a token of the MRZ number's length; a confidently read token one or two
  characters away from the MRZ number (look-alikes folded: 0/O, 1/I, ...) is a mismatch,
  even when another copy of the number on the page matches;
* dates: every ``dd.mm.yyyy``-like date on the page; the birth date is the earliest date
  printed, the expiry date the latest (issue dates lie between);
* surname: the MRZ surname must appear; if it does not while the given names do, the
  Latin word printed just above the given names is taken as the printed surname.

A value that cannot be read confidently gives ``VIZ_UNREADABLE`` (info), never an alert:
an alert needs a confidently read printed value that differs from the MRZ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import pytesseract

from screening.findings import Finding, make_finding
from screening.imaging import tesseract
from screening.imaging.load import LoadedImage
from screening.imaging.mrz_image import ImageMrz
from screening.mrz import MrzReport

TEXT_CHAR_H = 15.0  # MRZ character height after resampling; VIZ text comes out similar
REGION_ABOVE = 3.4  # region height above the band, in band heights
MIN_CONF = 80.0
DATE = re.compile(r"(?<!\d)(\d{2})[.\-/ ,](\d{2})[.\-/ ,](\d{4}|\d{2})(?!\d)")
FOLD = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8",
                      "Z": "2", "G": "6"})
CONFIG = "--psm 6 --oem 1"


@dataclass(slots=True)
class VizOutcome:
    findings: list[Finding] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    conf: float
    x: float
    y: float
    h: float


def viz_region(gray: np.ndarray, mrz: ImageMrz) -> tuple[np.ndarray, np.ndarray] | None:
    """The page above the MRZ, upright; and the 2x3 map from region to input pixels."""
    read = mrz.read
    if read is None:
        return None
    first = read.lines[0]
    last = read.lines[-1]
    u = first.cell_points[-1] - first.cell_points[0]
    length = float(np.linalg.norm(u))
    if length < 1:
        return None
    u = u / length
    n = np.array([-u[1], u[0]])
    char_h = float(np.median([ln.cell_height for ln in read.lines]))
    origin = first.cell_points[0] - u * 2 * char_h - n * 0.9 * char_h  # top-left of band
    band_h = float((last.cell_points[0] - first.cell_points[0]) @ n) + 1.8 * char_h
    scale = TEXT_CHAR_H / max(char_h, 1.0)
    height_in = REGION_ABOVE * band_h
    width_in = length + 4 * char_h
    top_left = origin - n * height_in
    to_input = np.zeros((2, 3))
    to_input[:, 0] = u / scale
    to_input[:, 1] = n / scale
    to_input[:, 2] = top_left
    size = (round(width_in * scale), round(height_in * scale))
    if size[0] < 50 or size[1] < 30:
        return None
    region = cv2.warpAffine(
        gray, to_input, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return region, to_input


def read_words(region: np.ndarray) -> list[Word]:
    tesseract.ensure_tesseract()
    try:
        data = pytesseract.image_to_data(
            region, lang="eng", config=CONFIG, output_type=pytesseract.Output.DICT,
            timeout=tesseract.TIMEOUT_S,
        )
    except (RuntimeError, pytesseract.TesseractError):
        return []
    words = []
    for text, conf, x, y, h in zip(
        data["text"], data["conf"], data["left"], data["top"], data["height"], strict=True
    ):
        text = str(text).strip().upper()
        if text:
            words.append(Word(text, float(conf), float(x), float(y), float(h)))
    return words


def _hamming(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def _dates(words: list[Word]) -> list[tuple[int, int, int, float]]:
    """(year, month, day, conf) of every printed date; two-digit years kept as read."""
    found = []
    for i, word in enumerate(words):
        # Dates may be split into tokens ("18 08 2001"): look at a word and its neighbours.
        joined = " ".join(w.text for w in words[i : i + 3])
        match = DATE.match(joined)
        if not match:
            continue
        day, month, year = (int(g) for g in match.groups())
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.append((year, month, day, word.conf))
    return found


def _same_date(viz: tuple[int, int, int, float], raw: str) -> bool:
    year, month, day, _ = viz
    return raw == f"{year % 100:02d}{month:02d}{day:02d}"


def _fmt(viz: tuple[int, int, int, float]) -> str:
    year, month, day, _ = viz
    return f"{day:02d}.{month:02d}.{year}"


def compare_viz(
    image: LoadedImage, mrz: ImageMrz, report: MrzReport, use_tesseract: bool
) -> VizOutcome:
    outcome = VizOutcome()
    if not use_tesseract:
        return outcome
    cut = viz_region(image.gray, mrz)
    if cut is None:
        return outcome
    return compare_words(read_words(cut[0]), report.fields, mrz.region)


def compare_words(
    words: list[Word], fields: dict[str, Any], region: tuple[int, int, int, int] | None
) -> VizOutcome:
    """The comparison rules on the words read from the visual zone (pure)."""
    outcome = VizOutcome()
    unreadable: list[str] = []

    def mismatch(name: str, printed: str, expected: str) -> None:
        outcome.fields[name] = {"viz": printed, "mrz": expected, "match": False}
        outcome.findings.append(
            make_finding(
                "VIZ_MRZ_MISMATCH",
                f"The printed {name.replace('_', ' ')} ({printed}) differs from the MRZ "
                f"({expected}).",
                field=name,
                value=printed,
                expected=expected,
                source="visual zone",
            )
        )

    # Document number.
    number = str(fields.get("document_number") or "").replace("<", "")
    if number:
        tokens = [(re.sub(r"[^A-Z0-9]", "", w.text), w.conf) for w in words]
        folded = number.translate(FOLD)
        near = [
            t for t, c in tokens
            if len(t) == len(number) and c >= MIN_CONF
            and 1 <= _hamming(t.translate(FOLD), folded) <= 2
        ]
        exact = any(t.translate(FOLD) == folded for t, _ in tokens)
        if near:
            mismatch("document_number", near[0], number)
        elif exact:
            outcome.fields["document_number"] = {"viz": number, "mrz": number, "match": True}
        else:
            unreadable.append("document_number")

    # Dates: birth = earliest printed date, expiry = latest.
    dates = [d for d in _dates(words) if d[3] >= MIN_CONF - 15]
    full = [d for d in dates if d[0] >= 1000]
    for name, raw, pick in (
        ("birth_date", fields.get("birth_date_raw"), min),
        ("expiry_date", fields.get("expiry_date_raw"), max),
    ):
        if not raw or "<" in str(raw):
            continue
        if any(_same_date(d, str(raw)) for d in dates):
            outcome.fields[name] = {"viz": str(raw), "mrz": str(raw), "match": True}
        elif len({d[:3] for d in full}) >= 3:
            # Birth, issue and expiry all legible: the earliest is the birth date, the
            # latest the expiry date. With fewer, a missing one would be mistaken.
            printed = pick(full, key=lambda d: (d[0], d[1], d[2]))
            expected = f"{str(raw)[4:6]}.{str(raw)[2:4]}.(..){str(raw)[0:2]}"
            mismatch(name, _fmt(printed), expected)
        else:
            unreadable.append(name)

    # Surname.
    surname = str(fields.get("surname") or "")
    given = str(fields.get("given_names") or "").split()
    latin = [w for w in words if re.fullmatch(r"[A-Z][A-Z'\-]+", w.text)]
    if surname:
        parts = surname.split()
        present = all(any(w.text == p for w in latin) for p in parts)
        anchor = next((w for w in latin if given and w.text == given[0] and w.conf >= MIN_CONF),
                      None)
        if present:
            outcome.fields["surname"] = {"viz": surname, "mrz": surname, "match": True}
        elif anchor is not None:
            above = [
                w for w in latin
                if w.conf >= MIN_CONF and len(w.text) >= 3
                and 0.5 * anchor.h < anchor.y - w.y < 4.5 * anchor.h
                and w.text not in given
            ]
            if above:
                # The nearest line above; on it, the word nearest the given name's column
                # (on bilingual pages the national spelling comes first).
                row_y = max(w.y for w in above)
                row = [w for w in above if row_y - w.y < 0.5 * anchor.h]
                printed = min(row, key=lambda w: abs(w.x - anchor.x)).text
                mismatch("surname", printed, surname)
            else:
                unreadable.append("surname")
        else:
            unreadable.append("surname")

    if unreadable and not outcome.findings:
        outcome.findings.append(
            make_finding(
                "VIZ_UNREADABLE",
                "Could not read these printed fields to compare with the MRZ: "
                + ", ".join(f.replace("_", " ") for f in unreadable) + ".",
                value=", ".join(unreadable),
                region=region,
            )
        )
    return outcome
