"""The region's crossing points (``data/gazetteer.toml``) and fuzzy matching of what a
stamp says against their names, in Latin or Cyrillic.

Names and OCR text are compared after one normalisation: upper case, Cyrillic
transliterated to Latin (a simple one-letter-per-letter table: spelling variants such as
ZH/J are listed in the data file, not guessed), everything but letters and digits
dropped. A stamp line matches a point when some name of it is close to some stretch of
the line (similarity from :class:`difflib.SequenceMatcher`).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from importlib import resources
from typing import Any

from screening.errors import ExitCode, ScreeningError

KINDS = frozenset({"airport", "road", "rail"})
ILLUSTRATIVE = "illustrative"
MIN_NAME_SCORE = 0.78
SHORT_NAME = 4
DIRECTION_SCORE = 0.8
CYRILLIC = {
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Ғ": "G",
    "Д": "D",
    "Е": "E",
    "Ё": "E",
    "Ж": "ZH",
    "З": "Z",
    "И": "I",
    "Й": "I",
    "І": "I",
    "К": "K",
    "Қ": "K",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "Ң": "N",
    "О": "O",
    "Ө": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ү": "U",
    "Ұ": "U",
    "Ф": "F",
    "Х": "KH",
    "Һ": "H",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ъ": "",
    "Ы": "Y",
    "Ь": "",
    "Э": "E",
    "Ю": "IU",
    "Я": "IA",
}


class GazetteerError(ScreeningError):
    """The gazetteer data file is missing or breaks its schema."""

    exit_code = ExitCode.missing_dependency


@dataclass(frozen=True, slots=True)
class Point:
    id: str
    country: str
    kind: str
    names: tuple[str, ...]
    source: str
    coordinates: tuple[float, float] | None = None
    pair: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "country": self.country,
            "kind": self.kind,
            "name": self.names[0],
            "coordinates": list(self.coordinates) if self.coordinates else None,
            "pair": self.pair,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Match:
    point: Point
    score: float  # 0-1
    text: str  # the stretch of OCR text that matched


@dataclass(frozen=True, slots=True)
class Gazetteer:
    points: tuple[Point, ...]
    sources: dict[str, str]
    entry_words: frozenset[str]
    exit_words: frozenset[str]
    keys: tuple[tuple[Point, str], ...] = ()  # (point, normalised name) for every name

    def get(self, point_id: str) -> Point:
        for point in self.points:
            if point.id == point_id:
                return point
        raise KeyError(point_id)

    def match(self, text: str) -> Match | None:
        """The best point named in ``text`` (one stamp line or the whole stamp)."""
        probe = normalise(text)
        if len(probe) < 3:
            return None
        tokens = {normalise(word) for word in text.replace("-", " ").split()}
        best: Match | None = None
        for point, key in self.keys:
            if True:
                if len(key) <= SHORT_NAME:
                    # Short names (OSH, FRU) only as a whole word: never inside another.
                    score, stretch = (1.0, key) if key in tokens else (0.0, "")
                else:
                    score, stretch = _best_stretch(key, probe)
                if best is None or score > best.score:
                    best = Match(point, score, stretch)
        return best if best is not None and best.score >= MIN_NAME_SCORE else None

    def direction(self, words: list[str]) -> str | None:
        """entry / exit from the stamp's words, or None when they say neither or both.

        Words are compared as look-alike skeletons (Cyrillic and Latin letters that look the
        same fold together, as OCR mixes them), fuzzily for long words; short words (IN,
        OUT) must open a token ("OUT63" is OUT, "INDIA" is not: a letter follows)."""
        tokens = [skeleton(w) for w in words if w.strip()]
        entry = max((_says(t, w) for t in tokens for w in self.entry_words), default=0.0)
        exit_ = max((_says(t, w) for t in tokens for w in self.exit_words), default=0.0)
        if max(entry, exit_) < DIRECTION_SCORE or abs(entry - exit_) < 0.05:
            return None
        return "entry" if entry > exit_ else "exit"


# Letters that OCR gives in either script for the same shape, folded to one.
LOOKALIKES = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "0": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "У": "Y",
        "Х": "X",
        "З": "3",
        "Ь": "b",
        "І": "I",
        "Ї": "I",
        "Ү": "Y",
    }
)


def skeleton(text: str) -> str:
    """Upper case, letters and digits only, look-alike letters folded (see LOOKALIKES)."""
    return "".join(ch for ch in text.upper().translate(LOOKALIKES) if ch.isalnum())


def _says(token: str, word: str) -> float:
    """How surely ``token`` is ``word`` (0-1)."""
    key = skeleton(word)
    if len(key) <= SHORT_NAME:
        # A short word opens the token, followed at most by one stray mark and digits.
        return 1.0 if re.fullmatch(re.escape(key) + r"[A-Z]?\d*", token) else 0.0
    if len(token) < len(key) - 2:
        return 0.0
    return SequenceMatcher(None, key, token[: len(key) + 1]).ratio()


def normalise(text: str) -> str:
    out = []
    for ch in text.upper():
        if ch in CYRILLIC:
            out.append(CYRILLIC[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
    return "".join(out)


def _best_stretch(name: str, probe: str) -> tuple[float, str]:
    """Similarity of ``name`` to the closest stretch of ``probe`` of about its length."""
    if not name:
        return 0.0, ""
    n = len(name)
    if len(probe) <= n + 1:
        return SequenceMatcher(None, name, probe).ratio(), probe
    # No stretch can share more letters with the name than the whole probe does: when
    # even that bounds every stretch's ratio below the threshold, none can match.
    shared = sum((Counter(name) & Counter(probe)).values())
    if max(2.0 * min(shared, size) / (size + n) for size in (n - 1, n, n + 1)) < MIN_NAME_SCORE:
        return 0.0, ""
    best, where = 0.0, ""
    matcher = SequenceMatcher(None, b=name, autojunk=False)
    for size in (n - 1, n, n + 1):
        for start in range(0, len(probe) - size + 1):
            part = probe[start : start + size]
            matcher.set_seq1(part)
            if (
                matcher.real_quick_ratio() < MIN_NAME_SCORE
                or matcher.quick_ratio() < MIN_NAME_SCORE
            ):
                continue
            score = matcher.ratio()
            if score > best:
                best, where = score, part
    return best, where


def parse_gazetteer(text: str) -> Gazetteer:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise GazetteerError(f"gazetteer file is not valid TOML: {error}") from error
    sources = {s["id"]: s["title"] for s in raw.get("sources", [])}
    points = []
    for entry in raw.get("points", []):
        where = f"gazetteer point {entry.get('id', '?')}"
        for key in ("id", "country", "kind", "names", "source"):
            if key not in entry:
                raise GazetteerError(f"{where}: missing {key!r}")
        if entry["kind"] not in KINDS:
            raise GazetteerError(f"{where}: kind must be one of {sorted(KINDS)}")
        if entry["source"] != ILLUSTRATIVE and entry["source"] not in sources:
            raise GazetteerError(f"{where}: unknown source {entry['source']!r}")
        coords = entry.get("coordinates")
        points.append(
            Point(
                id=entry["id"],
                country=entry["country"],
                kind=entry["kind"],
                names=tuple(entry["names"]),
                source=entry["source"],
                coordinates=(float(coords[0]), float(coords[1])) if coords else None,
                pair=entry.get("pair"),
            )
        )
    ids = {p.id for p in points}
    for point in points:
        if point.pair is not None and point.pair not in ids:
            raise GazetteerError(f"gazetteer point {point.id}: pair {point.pair!r} is no point")
    direction = raw.get("direction", {})
    keys = tuple((point, normalise(name)) for point in points for name in point.names)
    return Gazetteer(
        tuple(points),
        sources,
        frozenset(direction.get("entry", ())),
        frozenset(direction.get("exit", ())),
        keys,
    )


@cache
def load_gazetteer() -> Gazetteer:
    text = resources.files("screening.booklet").joinpath("data/gazetteer.toml").read_text("utf-8")
    return parse_gazetteer(text)
