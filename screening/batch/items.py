"""The small picklable values that travel between the batch driver and its workers.

A :class:`WorkConfig` says how to screen (the same for every input of a run); a
:class:`WorkItem` names one input; a :class:`WorkResult` carries back the row for
``results.jsonl`` plus what the driver needs besides (digest, thumbnail, worker stats).
None of them holds an open resource: workers open their session themselves, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from screening.pipeline import ScanOptions
from screening.session import SessionOptions
from screening.settings import Settings

InputKind = Literal["image", "booklet"]


@dataclass(frozen=True, slots=True)
class WorkConfig:
    """How every input of a run is screened. Hashable: workers key their session on it."""

    today: str  # ISO date, resolved once by the driver (a resumed run keeps it)
    lists_url: str | None = None
    data_dir: str | None = None
    check_lists: bool = True
    use_tesseract: bool = True
    check_viz: bool = True
    check_photo: bool = False
    thumbnail_px: int = 480  # longest side of report thumbnails (0: none)

    def settings(self) -> Settings:
        extra: dict[str, Any] = {}
        if self.data_dir is not None:
            extra["data_dir"] = Path(self.data_dir)
        return Settings(today=date.fromisoformat(self.today), lists_url=self.lists_url, **extra)

    def scan_options(self) -> ScanOptions:
        return ScanOptions(use_tesseract=self.use_tesseract, check_viz=self.check_viz)

    def session_options(self) -> SessionOptions:
        return SessionOptions(check_lists=self.check_lists, check_photo=self.check_photo)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One input: an image file, or a booklet (a folder of page scans, a multi-page file).

    ``key`` is the input's path relative to the input folder (POSIX form): the journal's
    key. ``path`` is where a worker reads it on shared storage; with bytes sent,
    ``payload`` holds (member name, content) pairs instead and ``path`` is only a label.
    """

    index: int
    key: str
    path: str
    kind: InputKind
    digest: str
    members: tuple[str, ...] = ()  # a booklet folder's page files, in scan order
    payload: tuple[tuple[str, bytes], ...] | None = None


@dataclass(slots=True)
class WorkResult:
    index: int
    key: str
    digest: str  # of the content actually screened
    row: dict[str, Any]
    thumbnail: bytes | None = None  # JPEG, for alert/refer rows
    image_size: tuple[int, int] | None = None  # (width, height) the regions refer to
    worker: str = ""  # host:pid
    max_rss_kb: int = 0
    # CPU the worker spent on this input: its whole process (every thread, so a busy
    # executor's own threads show) and the screening thread alone. For benchmarks.
    cpu_ms: float = 0.0
    thread_cpu_ms: float = 0.0
    detail: str | None = None  # traceback of an unexpected error, for errors.log
    # A broken environment (Tesseract or a model missing): (error class name, message,
    # hint). The driver stops the run with that error instead of writing the row.
    fatal: tuple[str, str, str | None] | None = None
    # The row was made by the executor, not the screening (the worker died or hung on
    # this input): a run being stopped does not keep it, the next run tries again.
    lost: bool = False
