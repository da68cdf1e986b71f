"""A booklet is recorded once (its data-page scan does not emit a second event), with the
route its stamps tell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.booklet import make_plan, render_booklet, write_booklet
from screening.cli import main
from screening.indicators.places import load_gazetteer
from screening.indicators.store import open_event_store


def test_a_booklet_is_one_event_with_its_route(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = make_plan(20261206, model="KGZ-2004", trips=2)
    rendered = render_booklet(plan, "ledger", layout="spreads", capture="clean", dpi=150)
    path = write_booklet(rendered, tmp_path / "b", container="folder")
    url = f"sqlite:///{tmp_path / 'events.db'}"
    args = [
        "booklet",
        str(path),
        "--json",
        "--no-lists",
        "--today",
        rendered.truth["screening_date"],
        "--events",
        url,
        "--checkpoint",
        "Manas",
        "--direction",
        "exit",
    ]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    with open_event_store(url) as store:
        rows = store._execute("SELECT source, checkpoint, direction, route, verdict FROM events")
    assert len(rows) == 1
    source, checkpoint, direction, route, verdict = rows[0]
    assert (source, checkpoint, direction, verdict) == (
        "booklet",
        "KGZ-MANAS",
        "exit",
        report["verdict"],
    )
    gaz = load_gazetteer()
    expected = []
    for e in report["route"]["events"]:
        place = gaz.resolve(e["checkpoint"] or e["country"])
        if not expected or expected[-1] != place:
            expected.append(place)
    assert route == ">".join(expected)
    assert expected, "the generated booklet's stamps should give a route"
