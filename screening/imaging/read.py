"""Our own MRZ reader: located band -> oriented lines -> cells -> OCR-B characters.

For each band candidate both reading directions are tried (the 180-degree trap), and for
two-line bands both line lengths (36 and 44). Every hypothesis is scored by the
classifier's confidence and by how many check digits pass; the best one wins.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from screening.imaging.deblur import band_blur, band_region, deblurred
from screening.imaging.fuse import DOCUMENT_CODE_FIRST, check_states
from screening.imaging.locate import (
    ALL_ANGLES,
    FAST_ANGLES,
    BandCandidate,
    TextMap,
    find_bands,
    text_map,
)
from screening.imaging.ocrb import CharRead, crop_cells, decode, load_classifier
from screening.imaging.segment import (
    Cells,
    GlyphRows,
    Strip,
    glyph_rows,
    line_strip,
    segment_line,
    turned_rows,
    turned_strip,
)
from screening.mrz.formats import FORMATS_BY_NAME, MrzFormat

LENGTHS_BY_LINES = {3: (30,), 2: (44, 36)}
# A read passing every check digit with every character above this is beyond doubt:
# a 180-degree or wrong-length read never gets there.
CONFIDENT_READ = 0.9
# Smear lengths tried around the measured one (pixels), most likely first.
DEBLUR_LENGTH_OFFSETS = (0.0, -1.0, 1.0)
DEBLUR_BANDS = 2  # the best-read bands that are deconvolved (robust attempt)


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
    # (length px, angle deg) of the motion smear undone before this read, if any.
    deblurred: tuple[float, float] | None = None

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
    # Position of cell 0 along the reading direction and pitch, in input pixels, once per
    # candidate (the combinations only pick among them).
    placed = [
        [_start_and_pitch(strip, cells) for cells in options]
        for strip, options in zip(strips, candidates, strict=True)
    ]
    ranked: list[tuple[float, tuple[int, ...]]] = []
    for combo in itertools.product(*(range(len(c)) for c in candidates)):
        starts = [placed[li][k][0] for li, k in enumerate(combo)]
        pitch = sum(placed[li][k][1] for li, k in enumerate(combo)) / len(combo)
        spread = (max(starts) - min(starts)) / max(pitch, 1e-6)
        weight = sum(candidates[li][k].weight for li, k in enumerate(combo))
        ranked.append((weight - 2.0 * spread, combo))
    ranked.sort(key=lambda t: -t[0])
    return [[candidates[li][k] for li, k in enumerate(combo)] for _, combo in ranked[:limit]]


def _start_and_pitch(strip: Strip, cells: Cells) -> tuple[float, float]:
    """Where cell 0 lies along the reading direction, and the pitch (input pixels)."""
    mid = (cells.top + cells.bottom) / 2
    first = strip.to_input @ np.array([cells.centers[0], mid, 1.0])
    step = float(np.linalg.norm(strip.to_input[:, 0]))
    return float(first @ (strip.to_input[:, 0] / step)), float(np.median(cells.pitch)) * step


def _with_aligned_windows(strips: list[Strip], candidates: list[list[Cells]]) -> list[list[Cells]]:
    """A line whose window starts pitches away from where the other lines start (glare
    faded its first characters, so its longest run of glyphs begins mid-line) also gets
    the window the other lines put it at: MRZ lines start at the same x. The reads and
    their check digits decide between the two."""
    if len(strips) < 2 or any(not c for c in candidates):
        return candidates
    placed = [_start_and_pitch(strip, c[0]) for strip, c in zip(strips, candidates, strict=True)]
    pitch = float(np.median([p for _, p in placed]))
    out = [list(c) for c in candidates]
    for li, strip in enumerate(strips):
        others = [k for k in range(len(strips)) if k != li]
        starts = [placed[k][0] for k in others]
        if max(starts) - min(starts) > 0.5 * pitch:
            continue  # the other lines disagree among themselves
        if abs(placed[li][0] - float(np.median(starts))) < 1.5 * pitch:
            continue
        ref_strip, ref = strips[others[0]], candidates[others[0]][0]
        mid = (ref.top + ref.bottom) / 2
        points = ref_strip.to_input @ np.stack(
            [ref.centers, np.full(len(ref.centers), mid), np.ones(len(ref.centers))]
        )
        back = cv2.invertAffineTransform(strip.to_input)
        centers = (back @ np.vstack([points, np.ones(points.shape[1])]))[0]
        scale = float(np.linalg.norm(ref_strip.to_input[:, 0])) / float(
            np.linalg.norm(strip.to_input[:, 0])
        )
        own = candidates[li][0]
        out[li].append(replace(own, centers=centers, pitch=ref.pitch * scale, leftover=0.0))
    return out


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
    band: BandCandidate,
    strips: list[Strip],
    rows: list[GlyphRows | None],
    reverse: bool,
    n_chars: int,
) -> MrzRead | None:
    """Read the band one way at one line length; ambiguous layouts are read and scored."""
    # The band's lines share one pitch: their median ink period (input pixels) holds
    # where one line's alone is off (a run of fillers smeared into one bar).
    scales = [float(np.linalg.norm(strip.to_input[:, 0])) for strip in strips]
    periods = [r.period * sc for r, sc in zip(rows, scales, strict=True) if r and r.period]
    shared = float(np.median(periods)) if len(periods) >= 2 else None
    candidates = [
        segment_line(strip.image, n_chars, rows=r, period=shared / sc if shared else None)
        if r is not None
        else []
        for strip, r, sc in zip(strips, rows, scales, strict=True)
    ]
    candidates = _with_aligned_windows(strips, candidates)
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
    """Best hypothesis over both reading directions and line lengths; stops at the
    first read that is beyond doubt.

    Each line is resampled and its glyphs found once (wide enough for the longest
    line); reading it the other way round uses the same strip turned by 180 degrees.
    """
    lengths = LENGTHS_BY_LINES.get(len(band.lines), ())
    if not lengths:
        return None
    forward = [line_strip(gray, line, False, max(lengths)) for line in band.lines]
    forward_rows = [glyph_rows(strip.image) for strip in forward]
    views: dict[bool, tuple[list[Strip], list[GlyphRows | None]]] = {False: (forward, forward_rows)}
    best: MrzRead | None = None
    for n_chars in lengths:
        for reverse in (False, True):
            if reverse not in views:
                views[True] = (
                    [turned_strip(s) for s in forward][::-1],
                    [
                        None if r is None else turned_rows(r, s.image.shape)
                        for s, r in zip(forward, forward_rows, strict=True)
                    ][::-1],
                )
            strips, rows = views[reverse]
            hyp = _read_hypothesis(band, strips, rows, reverse, n_chars)
            if hyp is not None and (best is None or hyp.score > best.score):
                best = hyp
            if best is not None and _confident(best):
                return best
    return best


def read_deblurred(gray: np.ndarray, read: MrzRead) -> MrzRead | None:
    """``read``'s band deconvolved by the motion smear measured on it, read again.

    The measured length and lengths one pixel either side (the measure is good to about
    a pixel) are tried; the best-scoring read is returned, or None when the band shows
    no smear or no deconvolved read beats ``read``.
    """
    band = read.band
    region = band_region(gray, band)
    blur = band_blur(gray, band)
    if not blur.smeared:
        return None
    best: MrzRead | None = None
    for offset in DEBLUR_LENGTH_OFFSETS:
        smear = (blur.length + offset, blur.angle)
        hyp = read_band(deblurred(gray, region, *smear), band)
        if hyp is None or hyp.score <= max(read.score, best.score if best else -np.inf):
            continue
        best = replace(hyp, deblurred=smear)
        if _confident(best):
            break
    return best


def _band_key(band: BandCandidate) -> tuple[int, ...]:
    """Rounded line centres: the same band found twice is read once."""
    return tuple(round(v / 4) for line in band.lines for v in line.center)


@dataclass(slots=True)
class ReadMemo:
    """What one image's first attempt learnt, reused by the robust second attempt."""

    text: TextMap | None = None
    bands: dict[tuple[int, ...], MrzRead | None] = field(default_factory=dict)


def read_mrz(
    gray: np.ndarray, max_bands: int = 6, robust: bool = False, memo: ReadMemo | None = None
) -> MrzRead | None:
    """Locate and read the MRZ of a grey page image; None when no band reads plausibly.

    ``robust`` (a second attempt, several times the cost): look for lines at every angle
    and for lines run together into one blob (motion blur, low resolution), and undo a
    motion smear on the best-read bands. ``memo`` carries the bands already read by an
    earlier attempt on the same image.
    """
    memo = memo if memo is not None else ReadMemo()
    if memo.text is None:
        memo.text = text_map(gray)
    reads: list[MrzRead] = []
    for angle in ALL_ANGLES if robust else FAST_ANGLES:
        for band in find_bands(gray, max_bands, angle, memo.text, split_rows=robust):
            key = _band_key(band)
            if key not in memo.bands:
                memo.bands[key] = read_band(gray, band)
            hyp = memo.bands[key]
            if hyp is None:
                continue
            if _confident(hyp):
                return hyp  # fast path: a confident read that passes every check digit
            reads.append(hyp)
    reads.sort(key=lambda r: -r.score)
    if robust:
        for read in reads[:DEBLUR_BANDS]:
            sharp = read_deblurred(gray, read)
            if sharp is not None:
                reads.append(sharp)
                if _confident(sharp):
                    return sharp
    return max(reads, key=lambda r: r.score, default=None)
