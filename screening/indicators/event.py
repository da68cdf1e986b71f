"""The screening event: what the indicator store keeps of one screening. Pure.

No personal data: no names, no dates of birth, no images, no file names (they often
carry a name); the document number only as a keyed hash (HMAC, key kept outside the
store, see :mod:`screening.indicators.config`).

:func:`parse_event` validates one event given as a mapping (an imported JSONL line or a
report turned into a mapping) and says why it refuses one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from screening.indicators.places import DIRECTIONS, Gazetteer, load_gazetteer
from screening.lists.hashing import keyed_hash

VERDICTS = ("clear", "refer", "alert")
REQUIRED = (
    "time",
    "checkpoint",
    "direction",
    "nationality",
    "issuing_state",
    "document_type",
    "verdict",
    "codes",
)
MAX_TEXT = 64
MAX_CODES = 64
MAX_ROUTE = 32
_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,63}")
_STATE = re.compile(r"[A-Z]{1,3}")
_DOCTYPE = re.compile(r"[A-Z0-9<]{1,8}")
_HASH = re.compile(r"[A-Za-z0-9:_.\-]{4,128}")  # an opaque key from another system
ROUTE_SEPARATOR = ">"


class EventError(ValueError):
    """Why one event was refused (the importer reports it with the line number)."""


@dataclass(slots=True)
class ScreeningEvent:
    event_id: str
    time: datetime  # UTC
    checkpoint: str | None
    direction: str | None
    issuing_state: str | None
    nationality: str | None
    document_type: str | None
    edition: str | None
    verdict: str
    codes: tuple[str, ...]
    list_hits: tuple[str, ...] = ()
    route: tuple[str, ...] = ()
    origin: str | None = None
    doc_hash: str | None = None
    source: str = "scan"

    @property
    def time_text(self) -> str:
        return self.time.isoformat()[:19] + "Z"

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "time": self.time_text,
            "checkpoint": self.checkpoint,
            "direction": self.direction,
            "issuing_state": self.issuing_state,
            "nationality": self.nationality,
            "document_type": self.document_type,
            "edition": self.edition,
            "verdict": self.verdict,
            "codes": list(self.codes),
            "list_hits": list(self.list_hits),
            "route": list(self.route),
            "origin": self.origin,
            "document_hash": self.doc_hash,
            "source": self.source,
        }

    def content_digest(self) -> str:
        """A digest of what the event says (not its id), for idempotent imports."""
        parts = (
            self.time_text,
            self.checkpoint,
            self.direction,
            self.issuing_state,
            self.nationality,
            self.document_type,
            self.edition,
            self.verdict,
            " ".join(self.codes),
            ">".join(self.route),
            self.origin,
            self.doc_hash,
            self.source,
        )
        text = "\x1f".join("" if p is None else p for p in parts)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise EventError("time must be an ISO 8601 text, e.g. 2026-03-01T08:15:00Z")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError as error:
        raise EventError(f"time {text[:40]!r} is not ISO 8601") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # documented: a time without offset is UTC
    return moment.astimezone(UTC).replace(microsecond=0)


def _text(
    obj: Mapping[str, Any],
    name: str,
    pattern: re.Pattern[str] | None = None,
    *,
    upper: bool = True,
) -> str | None:
    value = obj.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise EventError(f"{name} must be text or null")
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise EventError(f"{name} is longer than {MAX_TEXT} characters")
    if pattern is not None:
        if upper:
            value = value.upper().rstrip("<") if pattern is _STATE else value.upper()
        if not pattern.fullmatch(value):
            raise EventError(f"{name} {value!r} is not of the expected form")
    return value


def _places(value: Any, name: str, gazetteer: Gazetteer) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [p for p in value.split(ROUTE_SEPARATOR) if p.strip()]
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise EventError(f"{name} must be a list of place names")
    if len(value) > MAX_ROUTE:
        raise EventError(f"{name} has more than {MAX_ROUTE} places")
    if any(len(p) > MAX_TEXT or ROUTE_SEPARATOR in p for p in value):
        raise EventError(f"{name} holds a place name too long or containing '>'")
    return tuple(gazetteer.resolve(p) for p in value)


def _codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise EventError("codes must be a list of finding codes")
    if len(value) > MAX_CODES:
        raise EventError(f"more than {MAX_CODES} codes")
    codes = sorted({c.strip().upper() for c in value if c.strip()})
    bad = [c for c in codes if not _CODE.fullmatch(c)]
    if bad:
        raise EventError(f"codes {bad[:3]} are not finding codes (A-Z, 0-9, _)")
    return tuple(codes)


def document_hash(key: bytes | None, state: str | None, doc_type: str | None, number: str) -> str:
    """The keyed hash the store keeps instead of a document number (the list store's
    HMAC, so that one key format serves both); without a key nothing is kept."""
    if key is None:
        raise EventError("a document number needs the events key to be hashed")
    return keyed_hash(key, (state or "").ljust(3, "<"), (doc_type or "")[:1], number.upper())


def parse_event(
    obj: Any,
    *,
    key: bytes | None,
    source: str = "import",
    gazetteer: Gazetteer | None = None,
    require: tuple[str, ...] = REQUIRED,
) -> ScreeningEvent:
    """Validate one event mapping; raises :class:`EventError` saying why it is refused."""
    if not isinstance(obj, Mapping):
        raise EventError("an event must be a JSON object")
    missing = [name for name in require if name not in obj]
    if missing:
        raise EventError(f"missing {', '.join(missing)}")
    gaz = gazetteer or load_gazetteer()
    direction = _text(obj, "direction")
    if direction is not None:
        direction = direction.lower()
        if direction not in DIRECTIONS:
            raise EventError(f"direction must be entry or exit, not {direction!r}")
    verdict = (_text(obj, "verdict") or "").lower()
    if verdict not in VERDICTS:
        raise EventError(f"verdict must be clear, refer or alert, not {verdict!r}")
    checkpoint = _text(obj, "checkpoint")
    origin = _text(obj, "origin")
    issuing_state = _text(obj, "issuing_state", _STATE)
    document_type = _text(obj, "document_type", _DOCTYPE)
    codes = _codes(obj.get("codes", []))
    doc_hash = _text(obj, "document_hash", _HASH, upper=False)
    number = _text(obj, "document_number")
    if number is not None:
        doc_hash = document_hash(key, issuing_state, document_type, number)
    event = ScreeningEvent(
        event_id="",
        time=parse_time(obj.get("time")),
        checkpoint=gaz.resolve(checkpoint) if checkpoint else None,
        direction=direction,
        issuing_state=issuing_state,
        nationality=_text(obj, "nationality", _STATE),
        document_type=document_type,
        edition=_text(obj, "edition"),
        verdict=verdict,
        codes=codes,
        list_hits=tuple(c for c in codes if c.startswith("LIST_") and c != "LIST_NOT_CHECKED"),
        route=_places(obj.get("route"), "route", gaz),
        origin=gaz.resolve(origin) if origin else None,
        doc_hash=doc_hash,
        source=_text(obj, "source") or source,
    )
    given_id = obj.get("event_id", obj.get("id"))
    if given_id is not None:
        if not isinstance(given_id, str | int) or not str(given_id).strip():
            raise EventError("event_id must be a non-empty text or number")
        text = str(given_id).strip()
        if len(text) > 128:
            raise EventError("event_id is longer than 128 characters")
        event.event_id = text
    return event


def set_content_id(event: ScreeningEvent, digest: str, occurrence: int) -> None:
    """Give an event without an id one derived from its content digest and how many
    identical events came before it in the same file: re-importing the file yields the
    same ids, while two identical events in one file stay two events."""
    if occurrence:
        digest = hashlib.sha256(f"{digest}#{occurrence}".encode()).hexdigest()[:32]
    event.event_id = f"c:{digest}"
