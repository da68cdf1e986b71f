"""The gallery's sections and texts, read from the data files beside this module.

``sections.toml`` lists every forgery sign in classroom order with the finding codes that
detect it and how its specimens are made; ``texts.<lang>.toml`` holds the page labels and,
per section, the title, what to look for and why it matters. A section is *available*
when at least one of its codes is in the findings catalogue (the check exists in this
version) and its maker exists.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from screening.errors import BadArgumentsError
from screening.findings import catalog
from screening.gallery.makers import MAKERS

LANGUAGES = ("en", "ru")
# Parameters of a section entry that are not the maker's.
_SECTION_KEYS = ("key", "codes", "maker", "photo_check")


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    codes: tuple[str, ...]
    maker: str
    photo_check: bool
    params: dict[str, Any]

    @property
    def check_exists(self) -> bool:
        known = catalog()
        return any(code in known for code in self.codes)

    @property
    def has_maker(self) -> bool:
        return self.maker in MAKERS

    @property
    def available(self) -> bool:
        return self.check_exists and self.has_maker


def _data(name: str) -> dict[str, Any]:
    text = resources.files("screening.gallery").joinpath("data", name).read_text("utf-8")
    return tomllib.loads(text)


@cache
def sections() -> tuple[Section, ...]:
    out = []
    for entry in _data("sections.toml")["sections"]:
        out.append(
            Section(
                key=entry["key"],
                codes=tuple(entry["codes"]),
                maker=entry["maker"],
                photo_check=bool(entry.get("photo_check", False)),
                params={k: v for k, v in entry.items() if k not in _SECTION_KEYS},
            )
        )
    return tuple(out)


@cache
def texts(lang: str) -> dict[str, Any]:
    """``{"labels": {...}, "sections": {key: {"title", "look_for", "why"}}}``."""
    if lang not in LANGUAGES:
        raise BadArgumentsError(f"unknown language {lang!r}; choose one of {list(LANGUAGES)}")
    return _data(f"texts.{lang}.toml")


def select(keys: list[str] | None = None) -> list[Section]:
    """The sections named in ``keys`` (all when None), in catalogue order."""
    every = sections()
    if keys is None:
        return list(every)
    known = {s.key for s in every}
    unknown = [k for k in keys if k not in known]
    if unknown:
        choices = ", ".join(sorted(known))
        raise BadArgumentsError(
            f"unknown gallery section(s) {', '.join(unknown)}; choose from {choices}"
        )
    return [s for s in every if s.key in keys]
