"""A throwaway lost/stolen list store for the gallery, imported from a generated feed.

The gallery screens its specimens exactly as ``scan`` does, list check included. The
numbers its list sections need listed, plus a few dozen generated decoys, are written as
an ordinary CSV feed and imported with the real importer into an SQLite store in a
temporary directory: the list hit on the page is the real matcher's.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np

from screening.lists import open_store
from screening.lists.importer import ImportReport, import_feed

COLUMNS = (
    "issuing_state",
    "document_type",
    "document_number",
    "status",
    "number_to",
    "reported_on",
    "review_on",
    "reporting_state",
    "reference",
    "source",
)
DECOY_STATES = ("KGZ", "KAZ", "TJK", "UZB", "RUS")
DECOYS = 40


def decoy_rows(seed: int, count: int = DECOYS) -> list[dict[str, str]]:
    """Listed numbers of generated documents nobody in the gallery holds."""
    from fixtures.identity import random_spec

    rng = np.random.default_rng(seed + 65_537)
    rows = []
    for i in range(count):
        state = DECOY_STATES[i % len(DECOY_STATES)]
        spec = random_spec(rng, format="TD3", state=state)
        rows.append(
            {
                "issuing_state": state,
                "document_type": "P",
                "document_number": spec.document_number,
                "status": ("lost", "stolen")[i % 2],
                "number_to": "",
                "reported_on": "2025-01-15",
                "review_on": "2035-01-15",
                "reporting_state": state,
                "reference": f"GALLERY-DECOY-{i:03d}",
                "source": "gallery list (synthetic)",
            }
        )
    return rows


class GalleryLists:
    """The store's URL and the rows imported so far; :meth:`ensure` re-imports the whole
    feed as a new version when rows are missing."""

    def __init__(self, seed: int) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="screening-gallery-lists-")
        self.folder = Path(self._tmp.name)
        self.url = f"sqlite:///{self.folder / 'lists.db'}"
        self.rows: list[dict[str, str]] = decoy_rows(seed)
        self.report: ImportReport | None = None
        self._import()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tmp.cleanup()

    def ensure(self, rows: Iterable[dict[str, str]]) -> bool:
        """Add ``rows`` not yet listed; True when a new version was imported."""
        new: list[dict[str, str]] = []
        for row in rows:
            if row not in self.rows and row not in new:
                new.append(row)
        if not new:
            return False
        self.rows.extend(new)
        self._import()
        return True

    def _import(self) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        feed = self.folder / "feed.csv"
        feed.write_text(buffer.getvalue(), "utf-8")
        store = open_store(self.url)
        try:
            self.report = import_feed(store, feed, source="gallery list (synthetic)")
        finally:
            store.close()

    def summary(self) -> dict[str, int | None]:
        report = self.report
        assert report is not None
        return {
            "version": report.version,
            "records": report.active_records,
            "series": report.active_series,
        }
