"""Names (pure): is the MRZ surname or given name printed, or another name in its place?

The Latin print is what the MRZ encodes, so a page matches when the MRZ name is printed in
Latin letter for letter. Another value is a Latin word of the name's length one or two
letters from it (a changed letter), or a whole other name where the page says this field
is: after or below a label naming the field (``data/viz_labels.toml``, any of the
region's languages), or beside the other name field (surname and given names are printed
next to each other on every design: on one line, or on neighbouring lines in one column).
Failing both, the name matches up to one slip, in Cyrillic, or by its first part.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources

from screening.imaging.viz.match import (
    MIN_CONF,
    FieldRead,
    Key,
    by_line,
    field_read,
    runs_of,
    union,
)
from screening.imaging.viz.ocr import Word
from screening.imaging.viz.values import (
    could_be_cyrillic,
    fold_letters,
    is_cyrillic,
    latin_letters,
    lookalike_distance,
    lookalike_only,
    name_close,
    name_distance,
    name_letters,
)
from screening.mrz.countries import country_codes

NAME_MIN_CONF = 60.0
# A letter-for-letter read of the MRZ name settles the field at this confidence; a weaker
# one (a re-read of a changed letter slipping back to the MRZ spelling) does not outweigh
# a sure read of a changed letter, but still counts as the name found.
EXACT_MIN_CONF = 40.0
SHORT_MIN_CONF = 90.0


@cache
def labels() -> dict[str, frozenset[str]]:
    raw = resources.files("screening.data").joinpath("viz_labels.toml").read_text("utf-8")
    return {k: frozenset(fold_letters(w) for w in v) for k, v in tomllib.loads(raw).items()}


def is_label(text: str, nationality: bool = False) -> bool:
    """A label word (``nationality``: or a nationality or state word, printed as the
    value of another field)."""
    word = re.sub(r"[^A-ZА-Я]", "", fold_letters(text))
    return any(
        word in group for key, group in labels().items() if nationality or key != "nationalities"
    )


def _name_words(line_words: Sequence[Word]) -> list[Word]:
    """The name-like words of a line: letters only, no label words; on a bilingual line
    ("ЖУМАБЕКОВ / ZHUMABEKOV") the words after the last slash."""
    slash = [i for i, w in enumerate(line_words) if "/" in w.text]
    tail = list(line_words)
    if slash:
        # What follows the slash, in its own word ("/ZHUMABEKOV") or after it.
        last = line_words[slash[-1]]
        after = last.text.rsplit("/", 1)[1]
        tail = [Word(after, last.conf, last.line, last.box, (), last.read)] if after else []
        tail += list(line_words[slash[-1] + 1 :])
    out = []
    for w in tail:
        text = w.text.strip("/").strip()
        if re.fullmatch(r"[A-Z][A-Z'\-]+", text) and not is_label(text, nationality=True):
            out.append(Word(text, w.conf, w.line, w.box, (), w.read))
    return out


def name_present(
    words: Sequence[Word], name: str, exact: bool, latin_only: bool = False
) -> list[Word] | None:
    """The run of words spelling ``name`` (Latin letters, or Cyrillic unless
    ``latin_only``), if any; ``exact``: letter for letter."""
    target = latin_letters(name)
    if not target:
        return None
    best = None
    for run in runs_of(words):
        if not name_letters(run[0].text) or not name_letters(run[-1].text):
            continue  # a slash or a mark at either end: the same name as the shorter run
        text = " ".join(w.text for w in run)
        if is_cyrillic(text):
            if latin_only:
                continue
            hit = name_distance(text, target) == 0 if exact else name_close(text, target)
        else:
            letters = latin_letters(text)
            hit = letters == target or (not exact and name_close(text, target))
            hit = hit or (len(letters) > len(target) >= 10 and letters.startswith(target))
        if hit and (best is None or min(w.conf for w in run) > min(w.conf for w in best)):
            best = run
    return best


def _near_name(words: Sequence[Word], name: str) -> list[Word] | None:
    """A confidently read Latin word one or two letters from ``name`` (a changed letter)."""
    target = latin_letters(name)
    # A letter of a short name (LIU read LIV) is a third of it, with nothing around it to
    # tell a slip from a change: read at 90, as a short other name.
    floor = SHORT_MIN_CONF if len(target) < 4 else MIN_CONF
    best = None
    for run in runs_of(words, 3):
        text = " ".join(w.text for w in run)
        letters = latin_letters(text)
        if is_cyrillic(text) or not letters or min(w.conf for w in run) < floor:
            continue
        if any(not latin_letters(w.text) for w in run):
            continue  # a slash or a mark: not part of a name
        if re.search(r"[0-9]", text) or len(letters) != len(target):
            continue  # a changed letter keeps the name's length
        if lookalike_only(letters, target):
            continue  # O for Q, T for I: the read's doubt, not another letter
        if 1 <= name_distance(letters, target) <= (2 if len(target) >= 5 else 1) and (
            best is None or min(w.conf for w in run) > min(w.conf for w in best)
        ):
            best = run
    return best


def doubtful_lines(words: Sequence[Word], name: str) -> list[int]:
    """Lines holding a Latin word of ``name``'s length a letter or a few from it, read too
    weakly to count either way (a changed letter, or a slip of the read): worth a read at
    another scale."""
    target = latin_letters(name)
    out = []
    for run in runs_of(words, 3):
        letters = latin_letters(" ".join(w.text for w in run))
        # A letter lost or gained in a weak read ("ALECSE!") still points at the line.
        if abs(len(letters) - len(target)) > 1 or len(target) < 3:
            continue
        if min(w.conf for w in run) < MIN_CONF and name_distance(letters, target) <= max(
            2, (len(target) + 2) // 3
        ):
            out.append(run[0].line)
    return list(dict.fromkeys(out))


def _label_value(words: Sequence[Word], field: str) -> list[Word]:
    """Name words printed after a label of ``field`` on its line, or on the line below."""
    lines = by_line(words)
    out = []
    for line_words in lines.values():
        for i, w in enumerate(line_words):
            parts = re.split(r"[/|]", fold_letters(w.text))
            if not any(re.sub(r"[^A-ZА-Я]", "", p) in labels()[field] for p in parts):
                continue
            after = _name_words(line_words[i + 1 :])
            if after:
                out.append(after)
                continue
            below = _line_below(lines, w)
            if below is not None:
                out.append(_name_words(lines[below]))
    return [o for o in out if o]


def _line_below(lines: dict[Key, list[Word]], w: Word) -> Key | None:
    """The nearest line starting below ``w`` within three of its heights, in its column."""
    x, y, _, h = w.box
    best = None
    for line, line_words in lines.items():
        lx, ly = line_words[0].box[0], min(v.box[1] for v in line_words)
        if y + 0.6 * h < ly < y + 4 * h and abs(lx - x) < 4 * h and (best is None or ly < best[0]):
            best = (ly, line)
    return None if best is None else best[1]


def _beside(words: Sequence[Word], partner: list[Word], below: bool) -> list[list[Word]]:
    """Name words next to the other name field: on its line (before it for the surname,
    after it for the given names) and on the nearest value line above (surname) or below
    (given names) in its column, label lines passed over."""
    lines = by_line(words)
    line = partner[0].line
    line_words = lines.get((line, partner[0].read), [])
    out = []
    if below:
        out.append(_name_words([w for w in line_words if w.box[0] > partner[-1].box[0]]))
    else:
        out.append(_name_words([w for w in line_words if w.box[0] < partner[0].box[0]]))
    _, y, _, h = union(partner)
    x = line_words[0].box[0] if line_words else partner[0].box[0]  # the line's column
    rows: dict[int, list[tuple[float, list[Word]]]] = {}  # line -> (dy, words) of each read
    for other, ws in lines.items():
        if other[0] == line:
            continue
        ly = min(v.box[1] for v in ws)
        dy = (ly - y) if below else (y - ly)
        if 0.6 * h < dy < 3.8 * h and abs(ws[0].box[0] - x) < 3 * h:
            rows.setdefault(other[0], []).append((dy, ws))
    for reads in sorted(rows.values(), key=lambda r: min(dy for dy, _ in r)):
        if all(
            is_label(v.text) or v.box[3] < 0.7 * h or not any(c.isalpha() for c in v.text)
            for _, ws in reads
            for v in ws
        ):
            continue  # a label line (label words, small print, slashes)
        out += [_name_words(ws) for _, ws in reads]  # every read of the nearest value line
        break
    return [o for o in out if o]


def _part_of(letters: str, target: str, parts: list[str]) -> bool:
    """Is a read name one of the MRZ name's parts (up to a third of its letters), or a run
    of the MRZ name's letters?"""
    if letters in target:
        return True
    return any(
        name_distance(letters, part) <= max(1, len(latin_letters(part)) // 3) for part in parts
    )


def match_name(words: Sequence[Word], field: str, name: str, partner: str) -> FieldRead | None:
    """``field``'s name: printed in Latin as in the MRZ; else a Latin read one or two
    letters from it, or another name where a label or the partner field says this one is
    printed (the Latin print is what the MRZ encodes: a local spelling that still matches
    does not clear it); else the name up to a slip, or in Cyrillic, or its first part."""
    name = name.replace("<", " ").strip()
    if not latin_letters(name):
        return None
    exact = name_present(words, name, exact=True, latin_only=True)
    if exact is not None and min(w.conf for w in exact) >= EXACT_MIN_CONF:
        return field_read(field, True, name, name, exact)
    near = _near_name(words, name)
    if near is not None:
        return field_read(field, False, " ".join(w.text for w in near), name, near)
    parts = [p for p in name.split() if len(latin_letters(p)) >= 2]
    present = name_present(words, name, exact=False)
    if present is None and len(parts) > 1:
        # The first of several names printed (the others wrapped, or on another line).
        present = name_present(words, parts[0], exact=True)
    other = _another_name(words, field, name, partner, parts, sure=present is not None)
    if other is not None:
        return field_read(field, False, " ".join(w.text for w in other), name, other)
    return None if present is None else field_read(field, True, name, name, present)


def _another_name(
    words: Sequence[Word], field: str, name: str, partner: str, parts: list[str], sure: bool
) -> list[Word] | None:
    """A whole other name where a label of ``field`` or the partner name field says this
    field is printed. When the name is found in another form (Cyrillic, or up to a slip),
    the other name must be read surely."""
    candidates = _label_value(words, field)
    anchor = name_present(words, partner, exact=False) if latin_letters(partner) else None
    if anchor is not None:
        candidates += _beside(words, anchor, below=field == "given_names")
    target = latin_letters(name)
    partner_letters = latin_letters(partner)
    floor = MIN_CONF if sure else NAME_MIN_CONF
    best = None
    for cand in candidates:
        letters = latin_letters(" ".join(w.text for w in cand))
        conf = min(w.conf for w in cand)
        if len(letters) < 2 or conf < floor or letters == partner_letters:
            continue
        # A short name (WU, LI) is read surely and is no state code (CHN beside a name).
        if len(letters) < 4 and (conf < SHORT_MIN_CONF or letters in country_codes()):
            continue
        if _part_of(letters, target, parts):
            continue  # one of the MRZ names, or part of them: printed in part, not another
        if could_be_cyrillic(letters):
            continue  # a Cyrillic word read in Latin look-alikes, as likely as a name
        if lookalike_only(letters, target):
            continue
        distance = name_distance(letters, target)
        # Look-alike swaps (L for I) are the read's doubt: they do not count as changes.
        distance = min(distance, lookalike_distance(letters, target))
        if (
            # A third of the letters changed: a national letter spelled out in the MRZ
            # (Þ as TH, Ó as OE) changes fewer, a whole other name more.
            distance >= 2
            and distance >= max(len(letters), len(target)) / 3
            and (best is None or conf > best[0])
        ):
            best = (conf, cand)
    return None if best is None else best[1]
