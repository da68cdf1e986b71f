"""Turn a finished report (``scan``, ``booklet``, a ``batch`` row) into a screening event
and record it without ever failing or holding up the screening.

:func:`event_from_report` is pure: the report's JSON object (the CLI contract) and the
recording context in, an event out, personal data left behind. :class:`EventRecorder`
opens the store lazily, and when the store cannot be reached appends the events to a
spool file (JSON Lines, the ``import-events`` format with event ids) and reports one
warning through the callback it was given; ``import-events SPOOL`` later stores them
without double counting.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from screening.errors import EventStoreError, InputFileError
from screening.indicators.config import RecordingConfig, fingerprint
from screening.indicators.event import ScreeningEvent, document_hash
from screening.indicators.places import load_gazetteer
from screening.indicators.store import EventStore, open_event_store

SPOOL_NAME = "events-spool.jsonl"


@dataclass(frozen=True, slots=True)
class RecordingContext:
    """What the report does not say: where, which way, when, and by which command."""

    checkpoint: str | None
    direction: str | None
    source: str  # scan | booklet | batch
    time: datetime | None = None  # default: now
    event_id: str | None = None  # batch: derived from the input digest (resume-safe)


def _route(report: Mapping[str, Any]) -> tuple[str, ...]:
    """Places in the order the booklet's stamps tell (checkpoint id, else the country)."""
    route = report.get("route") or {}
    events = route.get("events") if isinstance(route, Mapping) else None
    places: list[str] = []
    for item in events or []:
        place = item.get("checkpoint") or item.get("country")
        if place and (not places or places[-1] != place):
            places.append(str(place))
    gaz = load_gazetteer()
    return tuple(gaz.resolve(p) for p in places[:32])


def event_from_report(
    report: Mapping[str, Any], context: RecordingContext, *, key: bytes | None
) -> ScreeningEvent | None:
    """The event one report makes, or None when nothing was screened (an input error)."""
    verdict = report.get("verdict")
    if report.get("error") is not None or verdict not in ("clear", "refer", "alert"):
        return None
    document = report.get("document") or {}
    fields = document.get("fields") or {}
    edition = document.get("edition") or report.get("edition") or {}
    state = (fields.get("issuing_country") or "").strip("<") or None
    doc_type = (fields.get("document_type") or "").strip("<") or None
    number = (fields.get("document_number") or "").strip("<")
    codes = tuple(sorted({str(f["code"]) for f in report.get("findings") or [] if "code" in f}))
    moment = (context.time or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return ScreeningEvent(
        event_id=context.event_id or f"{context.source}:{uuid.uuid4().hex}",
        time=moment,
        checkpoint=context.checkpoint,
        direction=context.direction,
        issuing_state=state or _edition_state(edition),
        nationality=(fields.get("nationality") or "").strip("<") or state,
        document_type=doc_type,
        edition=str(edition["id"]) if isinstance(edition, Mapping) and edition.get("id") else None,
        verdict=str(verdict),
        codes=codes,
        list_hits=tuple(c for c in codes if c.startswith("LIST_") and c != "LIST_NOT_CHECKED"),
        route=_route(report),
        origin=None,
        doc_hash=document_hash(key, state, doc_type, number) if number and key else None,
        source=context.source,
    )


def _edition_state(edition: Any) -> str | None:
    """A page without MRZ (hand-filled 1994 passport): the state from the edition id."""
    if isinstance(edition, Mapping) and isinstance(edition.get("id"), str):
        head = edition["id"].split("-", 1)[0].upper()
        return head if len(head) == 3 and head.isalpha() else None
    return None


Warn = Callable[[str], None]


@dataclass
class EventRecorder:
    """Records events for one process; not for concurrent threads (one per worker)."""

    config: RecordingConfig
    spool_dir: Path
    warn: Warn = lambda message: None
    store: EventStore | None = None
    key: bytes | None = None
    unavailable: str | None = None
    recorded: int = 0
    spooled: int = 0
    _opened: bool = field(default=False, repr=False)

    def _open(self) -> None:
        self._opened = True
        try:
            self.key = self.config.load_key()
        except (InputFileError, OSError) as error:
            self.warn(f"events key unavailable ({error}); document numbers are not kept")
        try:
            self.store = open_event_store(self.config.events_url)
            if self.key is not None:
                self.store.set_meta("key_fingerprint", fingerprint(self.key) or "")
        except EventStoreError as error:
            self._fail(error.message)

    def _fail(self, reason: str) -> None:
        if self.unavailable is None:
            self.warn(
                f"event store unavailable ({reason}); screening events are kept in "
                f"{self.spool_path} (store them later: screening indicators import-events "
                f"{self.spool_path})"
            )
        self.unavailable = reason
        if self.store is not None:
            self.store.close()
            self.store = None

    @property
    def spool_path(self) -> Path:
        return self.spool_dir / SPOOL_NAME

    def __call__(self, report: Mapping[str, Any], context: RecordingContext) -> None:
        record_report(self, report, context)

    def add(self, event: ScreeningEvent) -> None:
        if not self._opened:
            self._open()
        if self.store is not None:
            try:
                self.recorded += self.store.add_events([event])
                return
            except EventStoreError as error:
                self._fail(error.message)
        self._spool(event)

    def _spool(self, event: ScreeningEvent) -> None:
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            with self.spool_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
            self.spooled += 1
        except OSError as error:
            self.warn(f"screening event not recorded: cannot write {self.spool_path}: {error}")

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def record_report(
    recorder: EventRecorder, report: Mapping[str, Any], context: RecordingContext
) -> ScreeningEvent | None:
    """Record one finished report; never raises for a store problem. Returns the event
    (None when the report screened nothing)."""
    if not recorder._opened:
        recorder._open()
    event = event_from_report(report, context, key=recorder.key)
    if event is not None:
        recorder.add(event)
    return event


def session_hook(recorder: EventRecorder) -> Callable[[dict[str, Any], str], None]:
    """The callable a :class:`~screening.session.ScreeningSession` emits reports to."""

    def hook(report: dict[str, Any], kind: str) -> None:
        context = RecordingContext(recorder.config.checkpoint, recorder.config.direction, kind)
        record_report(recorder, report, context)

    return hook


def batch_recorder(recorder: EventRecorder) -> Callable[[dict[str, Any], str], None]:
    """The callable ``run_batch`` records each screened input with: the event id comes
    from the input's content digest, so an input is one event however often it is run."""

    def record(row: dict[str, Any], digest: str) -> None:
        context = RecordingContext(
            recorder.config.checkpoint,
            recorder.config.direction,
            "batch",
            event_id=f"batch:{digest}",
        )
        record_report(recorder, row, context)

    return record
