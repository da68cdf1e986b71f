"""Feed -> validated rows -> a new list version, atomically and in constant memory.

Rows are validated one by one; bad rows are reported (row number, reason) and skipped,
good rows are written in chunks to a staging version. Only when the whole feed has been
read does one transaction make the new version active. Any failure or interruption
before that leaves the previous version active and untouched.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from screening.errors import ImportRejectedError, InputFileError
from screening.lists.bulk import PARALLEL_MIN_BYTES, BlockRows, BulkBlocks, without_reference
from screening.lists.feeds import Feed, FeedError, block_lines
from screening.lists.hashing import key_fingerprint, keyed_hash
from screening.lists.import_report import ImportReport, reason_class
from screening.lists.model import STATUS_LABELS, Status
from screening.lists.normalize import format_series_number, split_series_number, state_key
from screening.lists.rejects import RejectSink
from screening.lists.safeguards import DEFAULT_LIMITS, ImportLimits, first_reasons, limit_breach
from screening.lists.store import ImportSession, ListStore, pack_extra
from screening.lists.validation import (
    FastRow,
    FeedEntry,
    HeaderError,
    RowError,
    make_fast_parser,
    make_validator,
)
from screening.safe_text import printable, valid_unicode

CHUNK_ROWS = 50_000
KEEP_REJECTS = 1000
MAX_EXPANDED_SERIES = 1_000_000


class _Writer:
    """Buffers entries and flushes them to the session in order-preserving chunks."""

    def __init__(self, session: ImportSession, key: bytes | None, report: ImportReport) -> None:
        self.session = session
        self.key = key
        self.report = report
        self.version = session.version_id
        self.upsert = session.kind == "delta"
        self.records: list[tuple] = []
        self.series: list[tuple] = []
        self.removals: list[tuple[str, str]] = []
        self.series_removals: list[tuple[str, int, int, int, str]] = []
        self.max_span = 0
        self.removing = False
        self.removed_records = 0
        self.removed_series = 0
        self.status_counts = [0] * (max(Status) + 1)

    def add_fast(self, row: FastRow) -> None:
        """A row from the fast path: (state3, number, type, status, extra)."""
        if self.removing:
            self.flush()
            self.removing = False
        state3, number, dtype, status, extra = row
        if self.key is None:
            key = state3 + number
        else:
            key = keyed_hash(self.key, state3, dtype, number)
            extra = without_reference(extra)
        self.records.append((key, dtype, status, extra, self.version))
        self.status_counts[status] += 1
        if len(self.records) >= CHUNK_ROWS:
            self.flush()

    def add_block(self, rows: BlockRows) -> None:
        """A whole block from the bulk fast path (keys already made, hashed if need be)."""
        if self.removing:
            self.flush()
            self.removing = False
        self.flush()  # what came before, first
        self.removed_records += self.session.add_record_groups(rows.groups, upsert=self.upsert)
        self.report.records_added += rows.rows
        for label, count in rows.status_counts.items():
            self.status_counts[STATUS_LABELS[label]] += count

    def counts_by_status(self) -> dict[str, int]:
        return {Status(i).label: n for i, n in enumerate(self.status_counts) if n}

    def _record_key(self, entry: FeedEntry, number: str) -> str:
        state3 = state_key(entry.issuing_state)
        if self.key is None:
            return state3 + number
        return keyed_hash(self.key, state3, entry.document_type, number)

    def add(self, entry: FeedEntry) -> None:
        removing = entry.action == "remove"
        if removing != self.removing:
            self.flush()
            self.removing = removing
        if entry.number_to is None or self.key is not None:
            numbers = [entry.document_number]
            if entry.number_to is not None:  # hashed store: a range cannot be hashed
                prefix, first, width = split_series_number(entry.document_number)  # type: ignore[misc]
                last = split_series_number(entry.number_to)[1]  # type: ignore[index]
                numbers = [format_series_number(prefix, n, width) for n in range(first, last + 1)]
            for number in numbers:
                key = self._record_key(entry, number)
                if removing:
                    self.removals.append((key, entry.document_type))
                else:
                    extra = pack_extra(entry[6:])
                    if self.key is not None:
                        extra = without_reference(extra)
                    self.records.append(
                        (key, entry.document_type, entry.status, extra, self.version)
                    )
        else:
            prefix, first, width = split_series_number(entry.document_number)  # type: ignore[misc]
            last = split_series_number(entry.number_to)[1]  # type: ignore[index]
            prefix_key = state_key(entry.issuing_state) + prefix
            if removing:
                self.series_removals.append((prefix_key, width, first, last, entry.document_type))
            else:
                self.max_span = max(self.max_span, last - first)
                self.series.append(
                    (
                        prefix_key,
                        width,
                        first,
                        last,
                        entry.document_type,
                        entry.status,
                        pack_extra(entry[6:]),
                        self.version,
                    )
                )
        if not removing:
            self.status_counts[entry.status] += 1  # type: ignore[index]
        if len(self.records) + len(self.removals) >= CHUNK_ROWS or len(self.series) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        report, session = self.report, self.session
        if self.removals:
            n = session.remove_records(self.removals)
            self.removed_records += n
            report.not_found += len(self.removals) - n
            self.removals = []
        if self.series_removals:
            n = session.remove_series(self.series_removals)
            self.removed_series += n
            report.not_found += len(self.series_removals) - n
            self.series_removals = []
        if self.records:
            self.removed_records += session.add_records(self.records, upsert=self.upsert)
            report.records_added += len(self.records)
            self.records = []
        if self.series:
            self.removed_series += session.add_series(self.series, upsert=self.upsert)
            report.series_added += len(self.series)
            self.series = []
        report.removed = self.removed_records + self.removed_series


def import_feed(
    store: ListStore,
    path: Path,
    *,
    kind: str = "full",
    source: str | None = None,
    fmt: str | None = None,
    key: bytes | None = None,
    strict: bool = False,
    progress: Callable[[ImportReport], None] | None = None,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    limits: ImportLimits = DEFAULT_LIMITS,
    rejects_sink: RejectSink | None = None,
) -> ImportReport:
    """Import one feed as a new list version (``kind`` ``full`` replaces the list,
    ``delta`` adds/removes on top of the active version). Raises ImportRejectedError
    when nothing usable remains (or, with ``strict``, on any bad row), and when the
    import breaks ``limits`` (too many rejected rows, a list that shrinks too much):
    the previous version then stays active. Every rejected row goes to
    ``rejects_sink``, which is finished before anything is activated."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    report = ImportReport(version=None, kind=kind, feed=str(path))
    try:
        feed = Feed(path, fmt)
    except FileNotFoundError as error:
        raise InputFileError(f"no such feed file: {printable(str(path))}") from error
    except OSError as error:
        raise InputFileError(
            f"cannot read the feed {printable(str(path))}: {error.strerror or error}"
        ) from error
    except FeedError as error:
        raise ImportRejectedError(f"{printable(str(path))}: {error}") from error
    helper = feed.format == "csv" and feed.size_bytes >= parallel_min_bytes
    with feed, BulkBlocks(feed, key, helper=helper) as bulk:
        try:
            validate = make_validator(feed.columns, allow_remove=kind == "delta")
        except HeaderError as error:
            raise ImportRejectedError(f"{printable(str(path))}: {error}") from error
        mode = "hashed" if key is not None else "clear"
        session = store.begin_import(
            kind,
            # Stored as text: a name with bytes that are not UTF-8 is stored with U+FFFD.
            source=valid_unicode(source or path.name),
            feed_name=valid_unicode(path.name),
            mode=mode,
            fingerprint=key_fingerprint(key) if key is not None else None,
        )
        report.version = session.version_id
        writer = _Writer(session, key, report)
        rejects, reasons = report.rejects, report.reject_reasons
        gc_was_enabled = gc.isenabled()

        def reject(error: RowError) -> None:
            report.rejected += 1
            reasons[reason_class(error.reason)] += 1
            if len(rejects) < KEEP_REJECTS:
                rejects.append(error)
            if rejects_sink is not None:
                rejects_sink.add(error)

        def slow(row: int, fields: list[str] | str) -> None:
            result = RowError(row, fields) if isinstance(fields, str) else validate(fields, row)
            if isinstance(result, RowError):
                reject(result)
            elif (
                key is not None
                and result.number_to is not None
                and _series_length(result) > MAX_EXPANDED_SERIES
            ):
                reject(RowError(row, f"series longer than {MAX_EXPANDED_SERIES} in a hashed store"))
            else:
                writer.add(result)

        try:
            if feed.format == "csv":
                # The loop allocates only acyclic tuples; the cyclic collector would
                # re-scan the buffered chunk over and over for nothing.
                gc.disable()
                report.rows_read = _read_csv(feed, bulk, writer, slow, report, progress)
                if gc_was_enabled:
                    gc.enable()  # also re-enabled below whatever goes wrong
            else:
                for row, fields in feed.rows():
                    report.rows_read += 1
                    slow(row, fields)
            writer.flush()
            if rejects_sink is not None:
                rejects_sink.finish()  # written before anything is activated or refused
            report.status_counts.update(writer.counts_by_status())
            report.digest = bulk.digest
            summary = _summary(report, writer, session, path, strict=strict, limits=limits)
            activate_started = time.perf_counter()
            session.prepare()
            report.repeats = session.repeats()
            if report.repeats.repeated:
                summary["note"] = report.repeats.describe()
            version = session.activate(summary)
            report.index_seconds = time.perf_counter() - activate_started
        except (FeedError, UnicodeDecodeError) as error:
            if gc_was_enabled:
                gc.enable()
            session.abort(f"feed unreadable: {error}")
            raise ImportRejectedError(
                f"{printable(str(path))}: {error}; the previous list stays active"
            ) from error
        except BaseException as error:
            if gc_was_enabled:
                gc.enable()
            session.abort(f"import failed: {type(error).__name__}: {error}")
            raise
    report.active_records = version.records
    report.active_series = version.series
    report.seconds = time.perf_counter() - started
    report.cpu_seconds = time.process_time() - cpu_started
    return report


def _summary(
    report: ImportReport,
    writer: _Writer,
    session: ImportSession,
    path: Path,
    *,
    strict: bool,
    limits: ImportLimits,
) -> dict[str, Any]:
    """The new version's counts, or ImportRejectedError when it must not be activated."""
    refused = f"{printable(str(path))}: refused, the previous list version stays active: "
    reasons = first_reasons(report.rejects)
    accepted = report.records_added + report.series_added + report.removed + report.not_found
    if report.rejected and strict:
        raise ImportRejectedError(f"{refused}{report.rejected:,} bad row(s) and --strict{reasons}")
    if accepted == 0:
        raise ImportRejectedError(f"{refused}no usable row ({report.rejected:,} rejected){reasons}")
    parent = session.parent  # the active version when the import began
    base = parent if session.kind == "delta" else None  # what a delta builds on
    records = (base.records if base else 0) + report.records_added - writer.removed_records
    series = (base.series if base else 0) + report.series_added - writer.removed_series
    summary = {
        "digest": report.digest,
        "records": records,
        "series": series,
        "added": report.records_added + report.series_added,
        "removed": report.removed,
        "rejected": report.rejected,
        "max_span": max(base.max_span if base else 0, writer.max_span),
        "status_counts": writer.counts_by_status(),
    }
    # A full import replaces the list: it must not replace it with what is left of a
    # bad feed. A delta changes only the rows it names; its bad rows are reported.
    breach = session.kind == "full" and limit_breach(
        rows_read=report.rows_read,
        rejected=report.rejected,
        before=None if parent is None else parent.records + parent.series,
        after=records + series,
        limits=limits,
    )
    if breach:
        raise ImportRejectedError(f"{refused}{breach}{reasons}")
    return summary


def _read_csv(
    feed: Feed,
    bulk: BulkBlocks,
    writer: _Writer,
    slow: Callable[[int, list[str] | str], None],
    report: ImportReport,
    progress: Callable[[ImportReport], None] | None,
) -> int:
    """Feed every CSV row to the writer (bulk blocks, else line by line); rows read."""
    fast = make_fast_parser(feed.columns)
    add_fast = writer.add_fast
    n, line_no, reported = 0, 2, 0  # rows read; first line of the block (header = 1)
    for block, block_rows in bulk:
        if block is None:
            assert block_rows is not None
            writer.add_block(block_rows)
            n += block_rows.rows
            line_no += block_rows.rows
        else:  # some line is not for the bulk path: take the block line by line
            rows, consumed = block_lines(block, line_no)
            line_no += consumed
            for row, line in rows:
                n += 1
                if type(line) is str:
                    parsed = fast(line)
                    if parsed is not None:
                        add_fast(parsed)
                    else:
                        slow(row, line.rstrip("\r\n").split(","))
                else:
                    slow(row, line)
        if progress is not None and n // 1_000_000 > reported:
            reported = n // 1_000_000
            report.rows_read = n
            progress(report)
    return n


def _series_length(entry: FeedEntry) -> int:
    first = split_series_number(entry.document_number)
    last = split_series_number(entry.number_to or "")
    return 0 if first is None or last is None else last[1] - first[1] + 1
