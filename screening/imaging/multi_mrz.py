"""Every MRZ in one picture, not only the best one.

A page image may hold two data pages: two passports photographed together, a clean data
page laid over a listed one, the front and back of a card. The reader returns the single
best-scoring band, so a second document would never be screened at all. Here each MRZ
found is painted over with paper and the page is read again, until nothing MRZ-like is
left (or :data:`MAX_DOCUMENTS`).

Built on the reader's public entry points only, cheapest first: band candidates on the
painted page (:func:`find_bands`) whose lines have the length and height of the MRZ just
read (the same OCR-B, 2.54 mm a character, on documents captured together: visual-zone
lines are shorter), a quick :func:`read_band` of those, and the full
:func:`read_image_mrz` (fusion, Tesseract, plausibility gate), which is what reports
text, only for a band passing check digits. Coordinates stay those of the input image.
"""

from __future__ import annotations

import cv2
import numpy as np

from screening.imaging.locate import BandCandidate, find_bands, text_map
from screening.imaging.mrz_image import ImageMrz, MrzStatus, read_image_mrz
from screening.imaging.read import MrzRead, read_band

MAX_DOCUMENTS = 4
# A second band is worth a full read only when the quick read passes this many check
# digits: two passing by chance on text that is no MRZ happens about once in a hundred.
MIN_CHECKS_FOR_A_FULL_READ = 2
# The painted area reaches this many line heights beyond the band on every side: no
# stroke of the MRZ just read may survive to be read again.
MARGIN_LINE_HEIGHTS = 1.0
PAPER_PERCENTILE = 90
# Another MRZ's lines against the one read: at least this share of its line length (a
# TD1 line of 30 characters is 0.68 of a TD3 line of 44) and a line height within this
# factor of it.
MIN_LENGTH_SHARE = 0.5
HEIGHT_FACTOR = 1.6
BANDS_PER_AXIS = 6


def paint_over(gray: np.ndarray, read: MrzRead) -> np.ndarray:
    """A copy of ``gray`` with the band of ``read`` filled with the paper's grey."""
    quad = read.band.quad().astype(np.float32)
    (cx, cy), (w, h), angle = cv2.minAreaRect(quad)
    line_height = float(np.median([line.cell_height for line in read.lines]))
    grow = 2 * MARGIN_LINE_HEIGHTS * line_height
    box = cv2.boxPoints(((cx, cy), (w + grow, h + grow), angle)).astype(np.int32)
    painted = gray.copy()
    paper = int(np.percentile(gray, PAPER_PERCENTILE))
    cv2.fillPoly(painted, [box], paper)
    return painted


def _same_document(a: ImageMrz, b: ImageMrz) -> bool:
    return a.lines == b.lines


def _like_an_mrz(band: BandCandidate, mrz: BandCandidate) -> bool:
    """Lines as long and as tall as those of the MRZ already read."""
    length = max(line.length for line in mrz.lines)
    height = float(np.median([line.height for line in mrz.lines]))
    return all(
        line.length >= MIN_LENGTH_SHARE * length
        and height / HEIGHT_FACTOR <= line.height <= height * HEIGHT_FACTOR
        for line in band.lines
    )


def _worth_a_full_read(gray: np.ndarray, mrz: BandCandidate) -> bool:
    """A band of MRZ-sized lines on ``gray`` whose quick read passes check digits."""
    text = text_map(gray)
    for angle in (0.0, 90.0):  # lines along x, then along y (a quarter-turned document)
        for band in find_bands(gray, limit=BANDS_PER_AXIS, angle=angle, text=text):
            if not _like_an_mrz(band, mrz):
                continue
            quick = read_band(gray, band)
            if quick is not None and quick.checks_passed >= MIN_CHECKS_FOR_A_FULL_READ:
                return True
    return False


def find_more_mrz(
    gray: np.ndarray,
    first: ImageMrz,
    *,
    use_tesseract: bool = True,
    limit: int = MAX_DOCUMENTS,
) -> list[ImageMrz]:
    """The MRZs found in ``gray`` besides ``first`` (the page's read, which must be
    FOUND for anything to be searched), in the order found; at most ``limit - 1``."""
    if first.status is not MrzStatus.FOUND or first.read is None:
        return []
    found = [first]
    painted = paint_over(gray, first.read)
    while len(found) < limit and _worth_a_full_read(painted, first.read.band):
        more = read_image_mrz(painted, use_tesseract=use_tesseract)
        if more.status is not MrzStatus.FOUND or more.read is None:
            break
        if any(_same_document(more, seen) for seen in found):
            break  # a remnant of a band already read: nothing new
        found.append(more)
        painted = paint_over(painted, more.read)
    return found[1:]
