"""``screening indicators``: import events and other sources, report the vector, status."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import click

from screening.cli.options import json_option
from screening.errors import BadArgumentsError, ExitCode
from screening.indicators.config import RecordingConfig
from screening.indicators.import_events import import_events
from screening.indicators.report_data import build_report
from screening.indicators.report_files import write_report
from screening.indicators.scoring import load_scoring
from screening.indicators.store import EventStore, open_event_store
from screening.indicators.tables import TableImportReport, read_table, table_kinds
from screening.settings import Settings

events_option = click.option(
    "--events",
    "events_url",
    metavar="URL",
    default=None,
    help="Event store: sqlite:///path/events.db or postgresql://... (default: "
    "$SCREENING_EVENTS_URL, the config file, else events.db in the data directory).",
)


def _config(events_url: str | None) -> RecordingConfig:
    return RecordingConfig.resolve(Settings(), events_url=events_url)


def _open(events_url: str | None) -> EventStore:
    return open_event_store(_config(events_url).events_url)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadArgumentsError(f"{name} must be a date YYYY-MM-DD, not {value!r}") from error


@click.group("indicators")
def indicators() -> None:
    """Smuggling indicators: screening events, other sources, and the corridor report."""


@indicators.command("import-events")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@events_option
@json_option
def import_events_command(file: Path, events_url: str | None, as_json: bool) -> int:
    """Import FILE.jsonl: one screening event per line (time, checkpoint, direction,
    nationality, issuing_state, document_type, verdict, codes; optionally route, origin,
    edition, document_hash or document_number, event_id).

    Invalid lines are reported with their number and reason and skipped. Re-importing a
    file does not count its events twice. Exit code 6 when no line could be imported.
    """
    config = _config(events_url)
    with open_event_store(config.events_url) as store:
        report = import_events(store, file, key=config.load_key())
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(
            f"{file}: {report.lines} lines, {report.valid} valid events, {report.stored} stored, "
            f"{report.duplicates} already stored, {report.rejected} rejected"
        )
        for line, reason in report.rejects[:20]:
            click.echo(f"  line {line}: {reason}")
        if report.rejected > 20:
            click.echo(f"  ... {report.rejected - 20} more (--json lists up to 1000)")
    return int(ExitCode.import_rejected) if report.rejected and not report.valid else 0


@indicators.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--kind",
    required=True,
    type=click.Choice(sorted(table_kinds())),
    help="What the table holds (schemas in docs/indicators.md).",
)
@events_option
@json_option
def import_table_command(file: Path, kind: str, events_url: str | None, as_json: bool) -> int:
    """Import a CSV table of another indicator source (arrivals vs departures, visas,
    residence-permit prolongations, assisted voluntary returns, detentions)."""
    report = TableImportReport(str(file), kind)
    rows = read_table(file, kind, report)
    with _open(events_url) as store:
        report.stored = store.add_source_rows(rows)
    report.duplicates = len(rows) - report.stored
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(
            f"{file}: {report.rows} rows, {report.stored} figures stored, "
            f"{report.duplicates} already stored, {len(report.rejects)} rows rejected"
        )
        for row, reason in report.rejects[:20]:
            click.echo(f"  row {row}: {reason}")
    return int(ExitCode.import_rejected) if report.rejects and not rows else 0


@indicators.command("report")
@events_option
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="First day.")
@click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="Last day (included).")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--scoring",
    "scoring_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Weights and thresholds (default: the shipped scoring.toml).",
)
def report_command(
    events_url: str | None, start: str, end: str, out_dir: Path, scoring_file: Path | None
) -> None:
    """Write DIR/report.html, DIR/corridors.json and .csv, and the numbers of every figure."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise BadArgumentsError("--to is before --from")
    scoring = load_scoring(scoring_file)
    started = time.perf_counter()
    with _open(events_url) as store:
        data = build_report(store, first, last, scoring)
    written = write_report(data, out_dir)
    flagged = [c for c in data["corridors"] if c["flagged"]]
    click.echo(
        f"{data['screenings']:,} screenings, {len(flagged)} corridor(s) reported, "
        f"{time.perf_counter() - started:.1f} s; wrote {len(written)} files in {out_dir}"
    )
    for c in flagged[:10]:
        click.echo(f"  {c['score']:6.2f}  {' > '.join(c['corridor'])}")


@indicators.command("status")
@events_option
@json_option
def status_command(events_url: str | None, as_json: bool) -> None:
    """Events stored, their date range and sources, and the other-source tables."""
    with _open(events_url) as store:
        status = store.status()
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    click.echo(f"store: {status['store']}")
    click.echo(
        f"events: {status['events']:,} ({status['first'] or '-'} .. {status['last'] or '-'}); "
        f"{status['without_checkpoint_or_direction']:,} without checkpoint or direction"
    )
    for source, count in status["by_source"].items():
        click.echo(f"  {source}: {count:,}")
    for kind, count in status["source_tables"].items():
        click.echo(f"other source {kind}: {count:,} figures")
