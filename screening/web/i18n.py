"""Labels in English and Russian from message catalogues (``web/data/messages.*.toml``).

The language is ``?lang=`` when given (remembered in a cookie), else the cookie, else
the browser's ``Accept-Language``, else English. A label missing from a catalogue falls
back to English, then to its key, so a page never fails on a missing translation.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("en", "ru")
DEFAULT = "en"
COOKIE = "lang"


@cache
def catalogue(lang: str) -> dict[str, Any]:
    text = resources.files("screening.web").joinpath(f"data/messages.{lang}.toml")
    return tomllib.loads(text.read_text("utf-8"))


class Labels:
    """``labels["key"]`` in templates; nested tables by dotted key (``"verdict.clear"``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> Any:
        for lang in (self.lang, DEFAULT):
            value: Any = catalogue(lang)
            for part in key.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
            if value is not None:
                return value
        return key


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str) -> str:
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return str(candidate)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else DEFAULT
