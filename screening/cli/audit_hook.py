"""The CLI's entries in the audit trail: who ran what, as the OS user.

Commands call :func:`record` after doing their work. The trail lives in the station
database (``--db``, ``$SCREENING_STATION_DB``, else ``station.db`` in the data
directory). An unavailable database never loses the work itself, and never silently:
the command says on stderr that the entry is missing.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from typing import Any

import click

from screening.audit import AuditLog
from screening.db import Database, default_station_url
from screening.errors import ScreeningError

db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=None,
    help="Station database (accounts, history, audit trail): sqlite:///path or "
    "postgresql://... (default: $SCREENING_STATION_DB, else station.db in the user's "
    "data directory).",
)


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


class CliAudit:
    """One audit connection for a command's run (opened lazily, at the first entry)."""

    def __init__(self, db_url: str | None = None) -> None:
        self.url = db_url or default_station_url()
        self._log: AuditLog | None = None
        self._failed = False

    def record(self, action: str, detail: Mapping[str, Any]) -> None:
        if self._failed:
            click.echo(f"screening: warning: not in the audit trail: {action}", err=True)
            return
        try:
            if self._log is None:
                self._log = AuditLog(Database(self.url))
            self._log.append(os_user(), action, {"via": "cli", **detail})
        except ScreeningError as problem:
            self._failed = True
            click.echo(
                f"screening: warning: audit trail unavailable ({problem.message}); "
                f"this {action} is not on record",
                err=True,
            )

    def close(self) -> None:
        if self._log is not None:
            self._log.db.close()
            self._log = None


def record(action: str, detail: Mapping[str, Any], db_url: str | None = None) -> None:
    audit = CliAudit(db_url)
    try:
        audit.record(action, detail)
    finally:
        audit.close()
