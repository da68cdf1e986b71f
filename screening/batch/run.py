"""The batch driver: discover, plan against the journal, screen, write the reports.

    summary = run_batch("seized/", "out/", BatchOptions(workers=2))

The CLI (``screening batch``) and, later, the web station call this one function. It
prints nothing: progress goes to a :class:`~screening.batch.progress.Progress`, a stop
request (Ctrl-C) comes in through ``should_stop``.

Resuming: a second run with the same ``out_dir`` reads the journal, keeps every input
whose content digest is unchanged, screens the rest (new or changed inputs, and those a
stopped run never reached), and writes the reports from the journal: every input once,
in input order, the same rows as an uninterrupted run. ``restart`` starts over.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import screening.errors as errors
from screening import __version__
from screening.batch import rows as facts
from screening.batch.booklets import booklets_available
from screening.batch.digest import file_digest, members_digest, read_regular_file
from screening.batch.discover import Discovery, Input, discover
from screening.batch.executors import Executor, SerialExecutor
from screening.batch.items import WorkConfig, WorkItem, WorkResult
from screening.batch.journal import JOURNAL_NAME, Entry, Journal, JournalState, read_journal
from screening.batch.manifest import redact_url
from screening.batch.outputs import write_outputs
from screening.batch.progress import NoProgress, Progress
from screening.errors import BadArgumentsError, InputFileError, OutputFileError
from screening.imaging.load import MAX_FILE_BYTES

DEFAULT_TIMEOUT_S = 600.0


@dataclass(frozen=True, slots=True)
class BatchOptions:
    today: date | None = None  # None: the system date (a resumed run keeps its first one)
    lists_url: str | None = None
    check_lists: bool = True
    use_tesseract: bool = True
    check_viz: bool = True
    check_photo: bool = False
    booklets: str = "auto"  # see screening.batch.discover
    restart: bool = False
    workers: int | None = None  # local processes (None: one per core; 0: this process)
    dask: str | None = None  # "local" or "tcp://HOST:PORT"
    send_bytes: bool = False  # workers get the bytes, not the path
    timeout_s: float | None = DEFAULT_TIMEOUT_S  # per input, local pool only
    thumbnails: bool = True
    data_dir: Path | None = None


@dataclass(slots=True)
class BatchSummary:
    out_dir: Path
    inputs: int
    screened_now: int
    reused: int
    verdicts: dict[str, int]
    skipped: int
    complete: bool
    elapsed_s: float
    execution: dict[str, Any] = field(default_factory=dict)
    workers_max_rss_kb: dict[str, int] = field(default_factory=dict)
    # Per input screened now, in the order results came: the worker's process CPU and
    # its screening thread's CPU (benchmarks tell executor overhead from contention).
    page_cpu_ms: list[float] = field(default_factory=list)
    page_thread_cpu_ms: list[float] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _never() -> bool:
    return False


def input_digest(found: Input) -> str:
    """The content digest of an input; empty when it cannot be read (its row says why)."""
    try:
        if found.members:
            return members_digest((m, file_digest(found.path / m)) for m in found.members)
        return file_digest(found.path)
    except InputFileError:
        return ""


def _payload(found: Input) -> tuple[tuple[str, bytes], ...]:
    try:
        if found.members:
            return tuple(
                (m, read_regular_file(found.path / m, limit=MAX_FILE_BYTES)) for m in found.members
            )
        return ((found.path.name, read_regular_file(found.path, limit=MAX_FILE_BYTES)),)
    except InputFileError:
        return ()  # the worker makes it an error row


def _parameters(input_root: Path, options: BatchOptions, config: WorkConfig) -> dict[str, Any]:
    """What decides the results: a resumed run must use the same."""
    return {
        "input_dir": str(input_root.resolve()),
        "today": config.today,
        "lists": redact_url(config.settings().resolved_lists_url()) if config.check_lists else None,
        "check_lists": config.check_lists,
        "use_tesseract": config.use_tesseract,
        "check_viz": config.check_viz,
        "check_photo": config.check_photo,
        "booklets": options.booklets if booklets_available() else "unavailable",
        "screening": __version__,
    }


def _check_same_run(previous: dict[str, Any], current: dict[str, Any], out_dir: Path) -> None:
    changed = [k for k in sorted(set(previous) | set(current)) if previous.get(k) != current.get(k)]
    if changed:
        what = "; ".join(f"{k}: {previous.get(k)!r} then, {current.get(k)!r} now" for k in changed)
        raise BadArgumentsError(
            f"{out_dir} holds a batch run with other parameters ({what})",
            hint="rerun the same command to resume it, add --restart to start over, "
            "or choose another --out folder",
        )


def _fatal(result: WorkResult) -> errors.ScreeningError:
    assert result.fatal is not None
    name, message, hint = result.fatal
    cls = getattr(errors, name, errors.MissingDependencyError)
    if not (isinstance(cls, type) and issubclass(cls, errors.ScreeningError)):
        cls = errors.MissingDependencyError
    return cls(message, hint=hint)


def default_executor(options: BatchOptions) -> Executor:
    if options.dask:
        from screening.batch.dask_executor import DaskExecutor

        return DaskExecutor(options.dask, workers=options.workers)
    if options.workers == 0:
        return SerialExecutor()
    from screening.batch.pool import LocalPool

    return LocalPool(options.workers or os.cpu_count() or 1, timeout_s=options.timeout_s)


@dataclass(slots=True)
class _Plan:
    """What a run is to do, before anything is screened."""

    found: Discovery
    config: WorkConfig
    parameters: dict[str, Any]
    header: dict[str, Any]
    state: JournalState
    digests: dict[str, str]
    done: dict[str, Entry]  # inputs finished by an earlier run, unchanged since


def _plan(input_root: Path, out: Path, options: BatchOptions, progress: Progress) -> _Plan:
    found = discover(
        input_root, exclude=out, booklets=options.booklets, booklets_available=booklets_available()
    )
    journal_path = out / JOURNAL_NAME
    state = JournalState(None, {}, 0, 0) if options.restart else read_journal(journal_path)
    if state.header is None and state.dropped_bytes:
        progress.note(f"{journal_path} is not a batch journal this version can read: starting over")
    header = state.header or {}
    today = (
        options.today.isoformat()
        if options.today
        else header.get("parameters", {}).get("today", date.today().isoformat())
    )
    config = WorkConfig(
        today=today,
        lists_url=options.lists_url,
        data_dir=str(options.data_dir) if options.data_dir else None,
        check_lists=options.check_lists,
        use_tesseract=options.use_tesseract,
        check_viz=options.check_viz,
        check_photo=options.check_photo,
        thumbnail_px=480 if options.thumbnails else 0,
    )
    parameters = _parameters(input_root, options, config)
    if state.header is not None:
        _check_same_run(state.header.get("parameters", {}), parameters, out)
    if len(found.inputs) > 200:
        progress.note(f"reading {len(found.inputs)} inputs to see what is new or changed")
    digests = {i.key: input_digest(i) for i in found.inputs}
    done = {
        i.key: entry
        for i in found.inputs
        if (entry := state.entries.get(i.key)) is not None
        and digests[i.key]
        and entry.digest == digests[i.key]
    }
    return _Plan(found, config, parameters, header, state, digests, done)


def _items(plan: _Plan, send_bytes: bool, stop: Callable[[], bool]) -> Iterator[WorkItem]:
    """The inputs still to screen, in input order, until a stop is asked for."""
    for index, found_input in enumerate(plan.found.inputs):
        if found_input.key in plan.done:
            continue
        if stop():
            return
        yield WorkItem(
            index,
            found_input.key,
            str(found_input.path),
            found_input.kind,
            plan.digests[found_input.key],
            found_input.members,
            _payload(found_input) if send_bytes else None,
        )


def run_batch(
    input_dir: str | Path,
    out_dir: str | Path,
    options: BatchOptions | None = None,
    *,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    executor: Executor | None = None,
    record: Callable[[dict[str, Any], str], None] | None = None,
) -> BatchSummary:
    """Screen every input under ``input_dir`` into ``out_dir`` (see the module docstring).

    ``record(row, digest)`` is called once for each input screened in this run, before
    its journal entry is written (the indicator events: a run stopped in between screens
    the input again on resume and records it under the same digest, which the event store
    keeps once); rows reused from the journal are not recorded again.

    Raises typed errors only for the run as a whole (bad arguments, an output folder that
    cannot be written, a broken environment); a bad input is an ``error`` row.
    """
    options = options or BatchOptions()
    progress = progress or NoProgress()
    stop = should_stop or _never
    started, t0 = _now(), time.monotonic()
    input_root, out = Path(input_dir), Path(out_dir)
    if not input_root.is_dir():
        raise BadArgumentsError(f"{input_root}: not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFileError(f"{out}: cannot create ({error.strerror or error})") from None
    plan = _plan(input_root, out, options, progress)
    if plan.state.header is None:
        plan.header = {"parameters": plan.parameters, "created_at": started}
        journal = Journal.create(out / JOURNAL_NAME, plan.header)
    else:
        journal = Journal.resume(out / JOURNAL_NAME, plan.state)
    entries: dict[str, Entry] = dict(plan.done)
    finished_now: set[str] = set()
    max_rss: dict[str, int] = {}
    page_cpu: list[tuple[float, float]] = []
    execution: dict[str, Any] = {"executor": None, "send_bytes": options.send_bytes}
    inputs = plan.found.inputs
    progress.start(len(inputs), len(plan.done))
    try:
        if len(plan.done) < len(inputs):
            with executor or default_executor(options) as running:
                execution.update(running.describe())
                items = _items(plan, options.send_bytes, stop)
                for result in running.run(plan.config, items, stop):
                    if result.fatal is not None:
                        raise _fatal(result)
                    if result.key in finished_now or (result.lost and stop()):
                        continue  # a duplicate, or a worker lost to the same Ctrl-C
                    entry = Entry.from_result(result)
                    if record is not None and not result.lost:
                        record(result.row, result.digest)
                    journal.append(entry)
                    entries[result.key] = entry
                    finished_now.add(result.key)
                    if result.worker:
                        peak = max(max_rss.get(result.worker, 0), result.max_rss_kb)
                        max_rss[result.worker] = peak
                    page_cpu.append((result.cpu_ms, result.thread_cpu_ms))
                    progress.advance(result.row)
    finally:
        journal.close()
        progress.close()
    ordered = [entries[i.key] for i in inputs if i.key in entries]
    complete = len(ordered) == len(inputs)
    write_outputs(
        out,
        plan.found,
        ordered,
        plan.digests,
        header=plan.header,
        parameters=plan.parameters,
        execution=execution,
        complete=complete,
        started=started,
        max_rss=max_rss,
    )
    verdicts = {o: 0 for o in facts.OUTCOMES}
    for entry in ordered:
        verdicts[facts.outcome(entry.row)] += 1
    return BatchSummary(
        out_dir=out,
        inputs=len(inputs),
        screened_now=len(finished_now),
        reused=len(plan.done),
        verdicts=verdicts,
        skipped=len(plan.found.skipped),
        complete=complete,
        elapsed_s=time.monotonic() - t0,
        execution=execution,
        workers_max_rss_kb=max_rss,
        page_cpu_ms=[process for process, _ in page_cpu],
        page_thread_cpu_ms=[thread for _, thread in page_cpu],
    )
