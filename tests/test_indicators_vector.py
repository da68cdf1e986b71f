"""The vector on hand-made traffic: an injected corridor is reported with its counts; a
small count, a large nationality at the background rate, a handful of repeat travellers,
a failing scanner and a checkpoint where everyone scores high are not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from screening.indicators.report_data import build_report
from screening.indicators.scoring import load_scoring
from tests.indicators_helpers import event, load, sqlite_store

_serial = count()


def crossings(
    nat: str,
    checkpoint: str,
    direction: str,
    n: int,
    *,
    signs: int = 0,
    code: str = "LIST_STOLEN",
    extra: tuple[str, ...] = (),
    travellers: int | None = None,
) -> list[dict[str, Any]]:
    """``n`` screenings spread over a year, ``signs`` of them with ``code``; with
    ``travellers`` the flagged screenings come from that many documents only."""
    out = []
    for i in range(n):
        flagged = i < signs
        doc = f"{nat}-{travellers and flagged and i % travellers}-{next(_serial)}"
        if travellers and flagged:
            doc = f"{nat}-repeat-{i % travellers}"
        out.append(
            event(
                time=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
                checkpoint=checkpoint,
                direction=direction,
                nationality=nat,
                issuing_state=nat,
                codes=[code, *extra] if flagged else [],
                verdict="alert" if flagged else "clear",
                document_hash=doc,
            )
        )
    return out


def background() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for cp, direction in (
        ("KGZ-MANAS", "entry"),
        ("KGZ-AK-ZHOL", "exit"),
        ("KGZ-DOSTUK", "entry"),
        ("KGZ-TORUGART", "entry"),
    ):
        events += crossings("KGZ", cp, direction, 2000, signs=4)
        events += crossings("KAZ", cp, direction, 1500, signs=3)
    return events


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    events = background()
    # the injected corridor: Bangladeshi travellers at Manas (entry) and Ak-Zhol (exit)
    events += crossings("BGD", "KGZ-MANAS", "entry", 300, signs=24)
    events += crossings(
        "BGD", "KGZ-AK-ZHOL", "exit", 60, signs=6, code="PHOTO_SUBSTITUTION_SUSPECTED"
    )
    # decoys
    events += crossings("UZB", "KGZ-DOSTUK", "entry", 6_000, signs=12)  # background rate
    events += crossings("LKA", "KGZ-MANAS", "entry", 10, signs=3)  # a small count
    events += crossings(
        "TUR", "KGZ-TORUGART", "entry", 300, signs=120, code="MRZ_CHECK_DIGIT", travellers=3
    )  # three traders, forty crossings each
    events += crossings("TJK", "KGZ-DOSTUK", "entry", 800, signs=300, code="MRZ_UNREADABLE")
    events += crossings(
        "TJK", "KGZ-DOSTUK", "exit", 800, signs=100, code="MRZ_CHECK_DIGIT", extra=("IMAGE_BLUR",)
    )  # a failing scanner's misreads
    with sqlite_store(tmp_path_factory.mktemp("vector")) as store:
        load(store, events)
        return build_report(store, date(2025, 1, 1), date(2025, 12, 31))


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["corridors"]}


def test_the_injected_corridor_is_reported_with_its_counts(report: dict[str, Any]) -> None:
    corridor = by_id(report)["bgd-delhi-bishkek-kordai"]
    assert corridor["flagged"]
    assert corridor["corridor"][:3] == ["BGD-DHAKA", "IND-DELHI-AIRPORT", "KGZ-MANAS"]
    fraud = corridor["indicators"]["fraud_any"]
    assert (fraud["documents"], fraud["traffic"]) == (30, 360)
    assert fraud["interval"]["low"] > fraud["background"]
    assert "30 documents" in corridor["explanation"]
    assert corridor["score"] == pytest.approx(
        sum(v["contribution"] for v in corridor["indicators"].values()), abs=0.01
    )


def test_corridors_come_strongest_first(report: dict[str, Any]) -> None:
    scores = [c["score"] for c in report["corridors"]]
    assert scores == sorted(scores, reverse=True)
    assert report["corridors"][0]["flagged"]


@pytest.mark.parametrize("nationality", ["UZB", "LKA", "TUR", "TJK", "KGZ", "KAZ"])
def test_decoys_are_not_reported(report: dict[str, Any], nationality: str) -> None:
    reported = [c for c in report["corridors"] if c["flagged"]]
    assert all(nationality not in c["nationalities"] for c in reported), [
        c["explanation"] for c in reported if nationality in c["nationalities"]
    ]


def test_repeat_travellers_count_once(report: dict[str, Any]) -> None:
    cells = {c["id"]: c for c in report["cells"]}
    tur = cells["cell:TUR@KGZ-TORUGART:entry"]["indicators"]["fraud_any"]
    assert (tur["documents"], tur["events"]) == (3, 120)


def test_misreads_beside_a_blur_finding_are_not_fraud(report: dict[str, Any]) -> None:
    assert report["discounted_as_misread"] == 100


def test_weights_come_from_the_scoring_file(tmp_path: Path) -> None:
    scoring = load_scoring()
    heavier = replace(scoring, weights={**scoring.weights, "fraud_any": 3.0})
    events = background() + crossings("BGD", "KGZ-MANAS", "entry", 300, signs=24)
    with sqlite_store(tmp_path) as store:
        load(store, events)
        base = by_id(build_report(store, date(2025, 1, 1), date(2025, 12, 31), scoring))
        heavy = by_id(build_report(store, date(2025, 1, 1), date(2025, 12, 31), heavier))
    key = "bgd-delhi-bishkek-kordai"
    strength = base[key]["indicators"]["fraud_any"]["strength"]
    assert heavy[key]["score"] - base[key]["score"] == pytest.approx(2.0 * strength, abs=0.01)


def test_a_recorded_route_through_the_crossing_points_joins_the_known_corridor() -> None:
    from screening.indicators.cube import Cell
    from screening.indicators.vector import known_candidates

    corridor = next(c for c in known_candidates() if c.id == "bgd-delhi-bishkek-kordai")
    stamped = Cell(
        "2025-03",
        None,
        None,
        "BGD",
        ("IND-DELHI-AIRPORT", "KGZ-MANAS", "KGZ-AK-ZHOL", "KAZ-KORDAI"),
        None,
    )
    elsewhere = stamped._replace(route=("KGZ-MANAS", "KGZ-OSH-AIRPORT"))
    other_nationality = stamped._replace(nationality="KGZ")
    assert corridor.matches(stamped)
    assert not corridor.matches(elsewhere)
    assert not corridor.matches(other_nationality)
