"""``screening booklet INPUT``: screen a whole passport booklet."""

from __future__ import annotations

import json
from pathlib import Path

import click

from screening.booklet import BookletReport, screen_booklet
from screening.cli.options import parse_today, today_option
from screening.cli.recording import open_recorder, recording_options
from screening.errors import ExitCode
from screening.indicators.record import session_hook
from screening.pipeline import ScanOptions
from screening.report.text import findings_lines
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings


def _safe(text: object) -> str:
    """What a file or a stamp says, printed without terminal control characters."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))


def human(report: BookletReport) -> str:
    lines = [f"{_safe(report.file)}: {str(report.verdict).upper() if report.verdict else 'ERROR'}"]
    if report.error:
        lines.append(f"  error: {_safe(report.error)}")
        return "\n".join(lines)
    doc = report.document
    if doc is not None:
        fields = doc["fields"]
        who = [fields.get(k, "") for k in ("issuing_country", "document_number")]
        name = f"{fields.get('surname', '')}, {fields.get('given_names', '')}"
        lines.append(f"  {_safe(who[0])}  {_safe(who[1])}  {_safe(name)}")
    if report.edition and report.edition.get("name"):
        lines.append(
            f"  edition: {_safe(report.edition['name'])}, {report.edition.get('page_count')} pages"
        )
    numbers = [p.number for p in report.pages if p.number is not None]
    lines.append(
        f"  {len(report.pages)} page images, numbers {min(numbers, default='-')}-"
        f"{max(numbers, default='-')}, {len(report.stamps)} stamps"
    )
    for event in report.route.get("events", []):
        lines.append(
            f"  route  {event['date']}  {event['direction']:5}  {_safe(event['country'])}"
            f"  {_safe(event['checkpoint'] or '?')}  (page {event['page'] or '?'})"
        )
    lines += [_safe(line) for line in findings_lines(report.findings)]
    lines.append(f"  {report.elapsed_ms:.0f} ms")
    return "\n".join(lines)


@click.command("booklet")
@click.argument("booklet_input", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@today_option
@click.option(
    "--lists",
    "lists_url",
    metavar="URL",
    default=None,
    help="Lost/stolen list store: sqlite:///path or postgresql://...",
)
@click.option("--no-lists", is_flag=True, help="Do not check the lost/stolen lists.")
@click.option("--no-tesseract", is_flag=True, help="Data page: use only our own OCR-B reader.")
@recording_options
def booklet(
    booklet_input: Path,
    as_json: bool,
    today: str | None,
    lists_url: str | None,
    no_lists: bool,
    no_tesseract: bool,
    no_events: bool,
    events_url: str | None,
    checkpoint: str | None,
    direction: str | None,
) -> int:
    """Screen a whole passport: a folder of page scans (file names in scan order), a
    multi-page TIFF or a PDF; any image may show one page or a spread.

    The data page goes through `scan` (MRZ, lists, edition); the other pages are checked
    for missing numbers, torn stubs, pages from another booklet and stamps, and the
    stamps are ordered into a route. Exit code 3 when the input cannot be read.

    The booklet is recorded once as an indicator event, with the route its stamps tell
    (docs/indicators.md), unless --no-events.
    """
    settings = Settings(today=parse_today(today), lists_url=lists_url)
    options = ScanOptions(use_tesseract=not no_tesseract)
    recorder = open_recorder(
        settings,
        no_events=no_events,
        events_url=events_url,
        checkpoint=checkpoint,
        direction=direction,
    )
    with ScreeningSession.open(
        settings, options, SessionOptions(check_lists=not no_lists)
    ) as session:
        session.recorder = session_hook(recorder) if recorder else None
        report = screen_booklet(session, booklet_input)
        session.emit(report.to_dict(), "booklet")
    if recorder is not None:
        recorder.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        click.echo(human(report))
    return int(ExitCode.input_file) if report.error else int(ExitCode.ok)
