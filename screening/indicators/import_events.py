"""``import-events``: a JSON Lines file of events recorded elsewhere into the store.

Each line is validated on its own (:func:`~screening.indicators.event.parse_event`); a bad
line is reported with its number and reason and skipped, never silently dropped. Lines
are bounded (:data:`MAX_LINE_BYTES`): a longer one is skipped without being read into
memory. Events without an ``event_id`` get one from their content and their occurrence
in the file, so importing the same file twice stores each event once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from screening.errors import InputFileError
from screening.indicators.event import EventError, ScreeningEvent, parse_event, set_content_id
from screening.indicators.store import EventStore

MAX_LINE_BYTES = 64 * 1024
BATCH = 5000
MAX_REPORTED = 1000  # rejected lines listed in the report; all are counted


@dataclass
class ImportEventsReport:
    file: str
    lines: int = 0
    valid: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejects) < MAX_REPORTED:
            self.rejects.append((line, reason))

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "lines": self.lines,
            "valid": self.valid,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejects": [{"line": n, "reason": r} for n, r in self.rejects],
            "rejects_listed": len(self.rejects),
        }


def read_bounded_lines(handle: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; ``None`` for a line longer than ``limit`` (its
    rest is skipped in chunks, never held in memory)."""
    number = 0
    while True:
        chunk = handle.readline(limit + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > limit and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = handle.readline(limit)
            yield number, None
            continue
        yield number, chunk


def parse_lines(
    path: Path, report: ImportEventsReport, *, key: bytes | None
) -> Iterator[ScreeningEvent]:
    occurrences: Counter[str] = Counter()
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputFileError(f"cannot read {path}: {error}") from error
    with handle:
        for number, raw in read_bounded_lines(handle, MAX_LINE_BYTES):
            report.lines = number
            if raw is None:
                report.reject(number, f"line longer than {MAX_LINE_BYTES} bytes")
                continue
            if not raw.strip():
                report.lines = number
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
                event = parse_event(obj, key=key)
            except UnicodeDecodeError:
                report.reject(number, "not UTF-8 text")
                continue
            except json.JSONDecodeError as error:
                report.reject(number, f"not JSON ({error.msg} at column {error.colno})")
                continue
            except EventError as error:
                report.reject(number, str(error))
                continue
            if not event.event_id:
                digest = event.content_digest()
                set_content_id(event, digest, occurrences[digest])
                occurrences[digest] += 1
            report.valid += 1
            yield event


def import_events(store: EventStore, path: Path, *, key: bytes | None) -> ImportEventsReport:
    report = ImportEventsReport(str(path))
    batch: list[ScreeningEvent] = []
    for event in parse_lines(path, report, key=key):
        batch.append(event)
        if len(batch) >= BATCH:
            report.stored += store.add_events(batch)
            batch.clear()
    report.stored += store.add_events(batch)
    report.duplicates = report.valid - report.stored
    return report
