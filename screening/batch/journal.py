"""The batch journal: an append-only file of finished inputs that makes a run resumable.

``OUT_DIR/journal.jsonl`` starts with a header line (the run's parameters); every
finished input then appends one line holding its key, content digest and result row,
written with a single ``write`` and flushed to disk at least once a second. After
Ctrl-C, ``kill -9`` or a power cut the file ends in complete lines, perhaps followed by
one partial line: opening the journal keeps every line up to the first one that does not
parse and cuts the rest off, so no half-written row ever reaches a report. The same key
may appear twice (an input changed and was screened again): the last line wins.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from screening.batch.files import atomic_writer
from screening.batch.items import WorkResult
from screening.errors import OutputFileError

JOURNAL_NAME = "journal.jsonl"
FORMAT = 1
SYNC_INTERVAL_S = 1.0


@dataclass(slots=True)
class Entry:
    """One finished input as the journal keeps it."""

    key: str
    digest: str
    row: dict[str, Any]
    thumbnail: bytes | None = None
    image_size: tuple[int, int] | None = None
    worker: str = ""
    detail: str | None = None

    @classmethod
    def from_result(cls, result: WorkResult) -> Entry:
        return cls(
            result.key,
            result.digest,
            result.row,
            result.thumbnail,
            result.image_size,
            result.worker,
            result.detail,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "digest": self.digest, "row": self.row}
        if self.thumbnail is not None:
            out["thumbnail"] = base64.b64encode(self.thumbnail).decode("ascii")
        if self.image_size is not None:
            out["image_size"] = list(self.image_size)
        if self.worker:
            out["worker"] = self.worker
        if self.detail:
            out["detail"] = self.detail
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        thumb = data.get("thumbnail")
        size = data.get("image_size")
        return cls(
            key=str(data["key"]),
            digest=str(data["digest"]),
            row=dict(data["row"]),
            thumbnail=base64.b64decode(thumb) if thumb else None,
            image_size=(int(size[0]), int(size[1])) if size else None,
            worker=str(data.get("worker", "")),
            detail=data.get("detail"),
        )


def _line(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


@dataclass(slots=True)
class JournalState:
    header: dict[str, Any] | None
    entries: dict[str, Entry]
    valid_bytes: int  # length of the part made of complete, parsable lines
    dropped_bytes: int  # a partial or corrupt tail (cut off when the journal is opened)


def read_journal(path: Path) -> JournalState:
    """What a journal holds: its header and the last entry of each key."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return JournalState(None, {}, 0, 0)
    except OSError as error:
        raise OutputFileError(f"{path}: cannot read ({error.strerror or error})") from None
    header: dict[str, Any] | None = None
    entries: dict[str, Entry] = {}
    offset = 0
    while offset < len(data):
        end = data.find(b"\n", offset)
        if end < 0:
            break  # a line without its newline was cut short
        try:
            record = json.loads(data[offset:end])
            if header is None:
                if record.get("batch_journal") != FORMAT:
                    break
                header = record
            else:
                entry = Entry.from_json(record)
                entries[entry.key] = entry
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            break
        offset = end + 1
    if header is None:
        return JournalState(None, {}, 0, len(data))
    return JournalState(header, entries, offset, len(data) - offset)


class Journal:
    """Appends entries to an open journal; see the module docstring."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self._last_sync = time.monotonic()

    @classmethod
    def create(cls, path: Path, header: dict[str, Any], entries: Sequence[Entry] = ()) -> Journal:
        """A new journal (replacing any old one at once) holding ``entries``."""
        with atomic_writer(path) as handle:
            handle.write(_line({"batch_journal": FORMAT, **header}))
            for entry in entries:
                handle.write(_line(entry.to_json()))
        return cls._open_append(path)

    @classmethod
    def resume(cls, path: Path, state: JournalState) -> Journal:
        """Reopen for appending, cutting off a partial tail first."""
        if state.dropped_bytes:
            try:
                os.truncate(path, state.valid_bytes)
            except OSError as error:
                raise OutputFileError(
                    f"{path}: cannot repair ({error.strerror or error})"
                ) from None
        return cls._open_append(path)

    @classmethod
    def _open_append(cls, path: Path) -> Journal:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as error:
            raise OutputFileError(f"{path}: cannot open ({error.strerror or error})") from None
        return cls(path, fd)

    def append(self, entry: Entry) -> None:
        """Write one entry as one complete line, or leave the journal as it was."""
        line = _line(entry.to_json())
        size = os.fstat(self._fd).st_size
        try:
            view = memoryview(line)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            if time.monotonic() - self._last_sync >= SYNC_INTERVAL_S:
                self.sync()
        except OSError as error:
            with contextlib.suppress(OSError):  # else the next open cuts the partial line
                os.ftruncate(self._fd, size)
            raise OutputFileError(
                f"{self.path}: cannot write ({error.strerror or error}); "
                "the inputs finished so far are kept: rerun the same command to go on"
            ) from None

    def sync(self) -> None:
        os.fsync(self._fd)
        self._last_sync = time.monotonic()

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            with contextlib.suppress(OSError):  # after a failed write: the open repairs
                self.sync()
        finally:
            os.close(self._fd)
            self._fd = -1
