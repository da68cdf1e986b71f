"""``screening lists``: import, inspect and query the lost/stolen document lists."""

from __future__ import annotations

import json

import click

from screening.cli.audit_hook import record as audit_record
from screening.cli.lists_check import check_command
from screening.cli.lists_common import default_url, lists_option, open_lists
from screening.cli.lists_export import export_command
from screening.cli.lists_import import import_command
from screening.cli.options import json_option
from screening.lists.model import ListVersion
from screening.safe_text import printable


@click.group("lists")
def lists() -> None:
    """Lost and stolen document lists (Interpol SLTD model)."""


@lists.command("status")
@lists_option
@json_option
def status_command(lists_url: str | None, as_json: bool) -> None:
    """Show list versions: which is active, counts, sources, digests."""
    store = open_lists(lists_url, create=False)
    try:
        versions = store.versions()
        mode = store.mode()[0]
    finally:
        store.close()
    if as_json:
        active = next((v.id for v in versions if v.state == "active"), None)
        click.echo(
            json.dumps(
                {
                    "store": lists_url or default_url(),
                    "mode": mode,
                    "active_version": active,
                    "versions": [v.to_dict() for v in versions],
                },
                indent=2,
            )
        )
        return
    if not versions:
        click.echo("no list imported yet")
        return
    click.echo(f"mode: {mode}")
    for v in versions:
        click.echo(printable(_version_line(v)))


def _version_line(v: ListVersion) -> str:
    marker = "*" if v.state == "active" else " "
    counts = (
        f"{v.records:,} records, {v.series:,} series" if v.state in ("active", "superseded") else ""
    )
    delta = f" (+{v.added:,} -{v.removed:,})" if v.kind == "delta" else ""
    rejected = f", {v.rejected:,} rows rejected" if v.rejected else ""
    digest = (v.digest or "")[:19]
    when = v.finished_at or v.started_at or ""
    note = f" — {v.note}" if v.note else ""
    return (
        f"{marker} v{v.id} {v.kind:5} {v.state:11} {when} {counts}{delta}{rejected} "
        f"source={v.source} {digest}{note}"
    )


@lists.command("gc")
@lists_option
@click.option(
    "--keep",
    type=int,
    default=1,
    show_default=True,
    help="Superseded full lists to keep for rollback.",
)
@json_option
def gc_command(lists_url: str | None, keep: int, as_json: bool) -> None:
    """Remove what interrupted imports and old versions left behind."""
    store = open_lists(lists_url, create=False)
    try:
        result = store.gc(keep=keep)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(
            f"dropped {result['tables_dropped']} tables, "
            f"purged {result['rows_purged']:,} rows of failed imports"
        )


@lists.command("rollback")
@lists_option
@click.option(
    "--to",
    "to_version",
    type=int,
    default=None,
    metavar="VERSION",
    help="The version to reactivate (default: the previous one).",
)
@json_option
def rollback_command(lists_url: str | None, to_version: int | None, as_json: bool) -> None:
    """Reactivate the previous list version (or --to VERSION): undo an import that
    should not have become active. Only versions whose tables are still kept (gc keeps
    the previous full list) can come back; the undone version is marked rolled_back."""
    store = open_lists(lists_url, create=False)
    try:
        left, now = store.rollback(to_version)
    finally:
        store.close()
    audit_record("lists_rollback", {"rolled_back": left.id, "active": now.id})
    if as_json:
        click.echo(json.dumps({"rolled_back": left.to_dict(), "active": now.to_dict()}))
    else:
        click.echo(
            printable(
                f"v{now.id} active again ({now.records:,} records, {now.series:,} series, "
                f"source={now.source}); v{left.id} rolled back"
            )
        )


lists.add_command(import_command)
lists.add_command(check_command)
lists.add_command(export_command)
