"""``screening audit``: read and verify the hash-chained audit trail."""

from __future__ import annotations

import json

import click

from screening.audit import AuditLog
from screening.cli.audit_hook import db_option
from screening.cli.options import json_option
from screening.db import Database, default_station_url
from screening.errors import AuditBrokenError


@click.group("audit")
def audit() -> None:
    """The audit trail: who screened, imported, exported, logged in or failed to."""


@audit.command("verify")
@db_option
@json_option
def verify(db_url: str | None, as_json: bool) -> None:
    """Check the hash chain; exit 9 and name the first bad entry if it is broken.

    Keep the printed head (entry number and hash) somewhere else: a later verify
    that ends before it means the newest entries were removed.
    """
    with Database(db_url or default_station_url()) as db:
        check = AuditLog(db).verify()
    if as_json:
        click.echo(json.dumps(check.to_dict()))
    if not check.ok:
        raise AuditBrokenError(f"audit trail broken at entry {check.first_bad}: {check.reason}")
    if not as_json:
        click.echo(
            f"audit trail verified: {check.entries} entries; head {check.head_seq} "
            f"{check.head_hash}"
        )


@audit.command("list")
@db_option
@json_option
@click.option("--actor", default=None, help="Only this actor.")
@click.option("--action", default=None, help="Only this action (scan, login_failed, ...).")
@click.option("--since", default=None, metavar="TIME", help="Only entries from this ISO time.")
@click.option("--limit", type=int, default=None, help="At most this many (the newest).")
def list_command(
    db_url: str | None,
    as_json: bool,
    actor: str | None,
    action: str | None,
    since: str | None,
    limit: int | None,
) -> None:
    """Print the entries, oldest first (--json: one object a line with seq, time,
    actor, action, detail, hash)."""
    with Database(db_url or default_station_url()) as db:
        log = AuditLog(db)
        entries = list(
            log.entries(
                actor=actor, action=action, since=since, limit=limit, newest_first=bool(limit)
            )
        )
    if limit:
        entries.reverse()
    for entry in entries:
        if as_json:
            click.echo(json.dumps(entry.to_dict(), ensure_ascii=False))
        else:
            detail = json.dumps(dict(entry.detail), ensure_ascii=False)
            click.echo(f"{entry.seq:6} {entry.time} {entry.actor:16} {entry.action:16} {detail}")
