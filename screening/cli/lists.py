"""``screening lists``: import, inspect and query the lost/stolen document lists."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from screening.cli.audit_hook import record as audit_record
from screening.cli.options import json_option, parse_today, today_option
from screening.errors import BadArgumentsError, ImportRejectedError
from screening.lists.hashing import load_key
from screening.lists.importer import ImportReport, import_feed
from screening.lists.matcher import MatchResult, find_matches
from screening.lists.model import ListVersion
from screening.lists.store import ListStore, open_store
from screening.settings import Settings


def _default_url() -> str:
    return Settings().resolved_lists_url()


lists_option = click.option(
    "--lists",
    "lists_url",
    metavar="URL",
    default=None,
    help="List store: sqlite:///path/lists.db or postgresql://... "
    "(default: lists.db in the user's data directory).",
)
key_option = click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="HMAC key for a hashed store (default: $SCREENING_LISTS_KEY).",
)


def _open(url: str | None, *, create: bool) -> ListStore:
    return open_store(url or _default_url(), create=create)


@click.group("lists")
def lists() -> None:
    """Lost and stolen document lists (Interpol SLTD model)."""


@lists.command("import")
@click.argument("feed", type=click.Path(path_type=Path, dir_okay=False))
@lists_option
@click.option(
    "--delta",
    is_flag=True,
    help="Apply additions/removals to the active list "
    "(column action=add|remove) instead of replacing it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "jsonl"]),
    default=None,
    help="Feed format (default: from the file extension).",
)
@click.option("--source", default=None, help="Name of the list source (default: file name).")
@key_option
@click.option("--hashed", is_flag=True, help="Store keyed hashes only (needs a key).")
@click.option("--strict", is_flag=True, help="Reject the whole feed if any row is bad.")
@click.option(
    "--rejects",
    "rejects_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write every rejected row (row,reason) to this CSV file.",
)
@json_option
def import_command(
    feed: Path,
    lists_url: str | None,
    delta: bool,
    fmt: str | None,
    source: str | None,
    key_file: Path | None,
    hashed: bool,
    strict: bool,
    rejects_file: Path | None,
    as_json: bool,
) -> None:
    """Import FEED (CSV, JSON array or JSON Lines) as a new list version.

    Good rows are imported, bad rows reported with their row number and reason. The new
    version becomes active only when the whole feed has been read; until then (and if
    the import fails or is interrupted) the previous version stays in use.
    """
    key = load_key(key_file) if (hashed or key_file) else None
    if hashed and key is None:
        raise BadArgumentsError("--hashed needs a key: --key-file or $SCREENING_LISTS_KEY")
    store = _open(lists_url, create=True)
    try:
        report = import_feed(
            store,
            feed,
            kind="delta" if delta else "full",
            source=source,
            fmt=fmt,
            key=key,
            strict=strict,
        )
    finally:
        store.close()
    audit_record(
        "lists_import",
        {
            "feed": feed.name,
            "version": report.version,
            "kind": report.kind,
            "digest": report.digest,
        },
    )
    if rejects_file is not None:
        _write_rejects(rejects_file, report)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report)


def _write_rejects(path: Path, report: ImportReport) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "reason"])
        for error in report.rejects:
            writer.writerow([error.row, error.reason])
        if report.rejected > len(report.rejects):
            writer.writerow(["", f"... {report.rejected - len(report.rejects)} more not listed"])


def _print_report(report: ImportReport) -> None:
    click.echo(
        f"list version {report.version} ({report.kind}) active: "
        f"{report.active_records:,} records, {report.active_series:,} series"
    )
    click.echo(
        f"  read {report.rows_read:,} rows in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f}/s); added {report.records_added:,} records, "
        f"{report.series_added:,} series; removed {report.removed:,}"
        + (f"; {report.not_found:,} removals not found" if report.not_found else "")
    )
    click.echo(f"  digest {report.digest}")
    if report.rejected:
        click.echo(f"  rejected {report.rejected:,} bad rows:")
        for error in report.rejects[:20]:
            click.echo(f"    row {error.row}: {error.reason}")
        if report.rejected > 20:
            click.echo(f"    ... and {report.rejected - 20:,} more (use --rejects FILE)")


@lists.command("status")
@lists_option
@json_option
def status_command(lists_url: str | None, as_json: bool) -> None:
    """Show list versions: which is active, counts, sources, digests."""
    store = _open(lists_url, create=False)
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
                    "store": lists_url or _default_url(),
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
        click.echo(_version_line(v))


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


@lists.command("check")
@click.argument("state")
@click.argument("number", required=False)
@lists_option
@click.option("--type", "doc_type", default=None, help="Document code (P, I, ...), if known.")
@click.option("--no-near", is_flag=True, help="Exact lookup only (no near-hit search).")
@key_option
@today_option
@json_option
def check_command(
    state: str,
    number: str | None,
    lists_url: str | None,
    doc_type: str | None,
    no_near: bool,
    key_file: Path | None,
    today: str | None,
    as_json: bool,
) -> None:
    """Check STATE NUMBER against the active list; STATE '-' reads 'STATE NUMBER [TYPE]'
    lines from stdin and prints one result per line (JSON objects with --json)."""
    day = parse_today(today)
    key = load_key(key_file)
    store = _open(lists_url, create=False)
    try:
        if state == "-" and number is None:
            for n, line in enumerate(sys.stdin, start=1):
                parts = line.split()
                if not parts:
                    continue
                if len(parts) not in (2, 3):
                    _emit(
                        {"line": n, "status": "error", "error": "expected 'STATE NUMBER [TYPE]'"},
                        as_json,
                    )
                    continue
                result = find_matches(
                    store,
                    parts[0],
                    parts[2] if len(parts) == 3 else doc_type,
                    parts[1],
                    today=day,
                    near=not no_near,
                    key=key,
                )
                _emit(_result_dict(parts[0], parts[1], result), as_json)
        else:
            if number is None:
                raise BadArgumentsError("give STATE NUMBER, or '-' to read them from stdin")
            result = find_matches(
                store, state, doc_type, number, today=day, near=not no_near, key=key
            )
            _emit(_result_dict(state, number, result), as_json)
    finally:
        store.close()


def _result_dict(state: str, number: str, result: MatchResult) -> dict[str, Any]:
    return {
        "issuing_state": state.upper(),
        "document_number": number.upper(),
        "status": result.status,
        "list_version": None if result.version is None else result.version.ref(),
        "matches": [m.to_dict() for m in result.matches],
    }


def _emit(out: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(out, separators=(",", ":")))
        return
    if "error" in out:
        click.echo(f"line {out['line']}: {out['error']}")
        return
    head = f"{out['status'].upper():8} {out['issuing_state']} {out['document_number']}"
    version = out["list_version"]
    click.echo(
        head + (f"  (list version {version['version']})" if version else "  (no list imported)")
    )
    for match in out["matches"]:
        record = match["record"]
        click.echo(
            f"  {match['kind']}: {record['status']} — {match['reason']}"
            + (f" [source {record['source']}]" if record.get("source") else "")
        )


@lists.command("export")
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@lists_option
def export_command(output: Path, lists_url: str | None) -> None:
    """Write the active version as a CSV feed (import format) to OUTPUT ('-' = stdout):
    an offline copy for a checkpoint without connectivity, or a backup."""
    import csv

    store = _open(lists_url, create=False)
    try:
        if store.mode()[0] == "hashed":
            raise BadArgumentsError("a hashed store cannot be exported: it holds no numbers")
        version = store.active_version()
        if version is None:
            raise BadArgumentsError("no list imported yet: nothing to export")
        columns = [
            "issuing_state",
            "document_type",
            "document_number",
            "status",
            "number_to",
            "issued_on",
            "expires_on",
            "reported_on",
            "review_on",
            "reporting_state",
            "reference",
            "source",
        ]
        fh = sys.stdout if str(output) == "-" else open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
        try:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            for record in store.iter_records(version):
                row = record.to_dict()
                writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
        finally:
            if fh is not sys.stdout:
                fh.close()
    finally:
        store.close()
    audit_record("lists_export", {"output": str(output), "version": version.id})


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
    store = _open(lists_url, create=False)
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


__all__ = ["ImportRejectedError", "lists"]
