"""Image -> MRZ text: locate, read with our OCR-B reader, fall back on Tesseract, fuse.

Fast path: when our own reader's read passes every check digit, Tesseract does not run
at all. Otherwise Tesseract reads
the same rectified line strips and :func:`screening.imaging.fuse.fuse` combines both.

Attempts, each only when the ones before gave no MRZ text: the page as captured (lines
upright or quarter-turned); the robust attempt (lines at any angle, lines run together,
a motion smear measured and undone); the page with its light evened out (glare).

A read is reported as MRZ text only when it passes the plausibility gate
(:mod:`screening.imaging.gate`); a band that looks like an MRZ but cannot be read
confidently is ``unreadable``; anything else is ``not_found``. No invented MRZ text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from screening.imaging import tesseract
from screening.imaging.deblur import band_blur
from screening.imaging.fuse import FusedMrz, country_slip, fuse
from screening.imaging.gate import (
    SMEARED_UNCOVERED_CLEAR,
    doubtful_uncovered,
    looks_like_mrz,
    plausible,
)
from screening.imaging.illumination import KERNEL_FRACTIONS, flatten_light
from screening.imaging.read import MrzRead, ReadMemo, count_checks, guess_format, read_mrz

# Below this MRZ character height (input pixels) OCR-B glyphs are no longer told apart
# reliably: such a read is refused, and the scan asks for a better image.
MIN_CHAR_PX = 5.0
# Below this, characters are read (every check digit must then pass) but a failing check
# digit is no evidence of forgery.
LOW_RES_CHAR_PX = 9.0


class MrzStatus(StrEnum):
    FOUND = "found"
    UNREADABLE = "unreadable"
    NOT_FOUND = "not_found"


@dataclass(slots=True)
class ImageMrz:
    status: MrzStatus
    lines: list[str] = field(default_factory=list)
    fused: FusedMrz | None = None
    read: MrzRead | None = None
    tesseract_ran: bool = False
    tesseract_lines: list[str] | None = None
    light_flattened: bool = False  # read on the glare-flattened copy (second attempt)
    robust: bool = False  # read by the robust attempt (any angle, rows split, deblurred)

    @property
    def deblurred(self) -> tuple[float, float] | None:
        """(length px, angle deg) of the motion smear undone before the read, if any."""
        return self.read.deblurred if self.read is not None else None

    @property
    def quad(self) -> list[list[float]] | None:
        return self.read.quad if self.read is not None else None

    @property
    def region(self) -> tuple[int, int, int, int] | None:
        return self.read.band.region() if self.read is not None else None

    @property
    def char_height_px(self) -> float | None:
        if self.read is None:
            return None
        return float(np.median([ln.cell_height for ln in self.read.lines]))

    def cell_region(self, line: int, index: int) -> tuple[int, int, int, int] | None:
        """Input-image box [x, y, w, h] around one character cell."""
        if self.read is None or line >= len(self.read.lines):
            return None
        lr = self.read.lines[line]
        x, y = lr.cell_points[index]
        h = lr.cell_height * 1.3
        return (round(x - h / 2), round(y - h / 2), round(h), round(h))


OTHER_COUNTRY_FIELD = {"nationality": "issuing_country", "issuing_country": "nationality"}


def country_misread(fields: dict[str, object], name: str) -> tuple[str, int] | None:
    """(the other code, index of the one differing character) when the country field
    ``name`` is no ICAO code but one character away from the other country field, which
    is one. No check digit covers these codes: read from an image, such a code is far more
    likely one misread character (BGD read as NGD) than a forger's choice."""
    read = str(fields.get(name) or "")
    other = str(fields.get(OTHER_COUNTRY_FIELD.get(name, "")) or "")
    slip = country_slip(read, other)
    return None if slip is None else (other, slip)


def read_image_mrz(gray: np.ndarray, use_tesseract: bool = True) -> ImageMrz:
    """Read the page as captured; when that gives no MRZ text, once more with the light
    evened out (glare, a shadow), and then with the robust attempt (lines at any angle,
    lines run together, a motion smear undone). On the later attempts only a read
    passing every check digit counts when the capture was glared or smeared."""
    memo = ReadMemo()
    first = _read_gray(gray, use_tesseract, memo=memo)
    if first.status is MrzStatus.FOUND:
        return first
    for fraction in KERNEL_FRACTIONS:
        retry = _read_gray(flatten_light(gray, fraction), use_tesseract, under_glare=True)
        if retry.status is MrzStatus.FOUND:
            retry.light_flattened = True
            return retry
    robust = _read_gray(gray, use_tesseract, memo=memo, robust=True)
    robust.robust = True
    if robust.status is MrzStatus.FOUND or first.status is MrzStatus.NOT_FOUND:
        return robust
    return first


def _read_gray(
    gray: np.ndarray,
    use_tesseract: bool,
    under_glare: bool = False,
    robust: bool = False,
    memo: ReadMemo | None = None,
) -> ImageMrz:
    read = read_mrz(gray, robust=robust, memo=memo)
    if read is None:
        return ImageMrz(MrzStatus.NOT_FOUND)
    if under_glare and not looks_like_mrz(read):
        # Flattening turns paper texture into faint "text"; nothing MRZ-like came of it,
        # and Tesseract on such noise is slow (seconds) for nothing.
        return ImageMrz(MrzStatus.NOT_FOUND)
    fmt = guess_format(read.texts)
    probas = [ln.proba for ln in read.lines]
    fused = fuse(probas, fmt)
    passed, total = count_checks(fused.lines, fmt)
    # A smeared band (motion blur): a failing check digit there is weaker evidence of
    # forgery, and Tesseract, which reads sharp print, is no help on it.
    fast = passed == total
    # Measured (tens of ms) only where it can change the outcome: a failing check digit,
    # or a name or country letter read less than clearly (no check digit covers those).
    measure = not fast or (
        fmt is not None and doubtful_uncovered(fused, fmt, SMEARED_UNCOVERED_CLEAR)
    )
    smeared = read.deblurred is not None or (measure and band_blur(gray, read.band).smeared)
    # Tesseract only where its evidence can change the outcome: a failing check digit
    # (misread or forgery?) on a sharp read that looks like an MRZ (its vote only backs
    # our own candidates: it cannot make a page of other text into one). A read passing
    # every check digit needs no second opinion.
    result = ImageMrz(MrzStatus.NOT_FOUND, read=read, fused=fused)
    if not fast and use_tesseract and not smeared and looks_like_mrz(read):
        tess = tesseract.read_lines([ln.strip for ln in read.lines], len(read.lines))
        result.tesseract_ran = True
        result.tesseract_lines = tess
        if tess is not None:
            result.fused = fused = fuse(probas, fmt, tess)
    too_small = (result.char_height_px or 0.0) < MIN_CHAR_PX
    # Under glare a failing check digit is no evidence of forgery (the characters it
    # covers were faded), nor on a deconvolved band, nor at low resolution (a
    # wrong-looking digit is more likely a misread): only a read passing every check
    # digit is reported there.
    low_res = (result.char_height_px or 0.0) < LOW_RES_CHAR_PX
    # A smear measured on the band read as captured is judged by the gate's smeared
    # rules; a deconvolved band is not sharp at all (the restoration invents detail).
    sharp = not (under_glare or low_res or read.deblurred is not None)
    if plausible(fused, sharp=sharp, smeared=smeared) and not too_small:
        result.status = MrzStatus.FOUND
        result.lines = list(fused.lines)
    elif looks_like_mrz(read):
        result.status = MrzStatus.UNREADABLE
    else:
        result.read = None  # nothing MRZ-like: do not report a region either
    return result
