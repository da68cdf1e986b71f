"""``screening lists export``: the active version as a CSV feed (offline copy, backup)."""

from __future__ import annotations

import csv
from pathlib import Path

import click

from screening.cli.audit_hook import record as audit_record
from screening.cli.lists_common import lists_option, open_lists
from screening.errors import BadArgumentsError
from screening.outputs import OutputFile
from screening.report.spreadsheet import neutralise_cell

EXPORT_COLUMNS = (
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
)


@click.command("export")
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@lists_option
def export_command(output: Path, lists_url: str | None) -> None:
    """Write the active version as a CSV feed (import format) to OUTPUT ('-' = stdout):
    an offline copy for a checkpoint without connectivity, or a backup.

    The file appears only once complete (a full disk leaves no truncated copy). A value
    a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
    return) is written with a leading ' (OWASP), so it stays text.
    """
    store = open_lists(lists_url, create=False)
    try:
        if store.mode()[0] == "hashed":
            raise BadArgumentsError("a hashed store cannot be exported: it holds no numbers")
        version = store.active_version()
        if version is None:
            raise BadArgumentsError("no list imported yet: nothing to export")
        with OutputFile(output, what="export") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(EXPORT_COLUMNS)
            for record in store.iter_records(version):
                row = record.to_dict()
                writer.writerow([neutralise_cell(row.get(c)) for c in EXPORT_COLUMNS])
    finally:
        store.close()
    audit_record("lists_export", {"output": str(output), "version": version.id})
