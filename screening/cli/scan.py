"""``screening scan IMAGE...``: read document images and report findings and verdicts."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import click

from screening.cli.audit_hook import CliAudit, db_option
from screening.cli.options import (
    lists_url_option,
    no_lists_option,
    parse_today,
    today_option,
)
from screening.cli.recording import open_recorder, recording_options
from screening.errors import ExitCode
from screening.imaging.load import MAX_FILE_BYTES
from screening.indicators.record import session_hook
from screening.model_integrity import file_sha256
from screening.pipeline import ScanOptions, ScanReport
from screening.report.text import findings_lines
from screening.safe_text import printable
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings


def _human(report: ScanReport) -> str:
    lines = [f"{report.file}: {str(report.verdict).upper() if report.verdict else 'ERROR'}"]
    if report.error:
        lines.append(f"  error: {report.error}")
        return "\n".join(printable(line) for line in lines)
    documents = report.data.get("documents") or ([report.document] if report.document else [])
    for number, doc in enumerate(documents, start=1):
        fields = doc["fields"]
        lines.append(
            ("" if len(documents) == 1 else f"  document {number}:")
            + f"  {doc['format']}  {fields.get('issuing_country', '')}  "
            f"{fields.get('document_number', '')}  {fields.get('surname', '')}, "
            f"{fields.get('given_names', '')}"
        )
        lines.extend(f"  | {text}" for text in doc["mrz_lines"])
    lines += findings_lines(report.findings)
    lines.append(
        f"  {report.elapsed_ms:.0f} ms ("
        + ", ".join(f"{k[:-3]} {v:.0f}" for k, v in report.timings.items())
        + ")"
    )
    # File names, feed sources and messages come from outside: one line each, escaped.
    return "\n".join(printable(line) for line in lines)


def scan_audit_detail(path: Path, report: ScanReport) -> dict[str, object]:
    """What the audit trail keeps of a scan: no name, no number; the file by its digest."""
    digest = None
    try:
        # Only what scan itself would read (issue #17): a FIFO would block, /dev/zero never
        # ends, a file past the size limit is not worth reading for an error row.
        info = path.stat()
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
            digest = file_sha256(path)[:32]
    except OSError:
        pass
    versions = [v.get("id") for v in report.data.get("lists", {}).get("versions_checked", [])]
    return {
        "file_sha256": digest,
        "verdict": None if report.verdict is None else str(report.verdict),
        "codes": sorted({f.code for f in report.findings}),
        "list_versions": versions,
        "error": report.error is not None,
    }


@click.command("scan")
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per image, one a line.")
@today_option
@click.option("--no-tesseract", is_flag=True, help="Use only our own OCR-B reader.")
@click.option(
    "--viz/--no-viz",
    default=True,
    help="Also compare the printed number, surname and dates with the MRZ (+~0.2 s).",
)
@lists_url_option
@no_lists_option
@click.option(
    "--photo-check/--no-photo-check",
    default=False,
    help="Also find the portrait and score it for substitution (off by default: it still "
    "flags too many genuine real documents; see docs/documents.md).",
)
@recording_options
@db_option
def scan(
    images: tuple[Path, ...],
    as_json: bool,
    today: str | None,
    no_tesseract: bool,
    viz: bool,
    lists_url: str | None,
    no_lists: bool,
    photo_check: bool,
    no_events: bool,
    events_url: str | None,
    checkpoint: str | None,
    direction: str | None,
    db_url: str | None,
) -> int:
    """Read the MRZ of each IMAGE, check it, and give a verdict (clear/refer/alert).

    Each document also goes through the lost/stolen lists and the edition checks
    (legacy hand-filled pages when there is no MRZ). A file that cannot be read gets an
    error record and the others go on; the exit code is then 3.

    Each screening is recorded as an indicator event (docs/indicators.md) unless
    --no-events; an unavailable event store is a warning, never a lost screening.
    """
    settings = Settings(today=parse_today(today), lists_url=lists_url)
    options = ScanOptions(use_tesseract=not no_tesseract, check_viz=viz)
    session_options = SessionOptions(check_lists=not no_lists, check_photo=photo_check)
    failed = 0
    recorder = open_recorder(
        settings,
        no_events=no_events,
        events_url=events_url,
        checkpoint=checkpoint,
        direction=direction,
    )
    audit = CliAudit(db_url)
    with ScreeningSession.open(settings, options, session_options) as session:
        if session.ocr_unavailable is not None:
            click.echo(
                f"screening: warning: {session.ocr_unavailable}; reading with our own MRZ "
                "reader alone, the visual zone is not compared (OCR_ENGINE_UNAVAILABLE)",
                err=True,
            )
        session.recorder = session_hook(recorder) if recorder else None
        for path in images:
            report = session.scan(path)
            failed += report.error is not None
            if as_json:
                click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
            else:
                click.echo(_human(report))
            audit.record("scan", scan_audit_detail(path, report))
    if recorder is not None:
        recorder.close()
    audit.close()
    return int(ExitCode.input_file) if failed else int(ExitCode.ok)
