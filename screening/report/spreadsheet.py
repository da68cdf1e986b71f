"""CSV cells that a spreadsheet cannot run as formulas (OWASP "CSV Injection").

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be read
as a formula by Excel, LibreOffice or Google Sheets (``=HYPERLINK(...)`` in a file name or
a feed field). OWASP's advice: prefix such a cell with a single quote, and quote every
cell (the ``csv`` module's ``QUOTE_ALL``) so that separators inside a value stay inside.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> str:
    """The cell's text, with a leading ``'`` when a spreadsheet would see a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_rows(stream: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a header and rows, every cell neutralised and quoted."""
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        writer.writerow([neutralise_cell(v) for v in row])
