"""Look-alike letters and digits judged against the page's own print (O/0, I/1, S/5...).

A document number may hold letters and digits, so a glyph read there as O could be a 0:
neither the field type nor (before the change) the check digit says which. But the page
itself prints both: every digit of a date or check digit is a digit, every letter of a
name or country code a letter, all in the same font, printer and capture. How the
classifier scores the O/0 pair on those cells shows how this page's 0s and Os look to it.
On a glared phone photo every 0 of a page can read as O at 0.97 while its real Os read at
0.99999: the page's own 0s, not a fixed threshold, say where the line lies.

For a look-alike pair (letter L, digit D) the evidence of a cell is
``x = log p(D) - log p(L)``. References: cells of digit-only fields read as D, cells of
letter-only fields read as L. A cell of a mixed field (document number, optional data)
read as L or D is given the side of the references it falls on: between the two classes
when both are printed on the page and apart, within the range of the one class printed
otherwise. Nothing is decided without references, or when the two classes overlap.

Pure functions over the classifier's probabilities; :func:`screening.imaging.fuse.fuse`
records every change as a correction (``page_calibrated``), and the check digits must
then tell the calibrated read apart from the read as printed (see :func:`discriminated`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from screening.imaging.ocrb import ALPHABET
from screening.mrz.formats import FieldKind

DIGIT_ONLY = frozenset({FieldKind.DATE, FieldKind.CHECK})
LETTER_ONLY = frozenset({FieldKind.NAME, FieldKind.COUNTRY, FieldKind.DOC_TYPE})
MIXED = frozenset({FieldKind.NUMBER})
# A cell counts (as reference or as a cell to decide) only when the pair holds most of
# its probability: a cell torn between other characters says nothing about this pair.
PAIR_MASS = 0.5
LOG_FLOOR = 1e-9
# Calibrated cells under one check digit whose reverted subsets are all tried.
MAX_SUBSET_CELLS = 4

Cell = tuple[int, int]  # (line, index)


def letter_digit_pairs(pairs: frozenset[frozenset[str]]) -> list[tuple[str, str]]:
    """(letter, digit) of every look-alike pair that mixes a letter and a digit."""
    out = []
    for pair in pairs:
        a, b = sorted(pair)  # digits sort before letters
        if a.isdigit() and b.isalpha():
            out.append((b, a))
    return sorted(out)


def _evidence(p: np.ndarray, letter: str, digit: str) -> float | None:
    pl, pd = p[ALPHABET.index(letter)], p[ALPHABET.index(digit)]
    if pl + pd < PAIR_MASS:
        return None
    return float(np.log(max(pd, LOG_FLOOR)) - np.log(max(pl, LOG_FLOOR)))


def _side(x: float, letters: list[float], digits: list[float]) -> str | None:
    """'digit', 'letter' or None (no reference says)."""
    if letters and digits:
        low, high = max(letters), min(digits)
        if low >= high:
            return None  # the two classes overlap on this page
        return "digit" if x > (low + high) / 2 else "letter"
    if digits and x >= min(digits):
        return "digit"
    if letters and x <= max(letters):
        return "letter"
    return None


def calibrate(
    probas: Sequence[np.ndarray],
    chars: list[list[str]],
    kinds: Callable[[int, int], FieldKind],
    pairs: list[tuple[str, str]],
) -> list[tuple[int, int, str]]:
    """(line, index, new character) for every mixed-field cell whose look-alike the
    page's own print decides the other way than the classifier did."""
    changes: list[tuple[int, int, str]] = []
    for letter, digit in pairs:
        letters: list[float] = []
        digits: list[float] = []
        undecided: list[tuple[int, int, float]] = []
        for li, line in enumerate(chars):
            for i, char in enumerate(line):
                if char not in (letter, digit):
                    continue
                x = _evidence(probas[li][i], letter, digit)
                if x is None:
                    continue
                kind = kinds(li, i)
                if kind in DIGIT_ONLY and char == digit:
                    digits.append(x)
                elif kind in LETTER_ONLY and char == letter:
                    letters.append(x)
                elif kind in MIXED:
                    undecided.append((li, i, x))
        for li, i, x in undecided:
            side = _side(x, letters, digits)
            new = {"digit": digit, "letter": letter}.get(side or "")
            if new is not None and new != chars[li][i]:
                changes.append((li, i, new))
    return changes


def discriminated(
    lines: list[str],
    changes: list[tuple[int, int, str, str]],
    spans: Sequence[tuple[Sequence[tuple[int, int, int]], Cell]],
    passes: Callable[[list[str]], list[bool]],
) -> bool:
    """Do the check digits tell the calibrated read apart from the read as printed?

    ``changes`` are (line, index, old, new). For every check digit that passes with the
    changes, reverting any part of the changes under it must make some check fail: two
    O/0 swaps at weights 7 and 3 change a 7-3-1 sum by 240, which the check cannot see.
    """
    state = passes(lines)
    for (check_spans, digit_cell), ok in zip(spans, state, strict=True):
        if not ok:
            continue
        covered = {(ln, i) for ln, a, b in check_spans for i in range(a, b)} | {digit_cell}
        mine = [c for c in changes if (c[0], c[1]) in covered]
        if not mine:
            continue
        if len(mine) > MAX_SUBSET_CELLS:
            return False
        for size in range(1, len(mine) + 1):
            for subset in itertools.combinations(mine, size):
                trial = [list(line) for line in lines]
                for li, i, old, _new in subset:
                    trial[li][i] = old
                if all(passes(["".join(t) for t in trial])):
                    return False
    return True
