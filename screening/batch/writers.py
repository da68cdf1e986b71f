"""``results.jsonl``, ``results.csv`` and ``errors.log``: each written whole, atomically.

Rows come in input order (the order discovery found the inputs), so that a resumed run
writes the same files as an uninterrupted one.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from screening.batch import rows as facts
from screening.batch.files import atomic_writer
from screening.batch.journal import Entry
from screening.report.spreadsheet import write_rows

CSV_COLUMNS = (
    "file",
    "verdict",
    "format",
    "document_number",
    "issuing_state",
    "nationality",
    "finding_codes",
    "error",
)


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with atomic_writer(path) as handle:
        for row in rows:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode())


def csv_record(row: dict[str, Any]) -> list[Any]:
    return [
        row.get("file"),
        facts.outcome(row),
        facts.document_format(row),
        facts.document_number(row),
        facts.issuing_state(row),
        facts.nationality(row),
        " ".join(facts.finding_codes(row)),
        row.get("error"),
    ]


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """One line per document; formulas neutralised (see screening.report.spreadsheet)."""
    text = io.StringIO(newline="")
    write_rows(text, CSV_COLUMNS, (csv_record(row) for row in rows))
    with atomic_writer(path) as handle:
        handle.write(text.getvalue().encode("utf-8-sig"))  # BOM: Excel reads it as UTF-8


def write_errors_log(path: Path, entries: Sequence[Entry]) -> bool:
    """Tracebacks of unexpected errors, for whoever fixes them; False when there are none."""
    detailed = [e for e in entries if e.detail]
    if not detailed:
        if path.exists():
            path.unlink()
        return False
    with atomic_writer(path) as handle:
        for entry in detailed:
            handle.write(f"== {entry.row.get('file')} (worker {entry.worker})\n".encode())
            handle.write(str(entry.detail).encode() + b"\n")
    return True
