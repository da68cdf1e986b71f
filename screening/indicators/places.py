"""Places, checkpoints and the region's known corridors (``data/places.toml``,
``data/corridors.toml``), and the one normaliser every imported place name goes through."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

DIRECTIONS = ("entry", "exit")


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    country: str
    kind: str
    coordinates: tuple[float, float] | None
    located: str


@dataclass(frozen=True, slots=True)
class Corridor:
    id: str
    name: str
    places: tuple[str, ...]
    nationalities: tuple[str, ...]
    screened: tuple[tuple[str, str], ...]  # (checkpoint id, direction)
    source: str
    known: bool = True


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().upper()).strip()


@dataclass(frozen=True, slots=True)
class Gazetteer:
    places: dict[str, Place]
    aliases: dict[str, str]

    def resolve(self, name: str) -> str:
        """The place id for an id, name or alias; an unknown name comes back normalised
        (upper case, single spaces) so that the same spelling always groups together."""
        key = _key(name)
        return self.aliases.get(key, key.replace(" ", "-"))

    def country_of(self, place_id: str) -> str | None:
        place = self.places.get(place_id)
        if place is not None:
            return place.country
        head = place_id.split("-", 1)[0]
        return head if len(head) == 3 and head.isalpha() else None


def _read(name: str) -> dict:
    return tomllib.loads(resources.files("screening.indicators.data").joinpath(name).read_text())


@cache
def load_gazetteer() -> Gazetteer:
    places: dict[str, Place] = {}
    aliases: dict[str, str] = {}
    for entry in _read("places.toml")["places"]:
        coords = entry.get("coordinates")
        place = Place(
            entry["id"],
            entry["name"],
            entry["country"],
            entry["kind"],
            (float(coords[0]), float(coords[1])) if coords else None,
            entry.get("located", "town"),
        )
        places[place.id] = place
        for alias in (place.id, place.name, *entry.get("aliases", ())):
            aliases[_key(alias)] = place.id
    return Gazetteer(places, aliases)


@cache
def load_corridors() -> tuple[Corridor, ...]:
    return tuple(
        Corridor(
            entry["id"],
            entry["name"],
            tuple(entry["places"]),
            tuple(entry["nationalities"]),
            tuple((cp, d) for cp, d in entry["screened"]),
            entry.get("source", ""),
        )
        for entry in _read("corridors.toml")["corridors"]
    )
