"""The gallery's specimen pairs as data: a page (one image with the generator's truth),
a pair (genuine, forged, where the sign is), and a maker's request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from screening.report.annotate import Box


@dataclass(slots=True)
class Page:
    """One page image (BGR) with the generator's truth. A booklet page is one scan of a
    whole booklet (``booklet``, a ``fixtures.booklet.RenderedBooklet``; ``focus``: the
    scan shown), screened whole on ``today``, the booklet's own date."""

    name: str
    bgr: np.ndarray
    truth: dict[str, Any]
    booklet: Any = None
    focus: int = 0
    today: date | None = None


@dataclass(slots=True)
class Pair:
    genuine: Page
    forged: Page
    sign: list[Box]
    # Lost/stolen feed rows the list store must hold for this pair (column -> value).
    listed: list[dict[str, str]] = field(default_factory=list)
    # What the generator did, in a few words for the caption (not translated).
    made: str = ""
    # Both pages share one layout (same spec and seed): the sign's place on the forged
    # page is the same place on the genuine one, to compare side by side.
    same_layout: bool = True


@dataclass(frozen=True, slots=True)
class Request:
    key: str
    seed: int
    dpi: int
    params: Mapping[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


Maker = Callable[[Request], Pair]
