"""The indicator report as plain data (dicts and lists): one function the CLI, the web
station and tests call; HTML and JSON/CSV are renderings of it (Datasette style)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from screening.indicators.cube import FRAUD_ANY, Cube, build_cube
from screening.indicators.places import load_gazetteer
from screening.indicators.scoring import Scoring, load_scoring
from screening.indicators.store import EventStore, Window
from screening.indicators.taxonomy import load_taxonomy
from screening.indicators.vector import (
    Scored,
    VectorModel,
    discovered_corridors,
    known_candidates,
    route_candidates,
)


def window_of(start: date, end: date) -> Window:
    """Events from ``start`` to ``end``, both days included."""
    return Window(f"{start.isoformat()}T00:00:00Z", f"{(end + timedelta(days=1)).isoformat()}T")


def rank_corridors(
    cube: Cube, scoring: Scoring, external_rows: list[dict[str, Any]], window: Window | None = None
) -> tuple[list[Scored], list[Scored]]:
    """(corridors strongest first, nationality x checkpoint cells strongest first)."""
    model = VectorModel(
        cube, scoring, external_rows, (window.start, window.end) if window else None
    )
    known = [model.score(c) for c in known_candidates()]
    routes = [model.score(c) for c in route_candidates(cube, scoring.min_background_traffic)]
    reported_known = [k for k in known + routes if k.flagged]
    discovered, cells = discovered_corridors(model, reported_known)
    scored = known + routes + [model.score(c) for c in discovered]
    kept = [sc for sc in scored if sc.candidate.kind == "known" or sc.flagged]
    kept.sort(key=lambda sc: (-sc.score, sc.candidate.id))
    cells.sort(key=lambda sc: (-sc.score, sc.candidate.id))
    return kept, cells


def detections_by_checkpoint_month(cube: Cube) -> list[dict[str, Any]]:
    traffic: Counter[tuple[str, str]] = Counter()
    fraud: Counter[tuple[str, str]] = Counter()
    for cell, n in cube.traffic.items():
        key = (cell.checkpoint or "unknown", cell.month)
        traffic[key] += n
        fraud[key] += cube.events.get(cell, {}).get(FRAUD_ANY, 0)
    return [
        {"checkpoint": cp, "month": month, "screenings": n, "fraud_detections": fraud[(cp, month)]}
        for (cp, month), n in sorted(traffic.items())
    ]


def fraud_type_by_nationality(cube: Cube) -> list[dict[str, Any]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for cell, primary in cube.primary.items():
        counts[cell.nationality].update(primary)
    order = load_taxonomy().categories()
    rows = []
    for nat, c in sorted(counts.items()):
        row: dict[str, Any] = {"nationality": nat, "screenings": sum(c.values())}
        row |= {cat: c.get(cat, 0) for cat in order}
        rows.append(row)
    return rows


def fraud_type_totals(cube: Cube) -> list[dict[str, Any]]:
    """Screenings per primary category, fraud categories first: the table to compare
    with other countries' statistics (one category per screening)."""
    totals: Counter[str] = Counter()
    for primary in cube.primary.values():
        totals.update(primary)
    tax = load_taxonomy()
    return [
        {"category": cat, "fraud": cat in tax.fraud, "screenings": totals.get(cat, 0)}
        for cat in tax.categories()
    ]


def route_diagram(corridors: list[Scored]) -> dict[str, Any]:
    gaz = load_gazetteer()
    used = {p for sc in corridors for p in sc.candidate.places}
    places = [
        {
            "id": p.id,
            "name": p.name,
            "country": p.country,
            "kind": p.kind,
            "lat": p.coordinates[0],
            "lon": p.coordinates[1],
            "located": p.located,
        }
        for p in gaz.places.values()
        if p.coordinates is not None
    ]
    return {
        "places": places,
        "unplaced": sorted(p for p in used if p not in gaz.places),
        "corridors": [
            {
                "id": sc.candidate.id,
                "places": list(sc.candidate.places),
                "score": round(sc.score, 3),
                "flagged": sc.flagged,
            }
            for sc in corridors
        ],
    }


def build_report(
    store: EventStore,
    start: date,
    end: date,
    scoring: Scoring | None = None,
) -> dict[str, Any]:
    scoring = scoring or load_scoring()
    window = window_of(start, end)
    cube = build_cube(store, window)
    external = store.source_rows()
    corridors, cells = rank_corridors(cube, scoring, external, window)
    in_window = [
        r
        for r in external
        if r["period_from"] <= end.isoformat() and r["period_to"] >= start.isoformat()
    ]
    return {
        "window": {"from": start.isoformat(), "to": end.isoformat()},
        "store": store.url,
        "screenings": cube.total,
        "screenings_in_traffic": sum(n for c, n in cube.traffic.items() if c.in_traffic),
        "fraud_detections": sum(v.get(FRAUD_ANY, 0) for v in cube.events.values()),
        "discounted_as_misread": cube.discounted,
        "codes": dict(cube.codes.most_common()),
        "scoring": scoring.to_dict(),
        "corridors": [sc.to_dict() for sc in corridors],
        "cells": [sc.to_dict() for sc in cells if FRAUD_ANY in sc.indicators][:100],
        "detections_by_checkpoint_month": detections_by_checkpoint_month(cube),
        "fraud_type_by_nationality": fraud_type_by_nationality(cube),
        "fraud_type_totals": fraud_type_totals(cube),
        "route_diagram": route_diagram(corridors),
        "sources": {
            "in_window": len(in_window),
            "outside_window": len(external) - len(in_window),
            "kinds": sorted({r["kind"] for r in external}),
        },
    }
