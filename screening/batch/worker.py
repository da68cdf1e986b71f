"""What a worker does with one work item: screen it and return its result row.

The same function runs in this process (serial), in a local worker process or on a Dask
worker. A worker opens one :class:`ScreeningSession` per thread (the list store and the
models are loaded once, not per input) and keeps it for every item of the same run.

Nothing that happens to one input ends the batch: an unreadable file is an ``error`` row
(as in ``scan``), and so is any unexpected exception in its stages, with the traceback
kept for ``errors.log``. Only a broken environment (Tesseract or a model missing) stops
the run, through ``WorkResult.fatal``, instead of turning every input into an error.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from screening.batch.booklets import booklet_screener
from screening.batch.digest import bytes_digest, file_digest, members_digest
from screening.batch.items import WorkConfig, WorkItem, WorkResult
from screening.batch.thumbnails import make_booklet_thumbnail, make_thumbnail
from screening.errors import InputFileError, ScreeningError
from screening.pipeline import ScanReport
from screening.session import ScreeningSession

FLAGGED = ("alert", "refer")

_local = threading.local()


def session_for(config: WorkConfig) -> ScreeningSession:
    """This thread's session for ``config``, opened on first use."""
    current: tuple[WorkConfig, ScreeningSession] | None = getattr(_local, "session", None)
    if current is not None and current[0] == config:
        return current[1]
    if current is not None:
        current[1].close()
    session = ScreeningSession.open(
        config.settings(), config.scan_options(), config.session_options()
    )
    _local.session = (config, session)
    return session


def close_session() -> None:
    current = getattr(_local, "session", None)
    if current is not None:
        current[1].close()
        _local.session = None


def error_row(file: str, message: str, elapsed_ms: float = 0.0) -> dict[str, Any]:
    """An ``error`` row with the same keys as ``scan --json`` gives an unreadable file."""
    return ScanReport(file, None, None, [], elapsed_ms, {}, error=message).to_dict()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def screen_item(config: WorkConfig, item: WorkItem) -> WorkResult:
    """Screen one input; never raises for anything about the input itself."""
    started = time.perf_counter()
    cpu_started, thread_started = time.process_time(), time.thread_time()
    result = WorkResult(item.index, item.key, item.digest, {}, worker=worker_name())
    try:
        with _materialised(item) as path:
            result.digest = _digest(item, path)
            result.row = _screen(config, item, path)
            if (
                item.kind == "image"
                and config.thumbnail_px > 0
                and result.row.get("verdict") in FLAGGED
            ):
                thumb = make_thumbnail(path, config.thumbnail_px)
                if thumb is not None:
                    result.thumbnail, result.image_size = thumb
            elif (
                item.kind == "booklet"
                and config.thumbnail_px > 0
                and result.row.get("verdict") in FLAGGED
            ):
                thumb = make_booklet_thumbnail(path, result.row, config.thumbnail_px)
                if thumb is not None:
                    result.thumbnail, result.image_size = thumb
            if item.payload is not None:
                result.row = _relabel(result.row, str(path), item.path)
    except InputFileError as error:
        result.row = error_row(item.path, str(error), _ms(started))
    except ScreeningError as error:
        result.row = error_row(item.path, str(error), _ms(started))
        result.fatal = (type(error).__name__, error.message, error.hint)
    except Exception as error:  # one input's bug must not end a batch of thousands
        result.row = error_row(
            item.path,
            f"internal error while screening this input ({type(error).__name__}: {error})",
            _ms(started),
        )
        result.detail = traceback.format_exc()
    result.row["file"] = item.path
    result.max_rss_kb = peak_rss_kb()
    result.cpu_ms = (time.process_time() - cpu_started) * 1000.0
    result.thread_cpu_ms = (time.thread_time() - thread_started) * 1000.0
    return result


def peak_rss_kb() -> int:
    """This process's peak resident memory. ``ru_maxrss`` survives ``exec``, so a process
    spawned by a big parent (a Dask worker) would report the parent's peak; Linux's
    ``VmHWM`` starts afresh with the new program."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii", errors="replace") as status,
    ):
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _screen(config: WorkConfig, item: WorkItem, path: Path) -> dict[str, Any]:
    session = session_for(config)
    if item.kind == "booklet":
        screener = booklet_screener()
        if screener is None:  # discovery only makes booklets when screening exists
            raise InputFileError(f"{item.path}: booklet screening is not available")
        row: dict[str, Any] = screener(session, path).to_dict()
        return row
    return session.scan(path).to_dict()


def _digest(item: WorkItem, path: Path) -> str:
    """Digest of what is screened now (a file may have changed since it was planned)."""
    try:
        if item.payload is not None:
            if len(item.payload) == 1 and not item.members:
                return bytes_digest(item.payload[0][1])
            return members_digest((name, bytes_digest(data)) for name, data in item.payload)
        if item.members:
            return members_digest((m, file_digest(path / m)) for m in item.members)
        return file_digest(path)
    except InputFileError:
        return ""  # the scan's own error row says what is wrong with the file


@contextlib.contextmanager
def _materialised(item: WorkItem) -> Iterator[Path]:
    """The input as a path: its own on shared storage, or the sent bytes in a temp dir."""
    if item.payload is None:
        yield Path(item.path)
        return
    if not item.payload:
        raise InputFileError(f"{item.path}: could not be read to be sent to the worker")
    with tempfile.TemporaryDirectory(prefix="screening-batch-") as tmp:
        base = Path(tmp) / (Path(item.path).name or "input")
        if item.members:
            base.mkdir()
            for name, data in item.payload:
                (base / Path(name).name).write_bytes(data)
        else:
            base.write_bytes(item.payload[0][1])
        yield base


def _relabel(value: Any, old: str, new: str) -> Any:
    """Replace the temporary path by the input's own in every string of a row."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _relabel(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_relabel(v, old, new) for v in value]
    return value
