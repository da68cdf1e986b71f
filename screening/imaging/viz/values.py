"""Printed values as text (pure): dates in any common format, names in Latin or Cyrillic.

The MRZ says what to look for; this module says whether a piece of read text *is* that
value, or another value of the same kind:

- **Dates** (:func:`parse_dates`): 11.04.1962, 11/04/1962, 11-04-1962, 1962-04-11,
  11 APR 1962, 11 APR 62, 11 АПР/APR 1962, 11 АПРЕЛЯ 1962; month names of the region's
  languages come from ``data/viz_months.toml``; two-digit years take the century that
  puts them nearest the MRZ date they are compared with.
- **Names** (:func:`name_distance`): a Latin read is compared letter for letter; a
  Cyrillic read by the smallest number of edits over every Latin spelling of its letters
  (``data/viz_letters.toml``: ICAO 9303 Part 3 and national practice), so that ЖУМАБЕКОВ
  matches ZHUMABEKOV and БАКИРОВ is 8 edits away.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

# Letters Tesseract confuses with digits, as digits (for comparing, never for reporting).
DIGIT_FOLD = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "D": "0",
        "U": "0",
        "I": "1",
        "L": "1",
        "T": "1",
        "J": "1",
        "S": "5",
        "B": "8",
        "Z": "2",
        "G": "6",
        "A": "4",
        "|": "1",
        "О": "0",
        "З": "3",
        "Б": "6",
        "В": "8",
    }
)
# Accented and regional letters folded to their base letter before month lookup.
LETTER_FOLD = str.maketrans(
    {
        "Ә": "А",
        "Ө": "О",
        "Ү": "У",
        "Ұ": "У",
        "Қ": "К",
        "Ғ": "Г",
        "Ң": "Н",
        "Ҳ": "Х",
        "Ӣ": "И",
        "Ӯ": "У",
        "Ў": "У",
        "І": "И",
        "Ё": "Е",
        "Й": "И",
    }
)
D = r"[0-9]"
SEP = r"[.\-/ ,:;]{1,3}"
# Two-digit years only with one separator used twice ("11.04.62", not "21.12 39": a
# date followed by stray digits).
NUMERIC_DMY_SHORT = re.compile(rf"(?<![0-9])({D}{{1,2}})([.\-/ ])({D}{{1,2}})\2({D}{{2}})(?![0-9])")
NUMERIC_DMY = re.compile(
    rf"(?<![0-9])({D}{{1,2}}){SEP}({D}{{1,2}}){SEP}({D}{{4}}|{D}{{2}})(?![0-9])"
)
MONTH_YEAR = re.compile(rf"({D}{{2}})[.\-/]({D}{{4}})(?![0-9])")
GLUED_DMY = re.compile(rf"(?<=[0-9])({D}{{2}})[.\-/]({D}{{2}})[.\-/]({D}{{4}})(?![0-9])")
NUMERIC_YMD = re.compile(rf"(?<![0-9])({D}{{4}}){SEP}({D}{{2}}){SEP}({D}{{2}})(?![0-9])")
QUOTES = re.compile(r"[\'\"`´‘’“”«»]")
MONTH_WORD = r"[A-ZА-ЯЁӘӨҮҰҚҒҢҲӢӮЎІÉÈÛÄÖÜŞÇĞİ]{3,9}\.?"
NAMED = re.compile(
    rf"(?<![0-9A-Z])([0-9OQDILTJSBZG|]{{1,2}})[ .\-/]{{0,2}}"
    # Two spellings of the month ("АПР/APR"), the slash sometimes read as 7 or 1.
    rf"((?:{MONTH_WORD}(?:[ /|]{{0,3}}|[71](?=[A-ZА-Я]))){{1,3}})"
    rf"[ .\-/,]{{0,2}}([0-9OQDILTJSBZG|]{{4}}|[0-9OQDILTJSBZG|]{{2}})(?![0-9])"
)


@dataclass(frozen=True, slots=True)
class DateRead:
    """A date read in a line of text: day, month and year as printed (year 2 or 4 digits)."""

    day: int
    month: int
    year: int
    year_digits: int
    start: int
    end: int
    # Where the day's digits are in the text (-1: not read): a day-only difference rests
    # on them alone.
    day_start: int = -1
    day_end: int = -1
    # The month known only as Latin look-alikes of a Cyrillic name ("TEK" may be ТЕК, or
    # ДЕК read with a Latin model): it may say the MRZ month is printed, never another.
    lookalike_month: bool = False

    @property
    def partial(self) -> bool:
        """Month and year only (the day was not read)."""
        return self.day == 0

    def value(self, near: date | Sequence[date]) -> date | None:
        """The calendar date (day 1 for a partial one), a two-digit year in the century
        that brings it nearest one of ``near`` (the MRZ birth and expiry dates: an issue
        date "21 SEP 17" on a page of a person born in 1950 is 2017, not 1917)."""
        year = self.year
        if self.year_digits == 2:
            anchors = [near] if isinstance(near, date) else list(near)
            year = min(
                (c + self.year for c in (1900, 2000, 2100)),
                key=lambda y: min(abs(y - a.year) for a in anchors),
            )
        try:
            return date(year, self.month, max(self.day, 1))
        except ValueError:
            return None

    def same_as(self, other: date) -> bool:
        """Equal to ``other`` as far as printed (a two-digit year as its last two digits)."""
        year_ok = self.year == (other.year % 100 if self.year_digits == 2 else other.year)
        return year_ok and (self.month, self.day) == (other.month, other.day)


def fold_digits(text: str) -> str:
    return text.upper().translate(DIGIT_FOLD)


@lru_cache(maxsize=65536)
def fold_letters(text: str) -> str:
    """Uppercase, regional letters as their base letter, Latin accents dropped."""
    text = text.upper().translate(LETTER_FOLD)
    out = []
    for ch in text:
        if "A" <= ch <= "Z" or "А" <= ch <= "Я":
            out.append(ch)
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if base.isascii() else ch)
    return "".join(out)


@cache
def month_names() -> dict[str, int]:
    """Folded month name -> month number (a name meaning two months is a data error)."""
    raw = resources.files("screening.data").joinpath("viz_months.toml").read_text("utf-8")
    table: dict[str, int] = {}
    for month, names in tomllib.loads(raw).items():
        for name in names:
            key = fold_letters(name)
            if table.get(key, int(month)) != int(month):
                raise ValueError(f"month name {name!r} means two months")
            table[key] = int(month)
    return table


def month_of(words: str) -> int | None:
    """The month named by ``words`` ("APR", "АПР/APR", "APRIL."): every name given must
    name the same month; at least one must be known."""
    reads = month_reads(words)
    return reads[0][0] if len(reads) == 1 else None


def month_reads(words: str) -> list[tuple[int, bool]]:
    """The months ``words`` may name, each with whether it rests on letters drawn alike in
    Latin and Cyrillic: a Cyrillic month read with a Latin model comes back in look-alikes
    ("ҚАҢ/ЯНВ" as KAH/AHB), a Latin one read with a Cyrillic model too, and a word of such
    letters may be either ("МАУ", June in Kazakh, is MAY in Latin). A month named only so
    may say the MRZ month is printed, never another. Two spellings ("MAM/MAY") settle it
    when one month is all they have in common."""
    parts = [
        p for p in re.split(r"[ /.|]+|(?<=[A-ZА-Я])[71](?=[A-ZА-Я])", fold_letters(words)) if p
    ]
    names = month_names()
    readings = [(names.get(p), names.get(_other_script(p))) for p in parts]
    firm = {d for d, alt in readings if d is not None and alt in (None, d)}
    if firm:
        return [(firm.pop(), False)] if len(firm) == 1 else []
    options = [{m for m in pair if m is not None} for pair in readings]
    options = [o for o in options if o]
    if not options:
        # Two spellings glued where the slash was misread ("АВГ/AUG" as "ABIYAUG"): a
        # name at either end of a long word.
        known = {names.get(end) for p in parts if len(p) >= 6 for end in (p[:3], p[-3:])}
        known -= {None}
        return [(known.pop(), False)] if len(known) == 1 else []
    common = set.intersection(*options)
    if len(options) >= 2 and len(common) == 1:
        return [(common.pop(), False)]
    return [(m, True) for m in sorted(common)]


def _other_script(word: str) -> str:
    """A word made only of letters drawn alike in Latin and Cyrillic, in the other script
    ("KAH" -> "КАН", "МАУ" -> "MAY"); else "" (no month is named so)."""
    glyphs = _homoglyphs()
    back = {v: k for k, v in glyphs.items()}
    table = glyphs if all(ch in glyphs for ch in word) else back
    if not word or any(ch not in table for ch in word):
        return ""
    return "".join(table[ch] for ch in word)


def parse_dates(text: str) -> list[DateRead]:
    """Every date printed in ``text`` (one read line), in any of the common formats."""
    # Quote marks read from specks ("ABL'/AUG") as spaces: positions stay those of text.
    upper = QUOTES.sub(" ", text.upper())
    folded = fold_digits(upper)
    found: list[DateRead] = []
    for m in NUMERIC_DMY.finditer(folded):
        found.append(DateRead(int(m[1]), int(m[2]), int(m[3]), 4, m.start(), m.end(), *m.span(1)))
    for m in NUMERIC_DMY_SHORT.finditer(folded):
        found.append(DateRead(int(m[1]), int(m[3]), int(m[4]), 2, m.start(), m.end(), *m.span(1)))
    # A date glued to a speck read as a digit ("530.10.2033"): its last two digits.
    for m in GLUED_DMY.finditer(folded):
        found.append(DateRead(int(m[1]), int(m[2]), int(m[3]), 4, m.start(1), m.end(), *m.span(1)))
    for m in NUMERIC_YMD.finditer(folded):
        found.append(DateRead(int(m[3]), int(m[2]), int(m[1]), 4, m.start(), m.end(), *m.span(3)))
    pos = 0
    while (m := NAMED.search(upper, pos)) is not None:
        # Not finditer: a failed candidate ("DATE 12" as day D, month ATE, year 12) must
        # not swallow the real date after it.
        pos = m.start() + 1
        months = month_reads(m[2])
        day, year = fold_digits(m[1]), fold_digits(m[3])
        # Look-alike letters stand for digits ("29 JUN JJ": 29.06.11), but not for all of
        # the day and the year at once.
        real = sum(ch.isdigit() for ch in m[1] + m[3])
        if months and day.isdigit() and year.isdigit() and real >= 2:
            found += [
                DateRead(
                    int(day), month, int(year), len(year), m.start(), m.end(), *m.span(1), alike
                )
                for month, alike in months
            ]
            pos = m.end()
    found = [d for d in found if 1 <= d.month <= 12 and 1 <= d.day <= 31]
    # MM.YYYY alone: a date whose day was lost (faint, covered, glued to a mark). It can
    # say "after the expiry" or "before the birth", never match (day 0 marks it).
    for m in MONTH_YEAR.finditer(folded):
        if 1 <= int(m[1]) <= 12:
            found.append(DateRead(0, int(m[1]), int(m[2]), 4, m.start(), m.end()))
    return found


# --------------------------------------------------------------------------- names


@cache
def _letters_table() -> dict[str, dict[str, Any]]:
    raw = resources.files("screening.data").joinpath("viz_letters.toml").read_text("utf-8")
    return tomllib.loads(raw)


@cache
def spellings() -> dict[str, tuple[str, ...]]:
    """Printed letter -> its MRZ spellings (Cyrillic and national Latin letters)."""
    table = _letters_table()
    out = {k: tuple(v) for k, v in table["cyrillic"].items()}
    out.update({k: tuple(v) for k, v in table["latin"].items()})
    return out


@cache
def _homoglyphs() -> dict[str, str]:
    return dict(_letters_table()["homoglyphs"])


@lru_cache(maxsize=65536)
def latin_letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", fold_letters(text))


@lru_cache(maxsize=65536)
def name_letters(text: str) -> str:
    """The letters of a read name, as printed (Latin, national and Cyrillic letters;
    other marked Latin letters as their base letter: Í as I)."""
    spell = spellings()
    out = []
    for ch in text.upper():
        if not ch.isalpha():
            continue
        if ch in spell or "A" <= ch <= "Z" or "\u0400" <= ch <= "\u04ff":
            out.append(ch)
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            out.append(base if base.isascii() else ch)
    return "".join(out)


@lru_cache(maxsize=65536)
def is_cyrillic(text: str) -> bool:
    cyr = sum("\u0400" <= ch <= "\u04ff" for ch in text)
    return cyr >= max(2, sum(ch.isalpha() for ch in text) // 2)


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def spelling_distance(letters: str, latin: str) -> int:
    """Fewest edits between ``latin`` (A-Z) and any MRZ spelling of the printed ``letters``.

    Dynamic programming over (letters used, characters of ``latin`` used): each printed
    letter consumes one of its spellings (itself for A-Z), aligned with edits to a stretch
    of ``latin``; an unknown letter costs one edit, like a misread."""
    spell = spellings()
    if all("A" <= ch <= "Z" for ch in letters):
        return levenshtein(letters, latin)
    inf = 10**6
    n = len(latin)
    cost = list(range(n + 1))
    for ch in letters:
        options = spell.get(ch, (ch,))
        new = [inf] * (n + 1)
        for j0 in range(n + 1):
            for opt in options:
                for j1 in range(j0, min(n, j0 + len(opt) + 1) + 1):
                    d = cost[j0] + levenshtein(opt, latin[j0:j1])
                    if d < new[j1]:
                        new[j1] = d
        new[0] = min(new[0], cost[0] + 1)
        for j in range(1, n + 1):
            new[j] = min(new[j], new[j - 1] + 1)
        cost = new
    return cost[n]


@lru_cache(maxsize=65536)
def name_distance(read: str, name: str) -> int:
    """Edits between a read word (Latin, national or Cyrillic letters) and an MRZ name
    (A-Z). A Latin read made only of letters shaped like Cyrillic ones is also tried as
    that Cyrillic word ("TECT" is ТЕСТ, TEST)."""
    target = latin_letters(name)
    letters = name_letters(read)
    best = spelling_distance(letters, target)
    glyphs = _homoglyphs()
    if best and letters and all(ch in glyphs for ch in letters):
        best = min(best, spelling_distance("".join(glyphs[ch] for ch in letters), target))
    return best


@cache
def _lookalike_pairs() -> frozenset[tuple[str, str]]:
    groups = _letters_table()["lookalikes"]["groups"]
    return frozenset((a, b) for g in groups for a in g for b in g if a != b)


def lookalike_only(read: str, name: str) -> bool:
    """Do two spellings of one length differ only by letters an OCR engine mistakes for
    one another (``data/viz_letters.toml`` [lookalikes])? Such a difference is a doubt of
    the read, not another value."""
    a, b = latin_letters(read), latin_letters(name)
    if len(a) != len(b) or a == b:
        return False
    pairs = _lookalike_pairs()
    return all(x == y or (x, y) in pairs for x, y in zip(a, b, strict=True))


def lookalike_distance(read: str, name: str) -> int:
    """Edits between two Latin spellings once letters an OCR engine mistakes for one
    another (``[lookalikes]``) count as one letter: what is left is what differs."""
    fold = _lookalike_fold()
    return levenshtein(latin_letters(read).translate(fold), latin_letters(name).translate(fold))


@cache
def _lookalike_fold() -> dict[int, int]:
    groups = _letters_table()["lookalikes"]["groups"]
    return {ord(ch): ord(g[0]) for g in groups for ch in g}


def could_be_cyrillic(read: str) -> bool:
    """A Latin read made only of letters shaped like Cyrillic capitals ("EPMAH"): it may
    be a Cyrillic word read with a Latin model as well as a Latin one."""
    letters = name_letters(read)
    glyphs = _homoglyphs()
    return bool(letters) and all(ch in glyphs for ch in letters)


@lru_cache(maxsize=65536)
def name_close(read: str, name: str) -> bool:
    """The same name up to one slip of the read (none for short names), or the full name
    where the MRZ truncated it."""
    a, b = latin_letters(read), latin_letters(name)
    if not b or not read.strip():
        return False
    if not is_cyrillic(read) and len(a) > len(b) >= 10 and a.startswith(b):
        return True
    return name_distance(read, name) <= (1 if len(b) >= 5 else 0)
