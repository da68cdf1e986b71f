"""Writing an output file so that a failure leaves nothing half-written.

An export or a rejects file is written to a temporary file beside the target and renamed
over it only once every byte is written and synced: a full disk, a missing folder or a
killed process leaves the previous file (or none), never a truncated one that looks
complete. A device or FIFO (``/dev/stdout``, a pipe) is written in place; ``-`` is
standard output. Any failure is an :class:`OutputFileError` naming the file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TextIO

from screening.errors import OutputFileError
from screening.safe_text import printable


class OutputFile:
    """``file`` to write to; ``commit()`` publishes it, ``discard()`` drops it. As a
    context manager: committed when the block ends normally, discarded otherwise."""

    def __init__(self, path: str | Path, *, what: str = "output file") -> None:
        self.path = Path(path)
        self.what = what
        self._temp: Path | None = None
        self._done = False
        self._mode: int | None = None
        if str(path) == "-":
            self.file: TextIO = sys.stdout
            return
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as error:
            raise self.failure(error) from None
        if mode is not None and not stat.S_ISREG(mode):
            # A device or a FIFO: nothing to rename over, written in place.
            self.file = self._open(self.path)
            return
        self._mode = None if mode is None else stat.S_IMODE(mode)
        try:
            fd, temp = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent or "."
            )
        except OSError as error:
            raise self.failure(error) from None
        self._temp = Path(temp)
        self.file = os.fdopen(fd, "w", newline="", encoding="utf-8")

    def _open(self, path: Path) -> TextIO:
        try:
            return open(path, "w", newline="", encoding="utf-8")
        except OSError as error:
            raise self.failure(error) from None

    def failure(self, error: OSError) -> OutputFileError:
        """The typed error for a failed open or write of this file."""
        reason = error.strerror or str(error)
        return OutputFileError(
            f"cannot write the {self.what} {printable(str(self.path))}: {reason}"
        )

    def commit(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            self.file.flush()
            if self.file is sys.stdout:
                return
            if self._temp is not None:
                os.fsync(self.file.fileno())
            self.file.close()
            if self._temp is not None:
                os.chmod(self._temp, self._mode if self._mode is not None else _default_mode())
                os.replace(self._temp, self.path)
                self._temp = None
        except OSError as error:
            self.discard()
            raise self.failure(error) from None

    def discard(self) -> None:
        self._done = True
        if self.file is not sys.stdout:
            with contextlib.suppress(OSError):
                self.file.close()
        if self._temp is not None:
            with contextlib.suppress(OSError):
                self._temp.unlink()
            self._temp = None

    def __enter__(self) -> TextIO:
        return self.file

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
            return
        self.discard()
        if isinstance(exc, OSError) and self.file is not sys.stdout:
            # A write failed inside the block (disk full): say which file.
            raise self.failure(exc) from None


def _default_mode() -> int:
    """0666 less the process umask: what ``open()`` would have created."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
