"""Which image of a flagged booklet to show, and where on it: for the batch report.

A booklet is many images; a report card has room for one. The image shown is the one
holding the first page named by the most severe finding, with the regions of the pages
that finding names (in that image's pixels). Pure on the ``booklet --json`` object; only
:func:`source_image` reads pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from screening.booklet.pages import (
    MAX_FILE_BYTES,
    SourceImage,
    read_booklet,
    read_bytes,
    read_image_file,
)
from screening.errors import InputFileError

SEVERITY_ORDER = ("alert", "warning", "info")


@dataclass(frozen=True, slots=True)
class Shown:
    source: str
    source_index: int
    regions: list[tuple[int, int, int, int]]  # [x, y, w, h] in the source image
    code: str  # the finding the image illustrates


def _named_pages(evidence: dict[str, Any]) -> tuple[set[int], set[int]]:
    """(printed page numbers, scan indices) a finding's evidence names."""
    numbers: set[int] = set()
    for key in ("page", "pages"):
        value = evidence.get(key)
        values = value if isinstance(value, list) else [value]
        numbers |= {int(v) for v in values if isinstance(v, int) and not isinstance(v, bool)}
    value = evidence.get("page_index")
    values = value if isinstance(value, list) else [value]
    indices = {int(v) for v in values if isinstance(v, int) and not isinstance(v, bool)}
    return numbers, indices


def shown_image(row: dict[str, Any]) -> Shown | None:
    """The image to show for a booklet row (None: no finding names a page in the scan)."""
    pages = row.get("pages") or []
    rank = {s: k for k, s in enumerate(SEVERITY_ORDER)}
    findings = sorted(
        row.get("findings") or [], key=lambda f: rank.get(f.get("severity"), len(rank))
    )
    for finding in findings:
        numbers, indices = _named_pages(finding.get("evidence") or {})
        named = [p for p in pages if p.get("index") in indices or p.get("number") in numbers]
        if not named:
            continue
        first = named[0]
        key = (first.get("source"), first.get("source_index", 0))
        regions = [
            tuple(int(v) for v in p["region"])
            for p in named
            if (p.get("source"), p.get("source_index", 0)) == key and p.get("region")
        ]
        return Shown(str(key[0]), int(key[1] or 0), regions, str(finding.get("code")))  # type: ignore[arg-type]
    return None


def source_image(path: str | Path, shown: Shown) -> np.ndarray:
    """The pixels (BGR) of the image ``shown`` names inside the booklet at ``path``."""
    path = Path(path)
    if path.is_dir():  # one file of the folder, read as the booklet reader reads it
        file = path / Path(shown.source).name
        items = list(read_image_file(read_bytes(file, MAX_FILE_BYTES), file.name, file))
    else:
        items = read_booklet(path)
    for item in items:
        if isinstance(item, SourceImage) and item.index == shown.source_index:
            return item.bgr
    raise InputFileError(f"{path}: image {shown.source} #{shown.source_index} not found")
