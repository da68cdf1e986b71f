"""Fuse the two engines' reads and correct only what the evidence allows.

Check digits are evidence, not an eraser. A check-digit failure is either a read error or
a forgery, so a character is changed only when

* the read of that character was uncertain (our reader's confidence below
  ``UNCERTAIN_BELOW`` or the two engines disagree), and
* the new character is allowed by the field type (digits in dates, letters in names), and
* it is the reader's runner-up (or a known confusable partner such as ``0/O``), and
* for check-digit corrections: the change makes a failing check pass without breaking
  another one.

Every change is recorded as a :class:`Correction` (reported as ``MRZ_OCR_CORRECTED``). A
confidently read wrong check digit is never touched, so a forged MRZ still fails.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from screening.imaging.calibrate import calibrate, discriminated, letter_digit_pairs
from screening.imaging.ocrb import ALPHABET
from screening.mrz.checkdigit import compute_check_digit
from screening.mrz.countries import lookup_country
from screening.mrz.formats import FieldKind, MrzFormat

UNCERTAIN_BELOW = 0.95
TESSERACT_WEIGHT = 0.3
MIN_BACKED_PROBA = 0.03
MIN_LINE_AGREEMENT = 0.8
MIN_ALTERNATIVE_PROBA = 0.02
MAX_CORRECTIONS = 3
LONG_NUMBER_FORMATS = frozenset({"TD1", "TD2"})
CONFUSABLE_PARTNER_PROBA = 0.02

LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
DIGITS = frozenset("0123456789")
ALLOWED_BY_KIND = {
    FieldKind.DOC_TYPE: LETTERS,
    FieldKind.COUNTRY: LETTERS,
    FieldKind.NAME: LETTERS,
    FieldKind.NUMBER: frozenset(ALPHABET),
    FieldKind.DATE: DIGITS | {"<"},
    FieldKind.SEX: frozenset("MFX<"),
    FieldKind.CHECK: DIGITS | {"<"},
}
_ALLOWED_MASKS = {
    kind: np.array([c in allowed for c in ALPHABET]) for kind, allowed in ALLOWED_BY_KIND.items()
}
# ICAO 9303: every document code starts with one of these (passport, crew/visa-like A,
# C and I cards, visa); the MRZ's first character is nothing else.
DOCUMENT_CODE_FIRST = frozenset("PACIV")
_DOCUMENT_CODE_MASK = np.array([c in DOCUMENT_CODE_FIRST for c in ALPHABET])


def allowed_at(li: int, i: int, kind: FieldKind) -> frozenset[str]:
    """The characters position (li, i) may hold: its field's, and for the very first
    character of the MRZ a document code's first letter (a P read as B is no code)."""
    return DOCUMENT_CODE_FIRST if (li, i) == (0, 0) else ALLOWED_BY_KIND[kind]


@dataclass(frozen=True, slots=True)
class Correction:
    line: int  # 0-based
    index: int  # 0-based
    old: str
    new: str
    reason: str  # "field_type", "check_digit", "country_code" or "page_calibrated"
    field: str
    # Probability of the new character and of the next-best allowed one (field_type).
    proba: float = 1.0
    runner_up: float = 0.0


@dataclass(frozen=True, slots=True)
class FusedMrz:
    lines: list[str]
    confidence: list[np.ndarray]  # per line, per character
    uncertain: list[np.ndarray]  # per line, bool per character
    corrections: list[Correction]
    engines_agree: bool | None  # None when the second engine did not run
    # Per line, per character: its probability among the characters its field allows
    # (a 0 in a name is impossible, so there only the letters compete).
    field_confidence: list[np.ndarray] = field(default_factory=list)
    # The page's own print read some look-alikes the other way, and the check digits
    # cannot tell the two reads apart (their changes cancel in a 7-3-1 sum): a rescan.
    ambiguous: bool = False

    @property
    def min_confidence(self) -> float:
        return float(min(c.min() for c in self.confidence)) if self.confidence else 0.0


@cache
def confusable_pairs() -> frozenset[frozenset[str]]:
    text = resources.files("screening.data").joinpath("ocr_confusables.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(frozenset((row["a"], row["b"])) for row in rows)


def field_map(fmt: MrzFormat) -> list[list[tuple[str, FieldKind]]]:
    """(field name, kind) for every character position of the format."""
    out = [[("", FieldKind.NUMBER)] * fmt.line_length for _ in range(fmt.line_count)]
    for spec in fmt.fields:
        for i in range(spec.start, spec.end):
            out[spec.line][i] = (spec.name, spec.kind)
    return out


def _combine(proba: np.ndarray, other: str | None) -> np.ndarray:
    """Soft vote: the second engine backs one of our own candidates.

    Tesseract is weaker than our reader on OCR-B, so it only breaks ties: its character
    counts when our reader gave it some probability itself.
    """
    if not other or other not in ALPHABET:
        return proba
    k = ALPHABET.index(other)
    if proba[k] < MIN_BACKED_PROBA:
        return proba
    vote = np.zeros_like(proba)
    vote[k] = 1.0
    return (1 - TESSERACT_WEIGHT) * proba + TESSERACT_WEIGHT * vote


def _usable(ours: str, other: str) -> bool:
    """A second-engine line counts only when aligned and mostly in agreement."""
    if len(other) != len(ours):
        return False
    agree = sum(a == b for a, b in zip(ours, other, strict=True))
    return agree >= MIN_LINE_AGREEMENT * len(ours)


def _long_number_ok(lines: list[str], fmt: MrzFormat) -> bool:
    """TD1/TD2 long document number: ``<`` in the check position, the number continuing
    in the optional data up to its check digit (ICAO 9303 Part 5/6)."""
    spec = next((f for f in fmt.fields if f.name == "optional_data"), None)
    number = next((f for f in fmt.fields if f.name == "document_number"), None)
    if spec is None or number is None:
        return False
    extra = re.match(r"([0-9A-Z]*?)([0-9])<", lines[spec.line][spec.start : spec.end])
    if extra is None:
        return False
    text = lines[number.line][number.start : number.end] + extra.group(1)
    return compute_check_digit(text) == extra.group(2)


def check_states(lines: list[str], fmt: MrzFormat) -> list[bool]:
    """Pass/fail of every check digit of ``fmt`` over ``lines``."""
    states: list[bool] = []
    for check in fmt.checks:
        data = "".join(lines[ln][a:b] for ln, a, b in check.spans)
        digit = lines[check.line][check.index]
        ok = compute_check_digit(data) == digit
        if not ok and check.may_be_filler_when_empty and set(data) <= {"<"}:
            ok = digit in "<0"
        long_number = check.name == "document_number" and fmt.name in LONG_NUMBER_FORMATS
        if not ok and long_number and digit == "<":
            ok = _long_number_ok(lines, fmt)
        states.append(ok)
    return states


def country_slip(read: str, other: str) -> int | None:
    """Index of the one character by which ``read`` (no ICAO code) differs from
    ``other`` (one); None when that is not the case."""
    if len(read) != 3 or len(other) != 3:
        return None
    if lookup_country(read) is not None or lookup_country(other) is None:
        return None
    diffs = [i for i, (a, b) in enumerate(zip(read, other, strict=True)) if a != b]
    return diffs[0] if len(diffs) == 1 else None


def _country_fix(
    fmt: MrzFormat,
    chars: list[list[str]],
    probas: list[np.ndarray],
    pairs: frozenset[frozenset[str]],
    corrections: list[Correction],
) -> None:
    """Issuing state and nationality: a code that is no ICAO code but one look-alike away
    from the other (valid) code is that code misread."""
    specs = {f.name: f for f in fmt.fields}
    issuing, nationality = specs.get("issuing_country"), specs.get("nationality")
    if issuing is None or nationality is None:
        return
    for bad, good in ((issuing, nationality), (nationality, issuing)):
        read = "".join(chars[bad.line][bad.start : bad.end])
        other = "".join(chars[good.line][good.start : good.end])
        slip = country_slip(read, other)
        if slip is None:
            continue
        pos = bad.start + slip
        old, new = read[slip], other[slip]
        proba = probas[bad.line][pos]
        if frozenset((old, new)) in pairs or proba[ALPHABET.index(new)] >= MIN_ALTERNATIVE_PROBA:
            chars[bad.line][pos] = new
            corrections.append(Correction(bad.line, pos, old, new, "country_code", bad.name))


def _keep_real_country_codes(
    fmt: MrzFormat, chars: list[list[str]], corrections: list[Correction]
) -> None:
    """Undo look-alike letters put into a country code that then names no state: the
    code is printed as read (some national cards print digits there) and the MRZ rules
    judge it, rather than the reader inventing a code."""
    for spec in fmt.fields:
        if spec.kind is not FieldKind.COUNTRY:
            continue
        mine = [
            c
            for c in corrections
            if c.reason == "field_type" and c.line == spec.line and spec.start <= c.index < spec.end
        ]
        code = "".join(chars[spec.line][spec.start : spec.end])
        if not mine or lookup_country(code) is not None:
            continue
        for fix in mine:
            chars[fix.line][fix.index] = fix.old
            corrections.remove(fix)


def fuse(
    proba_lines: Sequence[np.ndarray],
    fmt: MrzFormat | None,
    second_engine: Sequence[str] | None = None,
) -> FusedMrz:
    """Combine per-cell probabilities (and the second engine's lines) into corrected text."""
    pairs = confusable_pairs()
    fields = field_map(fmt) if fmt is not None else None
    ambiguous = False
    agree: bool | None = None if second_engine is None else True
    probas: list[np.ndarray] = []
    uncertain: list[np.ndarray] = []
    for li, proba in enumerate(proba_lines):
        other = second_engine[li] if second_engine is not None and li < len(second_engine) else ""
        first = "".join(ALPHABET[int(np.argmax(p))] for p in proba)
        if not _usable(first, other):
            other = ""  # unaligned or garbled output is no evidence per position
        combined = np.array([_combine(p, other[i] if other else None) for i, p in enumerate(proba)])
        unsure = combined.max(axis=1) < UNCERTAIN_BELOW
        if other:
            ours = [ALPHABET[int(np.argmax(p))] for p in proba]
            disagree = np.array([a != b for a, b in zip(ours, other, strict=True)])
            unsure |= disagree
            if disagree.any():
                agree = False
        probas.append(combined)
        uncertain.append(unsure)

    chars = [[ALPHABET[int(np.argmax(p))] for p in proba] for proba in probas]
    corrections: list[Correction] = []

    def alternatives(li: int, i: int, allowed: frozenset[str]) -> list[tuple[float, str]]:
        p = probas[li][i]
        current = chars[li][i]
        options: list[tuple[float, str]] = []
        for k in np.argsort(-p):
            cand = ALPHABET[int(k)]
            if cand == current or cand not in allowed:
                continue
            if p[k] >= MIN_ALTERNATIVE_PROBA or frozenset((current, cand)) in pairs:
                options.append((float(p[k]), cand))
        return options

    if fields is not None and fmt is not None:
        # 1. Field type: a character the field cannot hold, read uncertainly or as a
        #    confusable of an allowed one, becomes the best allowed character.
        for li, line_chars in enumerate(chars):
            for i, char in enumerate(line_chars):
                name, kind = fields[li][i]
                allowed = allowed_at(li, i, kind)
                if char in allowed:
                    continue
                options = alternatives(li, i, allowed)
                if not options:
                    continue
                proba, best = options[0]
                if uncertain[li][i] or frozenset((char, best)) in pairs:
                    runner_up = options[1][0] if len(options) > 1 else 0.0
                    corrections.append(
                        Correction(li, i, char, best, "field_type", name, proba, runner_up)
                    )
                    line_chars[i] = best
                    uncertain[li][i] = True
        _keep_real_country_codes(fmt, chars, corrections)

        # 1b. Country codes: an issuing state that is no ICAO code but one look-alike
        #     away from the (valid) nationality code is that code misread.
        _country_fix(fmt, chars, probas, pairs, corrections)

        # 1c. Look-alikes in mixed fields (O or 0 in a document number), judged against
        #     how this page's own digits and letters of that pair read.
        for li, i, new in calibrate(
            probas, chars, lambda ln, k: fields[ln][k][1], letter_digit_pairs(pairs)
        ):
            corrections.append(
                Correction(li, i, chars[li][i], new, "page_calibrated", fields[li][i][0])
            )
            chars[li][i] = new

        # 2. Check digits: single changes at uncertain positions that make a failing
        #    check pass and break none.
        confident_flips = 0
        for _ in range(MAX_CORRECTIONS):
            lines = ["".join(c) for c in chars]
            state = check_states(lines, fmt)
            if all(state):
                break
            best_fix: tuple[float, int, int, str] | None = None
            for check, ok in zip(fmt.checks, state, strict=True):
                if ok:
                    continue
                positions = [(ln, i) for ln, a, b in check.spans for i in range(a, b)] + [
                    (check.line, check.index)
                ]
                for li, i in positions:
                    allowed = ALLOWED_BY_KIND[fields[li][i][1]]
                    options = alternatives(li, i, allowed)
                    if not uncertain[li][i]:
                        # A confident read may still flip to its look-alike partner when
                        # the reader gave that partner real weight; such flips must
                        # leave every check passing (verified below) or are undone.
                        options = [
                            (prob, cand)
                            for prob, cand in options
                            if prob >= CONFUSABLE_PARTNER_PROBA
                            and frozenset((chars[li][i], cand)) in pairs
                        ]
                    for prob, cand in options:
                        trial = [list(c) for c in chars]
                        trial[li][i] = cand
                        new_state = check_states(["".join(c) for c in trial], fmt)
                        gains = sum(new_state) - sum(state)
                        broken = any(o and not n for o, n in zip(state, new_state, strict=True))
                        if gains > 0 and not broken and (best_fix is None or prob > best_fix[0]):
                            best_fix = (prob, li, i, cand)
            if best_fix is None:
                break
            _, li, i, cand = best_fix
            if not uncertain[li][i]:
                confident_flips += 1
            corrections.append(
                Correction(li, i, chars[li][i], cand, "check_digit", fields[li][i][0])
            )
            chars[li][i] = cand
        if confident_flips and not all(check_states(["".join(c) for c in chars], fmt)):
            # Partial repair that leans on confident reads: undo the check-digit changes.
            for fix in reversed([c for c in corrections if c.reason == "check_digit"]):
                chars[fix.line][fix.index] = fix.old
            corrections = [c for c in corrections if c.reason != "check_digit"]
        ambiguous = _undo_undiscriminated(fmt, chars, corrections)

    confidence = [
        np.array([p[ALPHABET.index(c)] for p, c in zip(proba, line, strict=True)])
        for proba, line in zip(probas, chars, strict=True)
    ]
    return FusedMrz(
        lines=["".join(c) for c in chars],
        confidence=confidence,
        uncertain=uncertain,
        corrections=corrections,
        engines_agree=agree,
        field_confidence=_field_confidence(probas, chars, fields),
        ambiguous=ambiguous,
    )


def _undo_undiscriminated(
    fmt: MrzFormat, chars: list[list[str]], corrections: list[Correction]
) -> bool:
    """Page calibrations stand only where the check digits tell them apart from the read
    as printed (two swaps under one 7-3-1 sum can cancel): else they are undone, and the
    read is ambiguous (True)."""
    mine = [c for c in corrections if c.reason == "page_calibrated"]
    if not mine:
        return False
    spans = [(check.spans, (check.line, check.index)) for check in fmt.checks]
    changes = [(c.line, c.index, c.old, c.new) for c in mine]
    lines = ["".join(c) for c in chars]
    if discriminated(lines, changes, spans, lambda t: check_states(t, fmt)):
        return False
    for fix in mine:
        if chars[fix.line][fix.index] == fix.new:
            chars[fix.line][fix.index] = fix.old
        corrections.remove(fix)
    return True


def _field_confidence(
    probas: list[np.ndarray],
    chars: list[list[str]],
    fields: list[list[tuple[str, FieldKind]]] | None,
) -> list[np.ndarray]:
    out = []
    for li, (proba, line) in enumerate(zip(probas, chars, strict=True)):
        allowed = np.ones_like(proba, dtype=bool)
        if fields is not None:
            allowed = np.array([_ALLOWED_MASKS[kind] for _, kind in fields[li]])
            if li == 0:
                allowed[0] = _DOCUMENT_CODE_MASK
        chosen = proba[np.arange(len(line)), [ALPHABET.index(c) for c in line]]
        mass = (proba * allowed).sum(axis=1)
        out.append(np.where(mass > 0, chosen / np.maximum(mass, 1e-12), 0.0))
    return out
