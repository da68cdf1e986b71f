"""Route rules on hand-made stamp events (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from screening.booklet.route import Event, check_route
from screening.booklet.rules import route_findings

D = dt.date
ISSUED = D(2010, 1, 1)
TODAY = D(2015, 1, 1)


def ev(
    i: int,
    day: dt.date,
    direction: str,
    country: str,
    point: str | None = None,
    pair: str | None = None,
    page: int = 5,
) -> Event:
    return Event(i, day, direction, country, point, pair, page, "road")


def trip(start: int, day: dt.date) -> list[Event]:
    back = day + dt.timedelta(days=20)
    return [
        ev(start, day, "exit", "KGZ", "KGZ-AK-ZHOL", "KAZ-KORDAI"),
        ev(start + 1, day, "entry", "KAZ", "KAZ-KORDAI", "KGZ-AK-ZHOL"),
        ev(start + 2, back, "exit", "KAZ", "KAZ-KORDAI", "KGZ-AK-ZHOL"),
        ev(start + 3, back, "entry", "KGZ", "KGZ-AK-ZHOL", "KAZ-KORDAI"),
    ]


def kinds(events: list[Event]) -> list[str]:
    return [b.kind for b in check_route(events, home="KGZ", issued=ISSUED, today=TODAY)]


def test_round_trips_add_up() -> None:
    assert kinds(trip(0, D(2011, 3, 1)) + trip(4, D(2012, 5, 1))) == []


@pytest.mark.parametrize(
    ("drop", "expected"),
    [(1, "exit_without_entry"), (2, "entry_without_exit"), (0, "entry_without_exit")],
)
def test_a_missing_stamp_breaks_the_alternation(drop: int, expected: str) -> None:
    events = trip(0, D(2011, 3, 1))
    del events[drop]
    assert expected in kinds(events)


def test_a_stamp_before_the_passport_was_issued_is_out_of_order() -> None:
    events = trip(0, D(2009, 6, 1)) + trip(4, D(2011, 1, 1))
    assert kinds(events).count("dates_out_of_order") == 4


def test_an_entry_dated_before_its_exit_across_a_paired_crossing() -> None:
    events = trip(0, D(2011, 3, 1))
    entry = events[1]
    events[1] = ev(entry.index, D(2011, 2, 10), "entry", "KAZ", entry.point, entry.pair)
    assert kinds(events) == ["dates_out_of_order"]


def test_a_break_while_pages_are_missing_is_the_gap_alert() -> None:
    events = trip(0, D(2011, 3, 1))
    del events[1]
    breaks = check_route(events, home="KGZ", issued=ISSUED, today=TODAY)
    codes = [f.code for f in route_findings(breaks, [9, 10], 2)]
    assert codes == ["ROUTE_GAP_AT_MISSING_PAGES"]
    plain = [f.code for f in route_findings(breaks, [], 0)]
    assert plain == ["ROUTE_EXIT_WITHOUT_ENTRY"]
