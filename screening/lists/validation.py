"""Validation of feed rows (pure): one row in, a ``FeedEntry`` or a ``RowError`` out.

The validator is built once per feed from its header, then called per row; it is the
hot loop of an import (hundreds of thousands of rows a second), hence the plain tuples
and local-variable style.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import NamedTuple

from screening.lists.model import STATUS_LABELS
from screening.lists.normalize import NUMBER_RE, split_series_number
from screening.mrz.countries import country_codes
from screening.safe_text import excerpt

REQUIRED_COLUMNS = ("issuing_state", "document_type", "document_number", "status")
DATE_COLUMNS = ("issued_on", "expires_on", "reported_on", "review_on")
OPTIONAL_COLUMNS = (
    "number_to",
    *DATE_COLUMNS,
    "reporting_state",
    "reference",
    "source",
    "action",
)
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
ACTIONS = ("add", "remove")
MAX_TEXT = 200


class FeedEntry(NamedTuple):
    action: str
    issuing_state: str
    document_type: str
    document_number: str
    number_to: str | None
    status: int | None  # None only for removals
    reporting_state: str | None
    issued_on: str | None
    expires_on: str | None
    reported_on: str | None
    review_on: str | None
    reference: str | None
    source: str | None

    @property
    def is_series(self) -> bool:
        return self.number_to is not None


class RowError(NamedTuple):
    row: int
    reason: str


class HeaderError(ValueError):
    """The feed's header cannot be used at all (the whole import is rejected)."""


RowValidator = Callable[[Sequence[str], int], "FeedEntry | RowError"]


def check_header(columns: Sequence[str]) -> list[str]:
    names = [c.strip().lower() for c in columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise HeaderError(
            f"missing required column(s): {', '.join(missing)} "
            f"(header must include {','.join(REQUIRED_COLUMNS)})"
        )
    unknown = [c for c in names if c not in ALL_COLUMNS]
    if unknown:
        raise HeaderError(
            f"unknown column(s): {', '.join(unknown)}; allowed: {', '.join(ALL_COLUMNS)}"
        )
    duplicated = sorted({c for c in names if names.count(c) > 1})
    if duplicated:
        raise HeaderError(f"duplicated column(s): {', '.join(duplicated)}")
    return names


def make_validator(columns: Sequence[str], *, allow_remove: bool) -> RowValidator:
    """Build the row validator for a feed whose header is ``columns``."""
    names = check_header(columns)
    index = {name: i for i, name in enumerate(names)}
    width = len(names)
    # Every ICAO code, withdrawn ones included: old documents still carry them.
    states = frozenset(country_codes())
    statuses = {label: int(status) for label, status in STATUS_LABELS.items()}
    number_ok = NUMBER_RE.fullmatch
    i_state, i_type, i_number, i_status = (index[c] for c in REQUIRED_COLUMNS)
    optional = {c: index.get(c) for c in OPTIONAL_COLUMNS}
    i_to, i_action = optional["number_to"], optional["action"]
    i_rep, i_ref, i_src = optional["reporting_state"], optional["reference"], optional["source"]
    date_idx = [(c, optional[c]) for c in DATE_COLUMNS]
    has_dates = any(i is not None for _, i in date_idx)

    def validate(fields: Sequence[str], row: int) -> FeedEntry | RowError:
        if len(fields) != width:
            return RowError(row, f"expected {width} fields, found {len(fields)}")
        action = "add"
        if i_action is not None:
            action = fields[i_action].strip().lower() or "add"
            if action not in ACTIONS:
                return RowError(row, f"action {excerpt(fields[i_action])} is not add or remove")
            if action == "remove" and not allow_remove:
                return RowError(row, "action 'remove' is only allowed in a delta import")
        state = fields[i_state].strip().upper().rstrip("<")
        if state not in states:
            return RowError(row, f"issuing_state {excerpt(fields[i_state])} is not an ICAO code")
        dtype = fields[i_type].strip().upper()
        if (
            not dtype
            or len(dtype) > 2
            or not ("A" <= dtype[0] <= "Z")
            or (len(dtype) == 2 and not ("A" <= dtype[1] <= "Z" or dtype[1] == "<"))
        ):
            return RowError(row, f"document_type {excerpt(fields[i_type])} is not a document code")
        dtype = dtype[0]
        number = fields[i_number].strip().upper().rstrip("<")
        if " " in number:
            number = number.replace(" ", "")
        # ASCII before upper-casing: 'ı'.upper() is 'I', a look-alike is no number.
        if not (number_ok(number) and fields[i_number].isascii()):
            return RowError(
                row, f"document_number {excerpt(fields[i_number])} must be 1-24 characters A-Z, 0-9"
            )
        raw_status = fields[i_status].strip().lower()
        status = statuses.get(raw_status)
        if status is None and not (action == "remove" and not raw_status):
            return RowError(
                row, f"status {excerpt(fields[i_status])} is not one of {', '.join(statuses)}"
            )
        number_to = None
        if i_to is not None:
            raw_to = fields[i_to].strip().upper().rstrip("<")
            if raw_to and raw_to != number:
                error = _check_series(number, raw_to)
                if error:
                    return RowError(row, error)
                number_to = raw_to
        dates: dict[str, str | None] = {}
        if has_dates:
            for name, i in date_idx:
                value = fields[i].strip() if i is not None else ""
                if value:
                    try:
                        value = date.fromisoformat(value).isoformat()
                    except ValueError:
                        return RowError(row, f"{name} {excerpt(value)} is not a date YYYY-MM-DD")
                    if len(value) != 10:
                        return RowError(row, f"{name} {excerpt(value)} is not a date YYYY-MM-DD")
                dates[name] = value or None
            issued, expires = dates.get("issued_on"), dates.get("expires_on")
            if issued and expires and expires < issued:
                return RowError(row, "expires_on is before issued_on")
        reporting = None
        if i_rep is not None:
            reporting = fields[i_rep].strip().upper().rstrip("<") or None
            if reporting is not None and reporting not in states:
                return RowError(
                    row, f"reporting_state {excerpt(fields[i_rep])} is not an ICAO code"
                )
        reference = fields[i_ref].strip() or None if i_ref is not None else None
        source = fields[i_src].strip() or None if i_src is not None else None
        for text in (reference, source):
            if text and (len(text) > MAX_TEXT or not text.isprintable()):
                return RowError(
                    row, f"reference/source must be printable, at most {MAX_TEXT} characters"
                )
        return FeedEntry(
            action,
            state,
            dtype,
            number,
            number_to,
            status,
            reporting,
            dates.get("issued_on"),
            dates.get("expires_on"),
            dates.get("reported_on"),
            dates.get("review_on"),
            reference,
            source,
        )

    return validate


def _check_series(first: str, last: str) -> str | None:
    a, b = split_series_number(first), split_series_number(last)
    if a is None or b is None:
        return "a series needs document_number and number_to ending in digits"
    if a[0] != b[0] or a[2] != b[2]:
        return (
            f"series {first}-{last}: both ends must share the prefix and the number of "
            "digits (e.g. AN1234000-AN1234999)"
        )
    if a[2] > 18:
        return f"series {first}-{last}: at most 18 digits in the numeric part"
    if b[1] < a[1]:
        return f"series {first}-{last}: number_to is before document_number"
    return None


# Fast path: a feed line with no quotes, no spaces, no series and no removal is checked by
# one regular expression (plus set/date checks) and turned straight into a store row.
# Anything else (or anything the expression rejects) goes through ``make_validator``,
# which gives the reason. Both accept exactly the same rows.
_FAST_PATTERNS = {
    "issuing_state": r"([A-Z]{1,3})<*",
    "document_type": r"([A-Z])[A-Z<]?",
    "document_number": r"([A-Z0-9]{1,24})<*",
    "status": "(" + "|".join(sorted(STATUS_LABELS, key=len, reverse=True)) + ")",
    "number_to": r"",
    "reporting_state": r"([A-Z]{3})?",
    "reference": r"([^,\"\s\x00-\x1f\x7f]{0,200})",
    "source": r"([^,\"\s\x00-\x1f\x7f]{0,200})",
    "action": r"(?:add)?",
    **{c: r"(\d{4}-\d{2}-\d{2})?" for c in DATE_COLUMNS},
}
EXTRA_SEPARATOR = "\x1f"
FastRow = tuple[str, str, str, int, "str | None"]  # state3, number, type, status, extra


class _FastLayout(NamedTuple):
    """What the fast expressions need to know about one feed's header."""

    body: str  # the per-line expression, without anchors
    i_state: int
    i_type: int
    i_number: int
    i_status: int
    extra_idx: list[int | None]  # RECORD_FIELDS order, group index or None
    date_idx: list[int]
    i_issued: int | None
    i_expires: int | None

    @property
    def has_extra(self) -> bool:
        return any(i is not None for i in self.extra_idx)


def _fast_layout(columns: Sequence[str]) -> _FastLayout:
    names = check_header(columns)
    group_names = [
        n
        for n in names
        if _FAST_PATTERNS[n].startswith("(") and not _FAST_PATTERNS[n].startswith("(?:")
    ]
    gi = {n: i for i, n in enumerate(group_names)}
    # RECORD_FIELDS order: reporting_state, issued_on, expires_on, reported_on, review_on,
    # reference, source.
    return _FastLayout(
        ",".join(_FAST_PATTERNS[n] for n in names),
        *(gi[c] for c in REQUIRED_COLUMNS),
        [gi.get(c) for c in ("reporting_state", *DATE_COLUMNS, "reference", "source")],
        [gi[c] for c in DATE_COLUMNS if c in gi],
        gi.get("issued_on"),
        gi.get("expires_on"),
    )


def make_fast_parser(columns: Sequence[str]) -> Callable[[str], FastRow | None]:
    layout = _fast_layout(columns)
    pattern = re.compile(layout.body + r"\r?\n?")
    i_state, i_type, i_number, i_status = layout[1:5]
    extra_idx, date_idx = layout.extra_idx, layout.date_idx
    has_extra = layout.has_extra
    i_issued, i_expires = layout.i_issued, layout.i_expires
    states = frozenset(country_codes())
    statuses = {label: int(status) for label, status in STATUS_LABELS.items()}
    fullmatch = pattern.fullmatch
    fromiso = date.fromisoformat

    def parse(line: str) -> FastRow | None:
        m = fullmatch(line)
        if m is None:
            return None
        g = m.groups()
        state = g[i_state]
        if state not in states:
            return None
        extra = None
        if has_extra:
            for i in date_idx:
                if g[i] is not None:
                    try:
                        fromiso(g[i])
                    except ValueError:
                        return None
            if (
                i_issued is not None
                and i_expires is not None
                and g[i_issued]
                and g[i_expires]
                and g[i_expires] < g[i_issued]
            ):
                return None
            values = ["" if i is None or g[i] is None else g[i] for i in extra_idx]
            if any(values):
                extra = EXTRA_SEPARATOR.join(values)
        return (state.ljust(3, "<"), g[i_number], g[i_type], statuses[g[i_status]], extra)

    return parse


class FastBlock(NamedTuple):
    """Many feed rows accepted at once, column by column (same values as ``FastRow``)."""

    states: Sequence[str]  # padded to 3 characters with '<'
    numbers: Sequence[str]
    types: Sequence[str]
    statuses: list[int]
    extras: list[str | None] | None  # None: no row has any optional value


def make_block_parser(columns: Sequence[str]) -> Callable[[str], FastBlock | None]:
    """The fast path for a whole block of lines: one ``findall`` over the block and
    column-wise checks, no Python code per row. It returns None as soon as one line of
    the block would not be accepted by ``make_fast_parser`` (a blank line, a quote, a
    series, a bad value...); the caller then takes that block line by line, which
    reports the bad rows with their line numbers. Accepts exactly what the per-line
    fast path accepts."""
    # Per block, not per row: the layout's fields are read as attributes.
    layout = _fast_layout(columns)
    findall = re.compile("^" + layout.body + r"\r?$", re.MULTILINE).findall
    states = frozenset(country_codes())
    status_of = {label: int(status) for label, status in STATUS_LABELS.items()}.__getitem__
    no_extra = EXTRA_SEPARATOR * (len(layout.extra_idx) - 1)

    def parse_block(block: str) -> FastBlock | None:
        # A quote, a blank line or a bare-CR line end makes the counts disagree.
        rows = findall(block)
        lines = block.count("\n") + (not block.endswith("\n"))
        if not rows or len(rows) != lines:
            return None
        cols = list(zip(*rows, strict=True))
        state_col = cols[layout.i_state]
        seen_states = set(state_col)
        if not seen_states <= states:
            return None
        if any(len(s) != 3 for s in seen_states):
            state_col = [s.ljust(3, "<") for s in state_col]
        status_col = cols[layout.i_status]
        extras = None
        if layout.has_extra:
            for i in layout.date_idx:
                for value in set(cols[i]):
                    if value:
                        try:
                            date.fromisoformat(value)
                        except ValueError:
                            return None
            if layout.i_issued is not None and layout.i_expires is not None:
                issued, expires = cols[layout.i_issued], cols[layout.i_expires]
                if any(e and s and e < s for s, e in zip(issued, expires, strict=True)):
                    return None
            empty = ("",) * len(rows)
            parts = [empty if i is None else cols[i] for i in layout.extra_idx]
            joined = map(EXTRA_SEPARATOR.join, zip(*parts, strict=True))
            extras = [None if e == no_extra else e for e in joined]
            if not any(extras):
                extras = None
        return FastBlock(
            state_col,
            cols[layout.i_number],
            cols[layout.i_type],
            list(map(status_of, status_col)),
            extras,
        )

    return parse_block
