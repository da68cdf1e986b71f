"""What an import must show before it may replace the active list (pure rules).

A bad feed must never empty a list. A wrong file, a truncated export or a changed column
order gives a feed in which most rows are rejected; activated as a full import, it would
replace a list of millions by a handful of records and every number listed before would
answer "none". So a full import is refused (the previous version stays active) when

- it rejects more than ``max_rejects`` of the rows it read (default 1 %), or
- the active list would shrink by more than ``max_shrink`` of its entries (records plus
  series; default 10 %): a feed that lacks part of the list.

A delta is not limited: it changes only the rows it names (its bad rows are reported).

The operator overrides either on purpose (``lists import --max-rejects``,
``--allow-shrink``); ``lists rollback`` undoes an activation that was wrong anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from screening.lists.validation import RowError

DEFAULT_MAX_REJECTS = 0.01
DEFAULT_MAX_SHRINK = 0.10
REASONS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class ImportLimits:
    max_rejects: float = DEFAULT_MAX_REJECTS  # share of the rows read
    max_shrink: float = DEFAULT_MAX_SHRINK  # share of the active list's entries

    def __post_init__(self) -> None:
        for name in ("max_rejects", "max_shrink"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a share between 0 and 1, not {value}")


DEFAULT_LIMITS = ImportLimits()
NO_LIMITS = ImportLimits(max_rejects=1.0, max_shrink=1.0)


def limit_breach(
    *, rows_read: int, rejected: int, before: int | None, after: int, limits: ImportLimits
) -> str | None:
    """Why an import that read ``rows_read`` rows, rejected ``rejected`` of them and
    would take the active list from ``before`` entries (None: no active list) to
    ``after`` must not be activated; None when it may."""
    if rows_read and rejected / rows_read > limits.max_rejects:
        return (
            f"{rejected:,} of {rows_read:,} rows were rejected ({rejected / rows_read:.1%}; "
            f"the limit is {limits.max_rejects:.1%}, see --max-rejects)"
        )
    if before and after < before and (before - after) / before > limits.max_shrink:
        return (
            f"the active list would shrink from {before:,} to {after:,} entries "
            f"({(before - after) / before:.1%} fewer; the limit is {limits.max_shrink:.0%}, "
            "see --allow-shrink)"
        )
    return None


def first_reasons(rejects: Sequence[RowError]) -> str:
    """'; first rejected rows: row 3: ...; row 7: ...' for a refusal message, or ''."""
    if not rejects:
        return ""
    shown = "; ".join(f"row {r.row}: {r.reason}" for r in rejects[:REASONS_SHOWN])
    return f"; first rejected rows: {shown}"
