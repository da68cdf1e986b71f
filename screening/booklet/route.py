"""The travel route a booklet's stamps tell, and what does not add up. Pure.

A route is the stamps that were read well enough (a date and a direction, and a country
from the gazetteer match) ordered by date (page order breaks ties: officers stamp the
next free space). A traveller is always somewhere, so events alternate: an exit is
followed by an entry, an entry by an exit. The holder starts in the issuing state.

- two exits in a row, or a first exit from a state the holder never entered:
  an exit without entry;
- two entries in a row, or a first stamp that is an entry (the holder starts at home and
  must leave it first): an entry without exit;
- a stamp dated before the passport was issued or after the screening date, or an entry
  at one side of a paired road crossing dated days before the exit at the other side
  that it must follow: dates out of order.

Each break lies between two dates; when the booklet also misses pages, the stamps that
would close the break may have been on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

PAIR_WINDOW_DAYS = 45  # an entry more than this before the exit is another trip
PAIR_SLACK_DAYS = 1  # entry the day after the exit (night crossings, time zones)


@dataclass(frozen=True, slots=True)
class Event:
    index: int  # index into the booklet's stamps list
    date: dt.date
    direction: str  # entry | exit
    country: str
    point: str | None  # gazetteer id
    pair: str | None  # gazetteer id across the border
    page: int | None
    kind: str | None = None  # airport | road | rail

    def to_dict(self) -> dict[str, Any]:
        return {
            "stamp": self.index,
            "date": self.date.isoformat(),
            "direction": self.direction,
            "country": self.country,
            "checkpoint": self.point,
            "page": self.page,
        }


@dataclass(frozen=True, slots=True)
class Break:
    kind: str  # exit_without_entry | entry_without_exit | dates_out_of_order
    events: tuple[Event, ...]  # the stamps involved
    reason: str
    between: tuple[dt.date | None, dt.date | None]  # dates the missing event lies between

    def pages(self) -> list[int]:
        return sorted({e.page for e in self.events if e.page is not None})


def order(events: list[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.date, e.page if e.page is not None else 0, e.index))


def check_route(
    events: list[Event], *, home: str | None, issued: dt.date | None, today: dt.date
) -> list[Break]:
    route = order(events)
    breaks: list[Break] = []
    for event in route:
        if issued is not None and event.date < issued:
            breaks.append(
                Break(
                    "dates_out_of_order",
                    (event,),
                    f"dated {event.date.isoformat()}, before the passport was issued "
                    f"({issued.isoformat()})",
                    (None, None),
                )
            )
        elif event.date > today:
            breaks.append(
                Break(
                    "dates_out_of_order",
                    (event,),
                    f"dated {event.date.isoformat()}, after the screening date",
                    (None, None),
                )
            )
    valid = [e for e in route if (issued is None or e.date >= issued) and e.date <= today]
    inversions = _paired_inversions(valid)
    breaks += inversions
    # For the alternation, an inverted entry takes its place right after its exit (the
    # crossing happened; its date is what is wrong).
    moved = {b.events[1].index: b.events[0] for b in inversions}
    sequence = sorted(
        valid,
        key=lambda e: (
            (moved[e.index].date, moved[e.index].page or 0, moved[e.index].index, 1)
            if e.index in moved
            else (e.date, e.page or 0, e.index, 0)
        ),
    )
    previous: Event | None = None
    for event in sequence:
        if previous is None:
            if event.direction == "exit" and home is not None and event.country != home:
                breaks.append(
                    Break(
                        "exit_without_entry",
                        (event,),
                        f"the first stamp is an exit from {event.country}, never entered",
                        (issued, event.date),
                    )
                )
            elif event.direction == "entry" and home is not None:
                breaks.append(
                    Break(
                        "entry_without_exit",
                        (event,),
                        f"the first stamp is an entry into {event.country}, with no exit "
                        f"from {home} before it",
                        (issued, event.date),
                    )
                )
        elif previous.direction == event.direction == "exit":
            breaks.append(
                Break(
                    "exit_without_entry",
                    (previous, event),
                    f"exit from {event.country} on {event.date.isoformat()} follows an "
                    f"exit from {previous.country} on {previous.date.isoformat()} with no "
                    f"entry between",
                    (previous.date, event.date),
                )
            )
        elif previous.direction == event.direction == "entry":
            breaks.append(
                Break(
                    "entry_without_exit",
                    (previous, event),
                    f"entry into {event.country} on {event.date.isoformat()} follows an "
                    f"entry into {previous.country} on {previous.date.isoformat()} with no "
                    f"exit between",
                    (previous.date, event.date),
                )
            )
        elif (
            previous.direction == "entry"
            and event.direction == "exit"
            and previous.country != event.country
        ):
            breaks.append(
                Break(
                    "exit_without_entry",
                    (previous, event),
                    f"exit from {event.country} on {event.date.isoformat()} while the last "
                    f"entry was into {previous.country} ({previous.date.isoformat()})",
                    (previous.date, event.date),
                )
            )
        previous = event
    return breaks


def _paired_inversions(route: list[Event]) -> list[Break]:
    """An entry at the far side of a paired crossing dated before the exit it follows."""
    out = []
    exits = [e for e in route if e.direction == "exit" and e.pair is not None]
    for entry in (e for e in route if e.direction == "entry" and e.point is not None):
        for exit_ in exits:
            if exit_.pair != entry.point:
                continue
            lead = (exit_.date - entry.date).days
            if PAIR_SLACK_DAYS < lead <= PAIR_WINDOW_DAYS:
                # Is there a matching exit on or just before the entry day? Then this
                # exit belongs to another trip.
                matched = any(
                    x.pair == entry.point and 0 <= (entry.date - x.date).days <= PAIR_SLACK_DAYS
                    for x in exits
                )
                if not matched:
                    out.append(
                        Break(
                            "dates_out_of_order",
                            (exit_, entry),
                            f"entry into {entry.country} at {entry.point} dated "
                            f"{entry.date.isoformat()}, {lead} days before the exit from "
                            f"{exit_.country} at {exit_.point} ({exit_.date.isoformat()}) "
                            f"across the same crossing",
                            (entry.date, exit_.date),
                        )
                    )
                    break
    return out
