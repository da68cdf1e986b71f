"""Streaming readers for list feeds (CSV, JSON array, JSON Lines).

A feed is read once, front to back, in constant memory: CSV as blocks of whole lines
(``Feed.blocks()``, split into numbered rows by ``block_lines``; header = line 1), JSON as
rows of strings in the order of ``Feed.columns`` numbered by the 1-based position of the
object. The SHA-256 of the raw bytes is computed on the way and becomes the list
version's digest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from screening.errors import InputFileError
from screening.lists.validation import ALL_COLUMNS
from screening.safe_text import excerpt, printable

FORMATS = ("csv", "json", "jsonl")
_JSON_CHUNK = 1 << 16
BLOCK_CHARS = 1 << 20
MAX_OPEN_CHARS = 1 << 24
# Bounds on what is read before a line or object is judged: a header line, a JSON Lines
# line, one object of a JSON array. A feed record is a few hundred characters; a file
# without line ends (or /dev/zero) must be refused, not read into memory.
MAX_HEADER_CHARS = 1 << 16
MAX_RECORD_CHARS = 1 << 20


class FeedError(ValueError):
    """The feed cannot be read any further (bad encoding, malformed JSON array)."""


class _HashingReader(io.RawIOBase):
    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha256.update(data)
        self.bytes_read += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def detect_format(path: Path, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise FeedError(
                f"unknown feed format {excerpt(explicit)}; use one of {', '.join(FORMATS)}"
            )
        return explicit
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix == "json":
        return "json"
    return "csv"


class Feed:
    """An open feed: iterate over ``blocks()`` (CSV) or ``rows()`` (JSON) once, then read
    ``digest``."""

    def __init__(self, path: Path, fmt: str | None = None) -> None:
        self.path = path
        self.format = detect_format(path, fmt)
        self._hashing = _HashingReader(_open_regular_file(path))
        buffered = io.BufferedReader(self._hashing, buffer_size=1 << 20)
        self._text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
        self.columns: list[str] = list(ALL_COLUMNS)
        if self.format == "csv":
            try:
                self.columns = self._read_header()
            except BaseException:
                self.close()
                raise

    def _read_header(self) -> list[str]:
        try:
            line = self._text.readline(MAX_HEADER_CHARS + 1)
        except UnicodeDecodeError as error:
            raise FeedError(f"cannot read the header: {error}") from error
        if not line:
            raise FeedError("the feed is empty (no header line)")
        if len(line) > MAX_HEADER_CHARS:
            raise FeedError(
                f"no line end in the first {MAX_HEADER_CHARS:,} characters: not a CSV header"
            )
        try:
            header = next(csv.reader([line], strict=True), [])
        except csv.Error as error:
            raise FeedError(f"cannot read the header: {error}") from error
        return [c.strip().lower() for c in header]

    @property
    def digest(self) -> str:
        return "sha256:" + self._hashing.sha256.hexdigest()

    @property
    def size_bytes(self) -> int:
        return os.fstat(self._hashing.fileno()).st_size

    @property
    def bytes_read(self) -> int:
        return self._hashing.bytes_read

    def rows(self) -> Iterator[tuple[int, list[str] | str]]:
        """JSON feeds: (row number, fields) or (row number, error text) for a row that is
        unreadable. CSV feeds are read with ``blocks()`` (or ``lines()``)."""
        if self.format == "csv":
            raise ValueError("rows() is for JSON feeds; read CSV with blocks()")
        try:
            if self.format == "jsonl":
                yield from self._jsonl_rows()
            else:
                yield from self._json_array_rows()
        except UnicodeDecodeError as error:
            raise FeedError(f"the feed is not UTF-8 text: {error}") from error
        # Drain what the parser did not need so that the digest covers the whole file.
        while self._text.read(1 << 20):
            pass

    def blocks(self, size: int | None = None) -> Iterator[str]:
        """CSV only: the rest of the feed as text blocks of about ``size`` characters
        (default ``BLOCK_CHARS``), each made of whole lines (ending at a line end, never
        inside a quoted field)."""
        if self.format != "csv":
            raise ValueError("blocks() is for CSV feeds")
        size = size or BLOCK_CHARS
        text = self._text
        pending = ""
        try:
            while True:
                chunk = text.read(size)
                if not chunk:
                    break
                pending += chunk
                cut = pending.rfind("\n") + 1 or pending.rfind("\r", 0, len(pending) - 1) + 1
                if cut == 0 or pending.count('"', 0, cut) % 2:
                    # No line end yet, or inside a quoted field: read more, within reason.
                    if len(pending) > MAX_OPEN_CHARS:
                        raise FeedError(
                            f"no line end or closing quote in {MAX_OPEN_CHARS:,} characters "
                            "(an unclosed quote?)"
                        )
                    continue
                yield pending[:cut]
                pending = pending[cut:]
        except UnicodeDecodeError as error:
            raise FeedError(f"the feed is not UTF-8 text: {error}") from error
        if pending:
            yield pending

    def lines(self) -> Iterator[tuple[int, str | list[str]]]:
        """CSV only: (line number, raw line) for quote-free lines, (line number, parsed
        fields) for quoted ones (a quoted field may span lines). The raw line keeps its
        line ending; blank lines are skipped."""
        n = 2  # the header was line 1
        for block in self.blocks():
            rows, consumed = block_lines(block, n)
            yield from rows
            n += consumed

    def _object_fields(self, obj: Any) -> list[str] | str:
        if not isinstance(obj, dict):
            return "not a JSON object"
        unknown = [k for k in obj if k not in ALL_COLUMNS]
        if unknown:
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            return f"unknown field(s): {', '.join(map(excerpt, unknown[:5]))}{more}"
        out = []
        for name in self.columns:
            value = obj.get(name)
            out.append("" if value is None else str(value))
        return out

    def _jsonl_rows(self) -> Iterator[tuple[int, list[str] | str]]:
        n = 0
        while line := self._text.readline(MAX_RECORD_CHARS + 1):
            n += 1
            if len(line) > MAX_RECORD_CHARS:
                while line and not line.endswith(("\n", "\r")):  # skip the rest of it
                    line = self._text.readline(MAX_RECORD_CHARS)
                yield n, f"line longer than {MAX_RECORD_CHARS:,} characters"
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as error:
                yield n, f"not valid JSON: {error.msg}"
                continue
            except RecursionError:
                yield n, "not valid JSON: nested too deeply"
                continue
            yield n, self._object_fields(obj)

    def _json_array_rows(self) -> Iterator[tuple[int, list[str] | str]]:
        decoder = json.JSONDecoder()
        buffer = self._text.read(_JSON_CHUNK).lstrip()
        if not buffer.startswith("["):
            raise FeedError("a .json feed must be an array of objects (or use .jsonl)")
        pos, n, eof = 1, 0, False
        while True:
            while True:  # skip separators, refilling the buffer as needed
                while pos < len(buffer) and buffer[pos] in " \t\r\n,":
                    pos += 1
                if pos < len(buffer) or eof:
                    break
                buffer, pos = self._text.read(_JSON_CHUNK), 0
                eof = not buffer
            if pos >= len(buffer):
                raise FeedError("the JSON array is not closed with ']'")
            if buffer[pos] == "]":
                return
            while True:
                try:
                    obj, end = decoder.raw_decode(buffer, pos)
                    break
                except json.JSONDecodeError as error:
                    more = "" if eof else self._text.read(_JSON_CHUNK)
                    if not more:
                        raise FeedError(f"JSON object {n + 1}: {error.msg}") from error
                    if len(buffer) - pos > MAX_RECORD_CHARS:
                        raise FeedError(
                            f"JSON object {n + 1} is longer than {MAX_RECORD_CHARS:,} characters"
                        ) from error
                    buffer, pos = buffer[pos:] + more, 0
                except RecursionError as error:
                    raise FeedError(f"JSON object {n + 1}: nested too deeply") from error
            n += 1
            pos = end
            yield n, self._object_fields(obj)

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_regular_file(path: Path) -> IO[bytes]:
    """Open ``path`` for reading, refusing anything but a regular file: a FIFO would
    block the import forever, a device (``/dev/zero``) never ends. Opened non-blocking
    first, so that even a FIFO is refused at once."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputFileError(
                f"{printable(str(path))}: not a regular file (a FIFO, device or folder); "
                "give the feed as a file"
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def block_lines(block: str, first_line: int) -> tuple[list[tuple[int, str | list[str]]], int]:
    """The rows of one ``Feed.blocks()`` block, numbered from ``first_line``, and the
    number of lines it held. Like ``Feed.lines()``: raw lines when quote-free, parsed
    fields for quoted ones, blank lines skipped."""
    rows: list[tuple[int, str | list[str]]] = []
    lines = io.StringIO(block, newline="")
    n = first_line - 1
    for line in lines:
        n += 1
        if '"' not in line:
            if line.strip():
                rows.append((n, line))
            continue
        start = n
        while line.count('"') % 2 == 1:  # an open quoted field continues
            more = lines.readline()
            if not more:
                raise FeedError(f"CSV line {start}: unclosed quote")
            n += 1
            line += more
        try:
            fields = next(csv.reader([line], strict=True))
        except csv.Error as error:
            raise FeedError(f"CSV line {start}: {error}") from error
        rows.append((start, fields))
    return rows, n - first_line + 1
