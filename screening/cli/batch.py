"""``screening batch INPUT_DIR --out OUT_DIR``: screen a folder of seized documents."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from screening.batch import BatchOptions, run_batch
from screening.batch.discover import BOOKLET_MODES
from screening.batch.progress import for_stream
from screening.batch.run import DEFAULT_TIMEOUT_S
from screening.cli.audit_hook import record as audit_record
from screening.cli.options import (
    lists_url_option,
    no_lists_option,
    parse_today,
    today_option,
)
from screening.cli.recording import open_recorder, recording_options
from screening.errors import ExitCode
from screening.indicators.record import batch_recorder
from screening.safe_text import printable
from screening.settings import Settings


@contextmanager
def _graceful_stop() -> Iterator[threading.Event]:
    """The first Ctrl-C (or SIGTERM) asks the run to stop after the inputs in hand and
    write its reports; a second Ctrl-C stops at once (the journal still resumes)."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()
        click.echo(
            "\nscreening: stopping after the inputs in hand (Ctrl-C again to stop now)",
            err=True,
        )

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@click.command("batch")
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for results.jsonl, results.csv, report.html and manifest.json "
    "(created if missing; rerunning with the same folder resumes).",
)
@lists_url_option
@no_lists_option
@today_option
@click.option(
    "--workers",
    type=click.IntRange(0, 256),
    default=None,
    help="Worker processes on this machine (default: one per core; 0: screen in this "
    "process). With --dask local: the cluster's workers.",
)
@click.option("--restart", is_flag=True, help="Start over instead of resuming OUT_DIR.")
@click.option(
    "--dask",
    metavar="local|tcp://HOST:PORT",
    default=None,
    help="Run on a Dask LocalCluster, or on an existing Dask scheduler.",
)
@click.option(
    "--send-bytes",
    is_flag=True,
    help="Send each input's bytes to the workers instead of its path (workers without "
    "the shared storage).",
)
@click.option(
    "--booklets",
    type=click.Choice(BOOKLET_MODES),
    default="auto",
    show_default=True,
    help="Which sub-folders are one booklet (when booklet screening is available): "
    "auto = a folder of 2-64 page scans without sub-folders; folders = every folder "
    "holding images; off = every image alone.",
)
@click.option("--no-tesseract", is_flag=True, help="Use only our own OCR-B reader.")
@click.option("--viz/--no-viz", default=True, help="Also compare the printed page with the MRZ.")
@click.option(
    "--photo-check",
    is_flag=True,
    help="Also score photos for substitution (calibrated on synthetic pages only).",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Seconds one input may take on a local worker before it becomes an error row.",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
@recording_options
def batch(
    input_dir: Path,
    out_dir: Path,
    lists_url: str | None,
    no_lists: bool,
    today: str | None,
    workers: int | None,
    restart: bool,
    dask: str | None,
    send_bytes: bool,
    booklets: str,
    no_tesseract: bool,
    viz: bool,
    photo_check: bool,
    timeout_s: float,
    quiet: bool,
    no_events: bool,
    events_url: str | None,
    checkpoint: str | None,
    direction: str | None,
) -> int:
    """Screen every image (and booklet) under INPUT_DIR in parallel into OUT_DIR.

    Resumable: after Ctrl-C, kill -9 or a power cut, rerun the same command to finish
    the rest (each input is reported once; a changed file is screened again). A file
    that cannot be screened is an error row and the batch goes on; the exit code is then
    3. A stopped run writes its reports for the inputs done and exits with 130.

    Each input screened is recorded once as an indicator event (docs/indicators.md),
    also across resumed runs, unless --no-events.
    """
    options = BatchOptions(
        today=parse_today(today) if today else None,
        lists_url=lists_url,
        check_lists=not no_lists,
        use_tesseract=not no_tesseract,
        check_viz=viz,
        check_photo=photo_check,
        booklets=booklets,
        restart=restart,
        workers=workers,
        dask=dask,
        send_bytes=send_bytes,
        timeout_s=timeout_s,
    )
    progress = None if quiet else for_stream(sys.stderr)
    recorder = open_recorder(
        Settings(),
        no_events=no_events,
        events_url=events_url,
        checkpoint=checkpoint,
        direction=direction,
    )
    try:
        with _graceful_stop() as stop:
            summary = run_batch(
                input_dir,
                out_dir,
                options,
                progress=progress,
                should_stop=stop.is_set,
                record=batch_recorder(recorder) if recorder else None,
            )
    finally:
        if recorder is not None:
            recorder.close()
    # One audit entry per run (the manifest in OUT_DIR names every input by its digest).
    audit_record(
        "batch",
        {
            "out_dir": str(summary.out_dir),
            "inputs": summary.inputs,
            "screened_now": summary.screened_now,
            "verdicts": dict(summary.verdicts),
            "complete": summary.complete,
        },
    )
    counts = ", ".join(f"{n} {k}" for k, n in summary.verdicts.items())
    state = "complete" if summary.complete else "INCOMPLETE: rerun the same command to finish"
    click.echo(
        f"{summary.inputs} inputs ({counts}; {summary.skipped} files skipped), "
        f"{summary.screened_now} screened now, {summary.reused} from an earlier run; {state}. "
        f"Reports in {printable(str(summary.out_dir))}/",
        err=True,
    )
    if not summary.complete:
        return int(ExitCode.interrupted)
    return int(ExitCode.input_file) if summary.verdicts.get("error") else int(ExitCode.ok)
