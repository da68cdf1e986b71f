"""What to read again (pure, cheap): the first reads say where a missing field probably
is, even when they could not make it out.

- **poor lines** (:func:`poor_lines`): value lines that gave nothing legible, to be read
  again with all their pixels.
- **aimed lines** (:func:`aimed_lines`): a line holding a word shaped like a missing field
  but read too weakly to count either way: a Latin word of a missing name's length a few
  letters from it, a token of the number's length with most of its digits, a date with a
  month name or with its digits in place. Read again at another scale, outside the
  budget: such a read is short and aimed.
- **date crops** (:func:`date_crops`) and **value boxes** (:func:`value_box`): a stretch of
  a line cut out to be read alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from screening.imaging.viz import match, names
from screening.imaging.viz.match import Expected, FieldRead
from screening.imaging.viz.ocr import Word
from screening.imaging.viz.page import Box
from screening.imaging.viz.values import fold_digits, month_of, parse_dates

POOR_CONF = 60.0
# A run of digits shaped like a whole date (DD.MM.YYYY), wherever it sits in a word.
DATE_RUN = re.compile(r"[0-9]{2}[.\-/ ,][0-9]{2}[.\-/ ,][0-9]{4}")
DATE_SHAPE = re.compile(r"[0-9]{1,3}[.\-/][0-9]{2}[.\-/][0-9]{2,4}")
MAX_CROPS = 8
# A day, a word and a year: a date whose month name was not made out ("12 HOH 1954" for
# 12 НОЯ 1954 read with a Latin model).
NAMED_SHAPE = re.compile(
    r"(?<![0-9])[0-9]{1,2}[ .\-/]{0,2}"
    r"([^\W\d_][^\W\d_/|]{1,8}(?:[/|][^\W\d_]{2,9})?)"
    r"[ .\-/,]{0,2}(?:[0-9]{4}|[0-9]{2})(?![0-9])"
)


def unique(lines: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(lines))


def poor_lines(words: Sequence[Word], read: Iterable[int], lines: Iterable[int]) -> list[int]:
    """Of ``lines``, those read (``read``) with no word of two characters or more at
    ``POOR_CONF``."""
    good = {w.line for w in words if w.conf >= POOR_CONF and len(w.text) >= 2}
    done = set(read)
    return [i for i in lines if i in done and i not in good]


def aimed_lines(words: Sequence[Word], missing: set[str], expected: Expected) -> list[int]:
    """Lines worth one more read at another scale for the ``missing`` fields (see the
    module docstring), names first, then the number, then dates."""
    out: list[int] = []
    for name in sorted(missing & {"surname", "given_names"}):
        out += names.doubtful_lines(words, getattr(expected, name))
    if "document_number" in missing and expected.document_number:
        out += number_lines(words, expected.document_number)
    if missing & {"birth_date", "expiry_date"}:
        out += weak_date_lines(words)
    return unique(out)


def number_lines(words: Sequence[Word], number: str) -> list[int]:
    """Lines with a weakly read token of the number's length (a series letter may be
    lost) sharing most of its digits position by position."""
    target = fold_digits(number.replace("<", ""))
    out = []
    for w in words:
        token = fold_digits(re.sub(r"[^A-Z0-9]", "", w.text.upper()))
        if w.conf >= match.MIN_CONF or not len(target) - 2 <= len(token) <= len(target) + 1:
            continue
        tail = target[len(target) - len(token) :] if len(token) < len(target) else target
        same = sum(a == b for a, b in zip(token, tail, strict=False))
        if same >= len(tail) - 3 and sum(c.isdigit() for c in token) >= 4:
            out.append(w.line)
    return out


def weak_date_lines(words: Sequence[Word]) -> list[int]:
    """Lines where a date was parsed from words read below the date threshold, or where a
    weakly read word is shaped like a date but is none ("41.06.2032": a mark glued to the
    day)."""
    out = []
    for (line, _), ws in match.by_line(words).items():
        weak = [w for w in ws if w.conf < match.MIN_CONF]
        if not weak:
            continue
        if (
            min(w.conf for w in ws) < match.DATE_MIN_CONF
            and parse_dates(" ".join(w.text for w in ws))
        ) or any(DATE_SHAPE.search(fold_digits(w.text)) for w in weak):
            out.append(line)
    return out


def unknown_month_lines(words: Sequence[Word]) -> list[int]:
    """Lines holding a day, a word and a year where the word names no month: a month name
    in another script than the one read, worth a read in that script."""
    out = []
    for (line, _), ws in match.by_line(words).items():
        text = " ".join(w.text for w in ws).upper()
        if any(month_of(m[1]) is None for m in NAMED_SHAPE.finditer(text)):
            out.append(line)
    return unique(out)


def date_crops(words: Sequence[Word], boxes: Sequence[Box]) -> list[Box]:
    """The stretch of a line holding a date-shaped run inside a weakly read word, cut to
    the run (with a character to spare on each side). Tesseract rates a word by its worst
    character: a date glued to a speck or a seal stroke ("P—301.05.2028") comes back at
    confidence 0 however clearly its digits are printed; read alone, it is rated for
    itself."""
    out = []
    for w in words:
        if w.conf >= match.DATE_MIN_CONF or not 0 <= w.line < len(boxes):
            continue
        text = fold_digits(w.text)
        run = DATE_RUN.search(text)
        if run is None:
            continue
        char_w = w.box[2] / max(len(text), 1)
        x0 = w.box[0] + char_w * (run.start() - 1.0)
        x1 = w.box[0] + char_w * (run.end() + 1.0)
        _, ly, _, lh = boxes[w.line]
        out.append((max(0, round(x0)), ly, max(1, round(x1 - x0)), lh))
    return out[:MAX_CROPS]


def value_box(read: FieldRead, boxes: Sequence[Box]) -> Box:
    """The box of an accused value on its line, with a character's width to spare on each
    side, as tall as the line."""
    _, ly, _, lh = boxes[read.line]
    x, _, w, _ = read.box
    spare = 0.8 * lh
    x0 = max(0, round(x - spare))
    return (x0, ly, max(1, round(x + w + spare) - x0), lh)
