"""``indicators import``: CSV tables of the other sources (arrivals vs departures, visas,
residence-permit prolongations, assisted voluntary returns, detentions), validated
against their kind's declared schema (``data/tables.toml``) and stored one row per
measure. A bad row is reported with its row number and reason and skipped; a row already
stored (same kind, period, dimensions, measure and source) is skipped, so a re-import
does not double count.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from screening.errors import BadArgumentsError, InputFileError
from screening.indicators.places import load_gazetteer

MAX_FIELD = 512
MAX_ROWS = 1_000_000
_NATIONALITY = re.compile(r"[A-Z]{1,3}|ALL")


@dataclass(frozen=True, slots=True)
class TableKind:
    name: str
    title: str
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]


@cache
def table_kinds() -> dict[str, TableKind]:
    raw = tomllib.loads(
        resources.files("screening.indicators.data").joinpath("tables.toml").read_text()
    )
    return {
        name: TableKind(name, k["title"], tuple(k["dimensions"]), tuple(k["measures"]))
        for name, k in raw["kinds"].items()
    }


@dataclass
class TableImportReport:
    file: str
    kind: str
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "rows": self.rows,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": len(self.rejects),
            "rejects": [{"row": n, "reason": r} for n, r in self.rejects],
        }


def _date(row: dict[str, str], name: str) -> str:
    try:
        return date.fromisoformat(row.get(name, "").strip()).isoformat()
    except ValueError as error:
        raise ValueError(f"{name} must be a date YYYY-MM-DD") from error


def parse_row(kind: TableKind, row: dict[str, str]) -> list[tuple[Any, ...]]:
    """Stored rows (``SOURCE_COLUMNS`` order) for one CSV row; ValueError says why not."""
    period_from, period_to = _date(row, "period_from"), _date(row, "period_to")
    if period_to < period_from:
        raise ValueError("period_to is before period_from")
    source = (row.get("source") or "").strip()
    if not source:
        raise ValueError("source is empty: every figure needs its source")
    dims: dict[str, str | None] = {"nationality": None, "checkpoint": None, "route": None}
    gaz = load_gazetteer()
    for name in kind.dimensions:
        value = (row.get(name) or "").strip()
        if not value:
            continue
        if name == "nationality":
            value = value.upper()
            if not _NATIONALITY.fullmatch(value):
                raise ValueError(f"nationality {value!r} is not an ICAO code or ALL")
        elif name == "checkpoint":
            value = gaz.resolve(value)
        elif name == "route":
            value = ">".join(gaz.resolve(p) for p in value.split(">") if p.strip())
        dims[name] = value
    out = []
    for measure in kind.measures:
        text = (row.get(measure) or "").strip().replace(",", "")
        if not text:
            continue
        try:
            value = float(text)
        except ValueError as error:
            raise ValueError(f"{measure} {text[:20]!r} is not a number") from error
        if value < 0 or value != value:
            raise ValueError(f"{measure} must be a non-negative number")
        key = "|".join(
            str(x) for x in (kind.name, period_from, period_to, *dims.values(), measure, source)
        )
        row_id = hashlib.sha256(key.encode()).hexdigest()[:32]
        note = (row.get("note") or "").strip() or None
        out.append(
            (
                row_id,
                kind.name,
                source,
                period_from,
                period_to,
                dims["nationality"],
                dims["checkpoint"],
                dims["route"],
                measure,
                value,
                note,
            )
        )
    if not out:
        raise ValueError(f"no measure given (one of {', '.join(kind.measures)})")
    return out


def read_table(path: Path, kind_name: str, report: TableImportReport) -> list[tuple[Any, ...]]:
    kinds = table_kinds()
    if kind_name not in kinds:
        raise BadArgumentsError(
            f"unknown table kind {kind_name!r}", hint=f"one of {', '.join(sorted(kinds))}"
        )
    kind = kinds[kind_name]
    try:
        text = path.read_bytes()[: 64 * 1024 * 1024].decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"cannot read {path} as UTF-8 CSV: {error}") from error
    reader = csv.DictReader(io.StringIO(text))
    missing = {"period_from", "period_to", "source"} - set(reader.fieldnames or [])
    if missing:
        raise InputFileError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    stored: list[tuple[Any, ...]] = []
    for number, row in enumerate(reader, start=2):
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.rejects.append((number, f"more than {MAX_ROWS} rows; the rest is not read"))
            break
        if None in row or any(len(v or "") > MAX_FIELD for v in row.values()):
            report.rejects.append((number, "extra columns or a field too long"))
            continue
        try:
            stored += parse_row(kind, row)
        except ValueError as error:
            report.rejects.append((number, str(error)))
    return stored
