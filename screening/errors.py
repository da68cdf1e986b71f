"""Typed errors with exit codes.

The library raises these; only the CLI's single handler turns them into a message and
an exit code. A screening that *finds* something is not an error: it is a report with
findings. Errors are for input we cannot process at all, or a broken environment.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    # 1 is left to Python itself (an unhandled exception is a bug).
    bad_args = 2
    input_file = 3
    missing_dependency = 4
    list_store = 5
    import_rejected = 6
    output_file = 7
    event_store = 8
    audit_broken = 9
    station_db = 10
    interrupted = 130


class ScreeningError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code: ExitCode = ExitCode.bad_args

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class BadArgumentsError(ScreeningError):
    exit_code = ExitCode.bad_args


class InputFileError(ScreeningError):
    """A file we were asked to read is missing, unreadable, or not what it claims."""

    exit_code = ExitCode.input_file


class MissingDependencyError(ScreeningError):
    """An external program (Tesseract), font or model file is missing or too old."""

    exit_code = ExitCode.missing_dependency


class ListStoreError(ScreeningError):
    """The lost/stolen list store cannot be opened, read or written."""

    exit_code = ExitCode.list_store


class ImportRejectedError(ScreeningError):
    """A list import was refused as a whole; the previous list version stays in use."""

    exit_code = ExitCode.import_rejected


class OutputFileError(ScreeningError):
    """A file we must write (an export, a rejects file, a batch's results, journal or
    report) cannot be written: disk full, no permission, a missing folder. What was
    written before stays intact; nothing half-written is left behind."""

    exit_code = ExitCode.output_file


class EventStoreError(ScreeningError):
    """The indicator event store cannot be opened, read or written. A scan never fails
    for it: the recorder turns it into a warning and keeps the events in a spool file."""

    exit_code = ExitCode.event_store


class StationDbError(ScreeningError):
    """The station database (accounts, tokens, history, audit log) cannot be used."""

    exit_code = ExitCode.station_db


class AuditBrokenError(ScreeningError):
    """The audit log's hash chain does not verify: an entry was edited or deleted."""

    exit_code = ExitCode.audit_broken
