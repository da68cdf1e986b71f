"""The rejects file of an import: every rejected row (row, reason) as CSV.

It is opened before the import starts, so that a path that cannot be written fails before
anything changes, and finished (synced and renamed into place) as soon as the whole feed
has been read: before the new version is activated, and also when the import is then
refused, which is when the operator needs the reasons most. A write that fails (disk
full) fails the import; the previous list version stays active.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Protocol

from screening.lists.validation import RowError
from screening.outputs import OutputFile
from screening.report.spreadsheet import neutralise_cell


class RejectSink(Protocol):
    def add(self, error: RowError) -> None: ...

    def finish(self) -> None: ...


class RejectsFile:
    """A :class:`RejectSink` writing ``path``; ``discard()`` if the import never read
    its feed to the end (nothing is left behind then)."""

    def __init__(self, path: Path) -> None:
        self._output = OutputFile(path, what="rejects file")
        self._writer = csv.writer(self._output.file, lineterminator="\n")
        self._writer.writerow(["row", "reason"])
        self.written = 0

    def add(self, error: RowError) -> None:
        # A reason quotes the rejected value: no formula may reach a spreadsheet.
        try:
            self._writer.writerow([error.row, neutralise_cell(error.reason)])
        except OSError as failure:
            self.discard()
            raise self._output.failure(failure) from None
        self.written += 1

    def finish(self) -> None:
        self._output.commit()

    def discard(self) -> None:
        self._output.discard()
