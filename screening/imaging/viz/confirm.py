"""Confirm an accusation (pure given the second read): does one more read of the accused
value, at another scale and with the alphabet of printed values, show the same other
value again, and not the MRZ value? A misread is rarely repeated at another scale; a
reprint always is. Agreement is what counts here, not the second read's confidence (the
first read already had to be sure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from screening.imaging.viz import match, names
from screening.imaging.viz.match import Expected, FieldRead
from screening.imaging.viz.ocr import VALUE_ALPHABET, Word
from screening.imaging.viz.values import DateRead, latin_letters, name_distance, parse_dates

NAME_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ/-' "
# A changed letter of a name read again must be rated at least this (see changed_letters_conf).
CHANGED_LETTER_CONF = 50.0


def confirms(name: str, read: FieldRead, again: Sequence[Word], expected: Expected) -> bool:
    """Does a second read of the accused line show the printed value again, and not the
    MRZ value?"""
    again = match.split_slashes(again)
    text = " ".join(w.text for w in again)
    if name in ("birth_date", "expiry_date"):
        mrz = getattr(expected, name)
        if any(match.same_date(d, mrz) for d in match.printed_dates(again, mrz)):
            return False
        # What differs from the MRZ, read again in whatever format: the month and year when
        # they differ (the day may slip), the day too when only the day differs.
        printed = parse_dates(read.printed)
        whole = [d for d in printed if not d.partial] or printed
        # A re-read with a year no document prints ("47.05.9983") is a misread itself: its
        # last two digits confirm nothing.
        again_dates = [
            a
            for a in parse_dates(text) + parse_dates(text.replace(" ", ""))
            if a.year_digits == 2 or match.PLAUSIBLE_YEARS[0] <= a.year <= match.PLAUSIBLE_YEARS[1]
        ]
        for d in whole:
            if (d.month, d.year % 100) != (mrz.month, mrz.year % 100):
                key = (d.month, d.year % 100)
                if any((a.month, a.year % 100) == key for a in again_dates):
                    return True
            elif any(
                # The day slips most: only a sure read of the same day's digits confirms it
                # (the rest of a re-read glued into one word may be rated low for the joins).
                (a.value.day, a.value.month, a.value.year % 100) == (d.day, *key_of(d))
                and a.day_conf >= match.MIN_CONF
                for a in match.printed_dates(again, mrz)
            ):
                return True
        return False
    if name == "document_number":
        tokens = [match.fold_digits(re.sub(r"[^A-Z0-9]", "", w.text)) for w in again]
        joined = "".join(tokens)
        printed = match.fold_digits(read.printed)
        mrz = match.fold_digits(read.expected)
        # A stray character read into the value ("3187574286" for 318757486) is a slip;
        # so is a character lost ("19246760" for L924676J0), but not a differing one.
        slipped = {joined[:k] + joined[k + 1 :] for k in range(len(joined))} | {joined}
        differ = {k for k, (a, b) in enumerate(zip(printed, mrz, strict=False)) if a != b}
        lost = {printed[:k] + printed[k + 1 :] for k in range(len(printed)) if k not in differ}
        if any(mrz in t for t in slipped):
            return False
        return any(printed in t for t in slipped) or any(p in joined for p in lost)
    if names.name_present(again, read.expected, exact=True, latin_only=True) is not None:
        return False
    target = latin_letters(read.printed)
    return any(
        name_distance(" ".join(w.text for w in run), target) <= 1
        and changed_letters_conf(run, read.printed, read.expected) >= CHANGED_LETTER_CONF
        for run in match.runs_of(again, 3)
    )


def changed_letters_conf(run: Sequence[Word], printed: str, mrz_name: str) -> float:
    """The lowest confidence, in the re-read ``run``, of the letters that differ from the MRZ
    name, by position, when the accused value is a changed letter (the MRZ name's length;
    a re-read of another length then confirms nothing); 100 for a whole other name (the
    read's word confidence already counted) or characters not rated one by one. A blurred V
    read as Y is rated low where it differs, however sure the rest of the word is."""
    mrz = latin_letters(mrz_name)
    if len(latin_letters(printed)) != len(mrz):
        return 100.0
    letters: list[tuple[str, float]] = []
    for w in run:
        if len(w.chars) != len(w.text):
            return 100.0
        letters += [(ch, c) for ch, c in zip(w.text, w.chars, strict=True) if "A" <= ch <= "Z"]
    target = latin_letters(printed)
    # A mark glued to either end of the value is read as a letter ("AZIYOLA"): the value is
    # the window of the name's length that reads most like the accused spelling.
    windows = [letters[k : k + len(mrz)] for k in range(len(letters) - len(mrz) + 1)]
    if not windows or len(letters) > len(mrz) + 1:
        return 0.0
    best = min(
        windows, key=lambda win: sum(ch != t for (ch, _), t in zip(win, target, strict=True))
    )
    return min((c for (ch, c), m in zip(best, mrz, strict=True) if ch != m), default=100.0)


def key_of(d: DateRead) -> tuple[int, int]:
    return (d.month, d.year % 100)


def alphabet(name: str) -> str:
    """The characters a second read of ``name``'s value may give."""
    return NAME_ALPHABET if name in ("surname", "given_names") else VALUE_ALPHABET
