"""Helpers for the indicator tests: events built from small dicts, simulations loaded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from screening.indicators.event import parse_event, set_content_id
from screening.indicators.store import EventStore, open_event_store


def event(**fields: Any) -> dict[str, Any]:
    base = {
        "time": "2025-03-10T08:00:00Z",
        "checkpoint": "KGZ-MANAS",
        "direction": "entry",
        "nationality": "KGZ",
        "issuing_state": "KGZ",
        "document_type": "P",
        "verdict": "clear",
        "codes": [],
    }
    base.update(fields)
    return base


def load(store: EventStore, events: Iterable[dict[str, Any]]) -> int:
    """Validate and store events as import-events does (content ids per occurrence)."""
    seen: Counter[str] = Counter()
    parsed = []
    for obj in events:
        e = parse_event(obj, key=None)
        if not e.event_id:
            digest = e.content_digest()
            set_content_id(e, digest, seen[digest])
            seen[digest] += 1
        parsed.append(e)
    return store.add_events(parsed)


def sqlite_store(tmp_path: Path) -> EventStore:
    return open_event_store(f"sqlite:///{tmp_path / 'events.db'}")
