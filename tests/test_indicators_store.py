"""The event store on real SQLite and a real PostgreSQL server: the same behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.errors import EventStoreError
from screening.indicators.report_data import window_of
from screening.indicators.store import EventStore, open_event_store
from tests.indicators_helpers import event, load
from tests.pg_server import pg_schema_url, postgres_url  # noqa: F401 - fixtures


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> EventStore:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'events.db'}"
    else:
        url = request.getfixturevalue("pg_schema_url")
    s = open_event_store(url)
    yield s
    s.close()


def test_events_are_grouped_by_cell_and_codes(store: EventStore) -> None:
    events = [
        event(),
        event(time="2025-03-11T08:00:00Z"),
        event(nationality="BGD", codes=["LIST_STOLEN"], document_hash="doc1"),
        event(
            nationality="BGD",
            codes=["LIST_STOLEN"],
            document_hash="doc1",
            time="2025-03-12T08:00:00Z",
        ),
        event(time="2025-04-01T00:00:00Z", route=["Delhi", "Manas"], origin="Dhaka"),
        event(time="2024-12-31T23:59:59Z"),
    ]
    assert load(store, events) == 6
    assert load(store, events) == 0  # same ids: nothing new
    from datetime import date

    window = window_of(date(2025, 1, 1), date(2025, 12, 31))
    cells = {row[:7]: row[7] for row in store.cell_counts(window)}
    assert cells[("2025-03", "KGZ-MANAS", "entry", "KGZ", "", None, "")] == 2
    assert cells[("2025-03", "KGZ-MANAS", "entry", "BGD", "", None, "LIST_STOLEN")] == 2
    key = ("2025-04", "KGZ-MANAS", "entry", "KGZ", "IND-DELHI-AIRPORT>KGZ-MANAS", "BGD-DHAKA", "")
    assert cells[key] == 1
    assert sum(cells.values()) == 5  # the 2024 event is outside the window
    docs = store.flagged_documents(window, ["LIST_STOLEN"])
    assert sorted(row[-1] for row in docs) == ["doc1", "doc1"]
    status = store.status()
    assert status["events"] == 6 and status["by_source"] == {"import": 6}
    assert status["first"].startswith("2024-12-31")


def test_an_unsupported_url_is_a_typed_error() -> None:
    with pytest.raises(EventStoreError):
        open_event_store("mysql://somewhere/db")


def test_an_unreachable_server_is_a_typed_error() -> None:
    with pytest.raises(EventStoreError, match="cannot connect"):
        open_event_store("postgresql://nobody@127.0.0.1:1/none")
