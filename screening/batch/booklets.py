"""Whether whole-booklet screening (``screening.booklet``, issue #12) is available.

Booklets are built in parallel with the batch: until ``screen_booklet`` exists, a folder
of page scans is screened page by page and a multi-page file as its first page. The
import is guarded here, in one place, so that discovery and workers agree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

BookletScreener = Callable[[Any, Path], Any]  # (ScreeningSession, path) -> BookletReport


@cache
def booklet_screener() -> BookletScreener | None:
    try:
        from screening.booklet import screen_booklet  # type: ignore[attr-defined]
    except ImportError:
        return None
    return screen_booklet  # type: ignore[no-any-return]


def booklets_available() -> bool:
    return booklet_screener() is not None
