"""Our own MRZ reader: located band -> oriented lines -> cells -> OCR-B characters.

For each band candidate both reading directions are tried (the 180-degree trap), and for
two-line bands both line lengths (36 and 44). Every hypothesis is scored by the
classifier's confidence and by how many check digits pass; the best one wins.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from screening.imaging.fuse import check_states
from screening.imaging.locate import BandCandidate, find_bands, text_mask
from screening.imaging.ocrb import CharRead, crop_cells, decode, load_classifier
from screening.imaging.segment import Cells, Strip, line_strip, segment_line
from screening.mrz.formats import FORMATS_BY_NAME, MrzFormat

LENGTHS_BY_LINES = {3: (30,), 2: (44, 36)}
DOCUMENT_CODE_FIRST = frozenset("PACIV")
# A read passing every check digit with every character above this is beyond doubt:
# a 180-degree or wrong-length read never gets there.
CONFIDENT_READ = 0.9


@dataclass(frozen=True, slots=True)
class LineRead:
    chars: tuple[CharRead, ...]
    # Class probabilities per cell, columns in ALPHABET order.
    proba: np.ndarray
    # Cell centres mapped back to input-image pixels (for regions of findings).
    cell_points: np.ndarray
    cell_height: float
    strip: np.ndarray  # the rectified grey line, reused by the second engine

    @property
    def text(self) -> str:
        return "".join(c.char for c in self.chars)


@dataclass(frozen=True, slots=True)
class MrzRead:
    lines: tuple[LineRead, ...]
    band: BandCandidate
    reversed: bool
    score: float
    checks_passed: int
    checks_total: int

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def min_confidence(self) -> float:
        return min(c.confidence for line in self.lines for c in line.chars)

    @property
    def quad(self) -> list[list[float]]:
        return [[float(x), float(y)] for x, y in self.band.quad()]


def guess_format(texts: list[str]) -> MrzFormat | None:
    count, length = len(texts), len(texts[0]) if texts else 0
    if count == 3 and length == 30:
        return FORMATS_BY_NAME["TD1"]
    first = texts[0][:1] if texts else ""
    if count == 2 and length == 44:
        return FORMATS_BY_NAME["MRVA" if first == "V" else "TD3"]
    if count == 2 and length == 36:
        return FORMATS_BY_NAME["MRVB" if first == "V" else "TD2"]
    return None


def count_checks(texts: list[str], fmt: MrzFormat | None) -> tuple[int, int]:
    """(passed, total) check digits of ``texts`` under ``fmt``."""
    if fmt is None:
        return 0, 1
    states = check_states(texts, fmt)
    return sum(states), len(states)


def _rank_windows(
    strips: list[Strip], candidates: list[list[Cells]], limit: int = 3
) -> list[list[Cells]]:
    """Cell layouts for all lines, best first: glyph evidence, first cells aligned."""
    if any(not c for c in candidates):
        return []
    ranked: list[tuple[float, tuple[int, ...]]] = []
    for combo in itertools.product(*(range(len(c)) for c in candidates)):
        chosen = [candidates[li][k] for li, k in enumerate(combo)]
        # Position of cell 0 along the reading direction, in input pixels.
        starts = []
        pitches = []
        for strip, cells in zip(strips, chosen, strict=True):
            mid = (cells.top + cells.bottom) / 2
            first = strip.to_input @ np.array([cells.centers[0], mid, 1.0])
            step = float(np.linalg.norm(strip.to_input[:, 0]))
            u = strip.to_input[:, 0] / step
            starts.append(float(first @ u))
            pitches.append(float(np.median(cells.pitch)) * step)
        spread = (max(starts) - min(starts)) / max(float(np.mean(pitches)), 1e-6)
        ranked.append((sum(c.weight for c in chosen) - 2.0 * spread, combo))
    ranked.sort(key=lambda t: -t[0])
    return [[candidates[li][k] for li, k in enumerate(combo)] for _, combo in ranked[:limit]]


def _read_line(strip: Strip, cells: Cells) -> LineRead:
    classifier = load_classifier()
    n_chars = len(cells.centers)
    crops = crop_cells(strip.image, cells.centers, cells.pitch, cells.top, cells.bottom)
    proba = classifier.predict_proba(crops)
    reads = decode(proba, classifier.classes)
    mid = (cells.top + cells.bottom) / 2
    pts = np.stack([cells.centers, np.full(n_chars, mid), np.ones(n_chars)], axis=1)
    cell_points = pts @ strip.to_input.T
    scale = float(np.linalg.norm(strip.to_input[:, 0]))
    return LineRead(
        tuple(reads), proba, cell_points, (cells.bottom - cells.top) * scale, strip.image
    )


def _score(line_reads: list[LineRead], chosen: list[Cells]) -> tuple[float, int, int]:
    texts = [lr.text for lr in line_reads]
    passed, total = count_checks(texts, guess_format(texts))
    confidences = np.array([c.confidence for lr in line_reads for c in lr.chars])
    # Glyphs of the line left outside the cells mean a wrong line length (36 vs 44).
    # Cells over bare paper mean a line read past its end.
    leftover = sum(c.leftover for c in chosen)
    empty = sum(c.empty for c in chosen)
    # Every MRZ starts with its document code: P, A, C, I or V.
    structure = 0.5 if texts[0][:1] in DOCUMENT_CODE_FIRST else 0.0
    score = (
        float(np.mean(np.log(np.clip(confidences, 1e-4, 1.0))))
        + 1.5 * passed / total
        + structure
        - 0.3 * (leftover + empty)
    )
    return score, passed, total


def _read_hypothesis(
    gray: np.ndarray, band: BandCandidate, reverse: bool, n_chars: int
) -> MrzRead | None:
    """Read the band one way at one line length; ambiguous layouts are read and scored."""
    lines = list(band.lines)[::-1] if reverse else list(band.lines)
    strips = [line_strip(gray, line, reverse, n_chars) for line in lines]
    candidates = [segment_line(strip.image, n_chars) for strip in strips]
    cache: dict[tuple[int, int], LineRead] = {}
    best: MrzRead | None = None
    for chosen in _rank_windows(strips, candidates):
        line_reads = []
        for li, cells in enumerate(chosen):
            key = (li, id(cells))
            if key not in cache:
                cache[key] = _read_line(strips[li], cells)
            line_reads.append(cache[key])
        score, passed, total = _score(line_reads, chosen)
        if best is None or score > best.score:
            best = MrzRead(tuple(line_reads), band, reverse, score, passed, total)
    return best


def _confident(read: MrzRead) -> bool:
    return read.checks_passed == read.checks_total and read.min_confidence > CONFIDENT_READ


def read_band(gray: np.ndarray, band: BandCandidate) -> MrzRead | None:
    """Best hypothesis for one band; stops at the first read that is beyond doubt."""
    best: MrzRead | None = None
    for n_chars in LENGTHS_BY_LINES.get(len(band.lines), ()):
        for reverse in (False, True):
            hyp = _read_hypothesis(gray, band, reverse, n_chars)
            if hyp is not None and (best is None or hyp.score > best.score):
                best = hyp
            if best is not None and _confident(best):
                return best
    return best


def read_mrz(gray: np.ndarray, max_bands: int = 6) -> MrzRead | None:
    """Locate and read the MRZ of a grey page image; None when no band reads plausibly."""
    best: MrzRead | None = None
    mask = text_mask(gray)
    for axis in ("x", "y"):
        for band in find_bands(gray, limit=max_bands, axis=axis, mask=mask):
            hyp = read_band(gray, band)
            if hyp is None:
                continue
            if best is None or hyp.score > best.score:
                best = hyp
            if _confident(hyp):
                return hyp  # fast path: a confident read that passes every check digit
    return best
