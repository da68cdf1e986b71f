"""``screening lists import``: a feed becomes a new list version, or is refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import click

from screening.cli.audit_hook import record as audit_record
from screening.cli.lists_common import key_option, lists_option, open_lists
from screening.cli.options import json_option
from screening.errors import BadArgumentsError
from screening.lists.hashing import load_key
from screening.lists.importer import ImportReport, import_feed
from screening.lists.rejects import RejectsFile
from screening.lists.safeguards import DEFAULT_MAX_REJECTS, DEFAULT_MAX_SHRINK, ImportLimits
from screening.safe_text import printable

REASONS_PRINTED = 20


def parse_share(value: str | None) -> float | None:
    """'0.05' or '5%' -> 0.05; a share outside 0-100 % is a usage error."""
    if value is None:
        return None
    text = value.strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        share = -1.0
    if not 0.0 <= share <= 1.0:
        raise BadArgumentsError(
            f"--max-rejects must be a share such as 0.05 or 5%, not {printable(value)!r}"
        )
    return share


@click.command("import")
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
    "--max-rejects",
    "max_rejects",
    metavar="SHARE",
    default=None,
    help=f"Refuse the feed when more than this share of its rows is rejected "
    f"(default {DEFAULT_MAX_REJECTS:.0%}; e.g. 0.05 or 5%).",
)
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Accept a feed that removes more than 10% of the active list "
    "(refused by default: a truncated or wrong feed must not empty the list).",
)
@click.option(
    "--rejects",
    "rejects_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write every rejected row (row,reason) to this CSV file, "
    "before anything is activated (also when the feed is refused).",
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
    max_rejects: str | None,
    allow_shrink: bool,
    rejects_file: Path | None,
    as_json: bool,
) -> None:
    """Import FEED (CSV, JSON array or JSON Lines) as a new list version.

    Good rows are imported, bad rows reported with their row number and reason. The new
    version becomes active only when the whole feed has been read and passes the
    safeguards (at most 1% of rows rejected, the list not shrinking by more than 10%);
    until then (and if the import is refused, fails or is interrupted) the previous
    version stays in use. `lists rollback` undoes an activation.
    """
    share = parse_share(max_rejects)
    limits = ImportLimits(
        max_rejects=DEFAULT_MAX_REJECTS if share is None else share,
        max_shrink=1.0 if allow_shrink else DEFAULT_MAX_SHRINK,
    )
    key = load_key(key_file) if (hashed or key_file) else None
    if hashed and key is None:
        raise BadArgumentsError("--hashed needs a key: --key-file or $SCREENING_LISTS_KEY")
    # Opened first: a rejects path that cannot be written fails before anything changes.
    rejects = RejectsFile(rejects_file) if rejects_file is not None else None
    try:
        store = open_lists(lists_url, create=True)
        try:
            report = import_feed(
                store,
                feed,
                kind="delta" if delta else "full",
                source=source,
                fmt=fmt,
                key=key,
                strict=strict,
                limits=limits,
                rejects_sink=rejects,
            )
        finally:
            store.close()
    finally:
        if rejects is not None:
            rejects.discard()  # no-op once finished: the import read the whole feed
    audit_record(
        "lists_import",
        {
            "feed": feed.name,
            "version": report.version,
            "kind": report.kind,
            "digest": report.digest,
        },
    )
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo("\n".join(printable(line) for line in report_lines(report)))


def report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"list version {report.version} ({report.kind}) active: "
        f"{report.active_records:,} records, {report.active_series:,} series",
        f"  read {report.rows_read:,} rows in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f}/s); added {report.records_added:,} records, "
        f"{report.series_added:,} series; removed {report.removed:,}"
        + (f"; {report.not_found:,} removals not found" if report.not_found else ""),
        f"  digest {report.digest}",
    ]
    if report.repeats.repeated:
        lines.append(f"  {report.repeats.describe()}")
    if report.rejected:
        lines.append(f"  rejected {report.rejected:,} bad rows:")
        lines += [f"    row {e.row}: {e.reason}" for e in report.rejects[:REASONS_PRINTED]]
        if report.rejected > REASONS_PRINTED:
            lines.append(
                f"    ... and {report.rejected - REASONS_PRINTED:,} more (use --rejects FILE)"
            )
    return lines
