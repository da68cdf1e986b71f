"""``indicators import`` and ``indicators report``: the files, their keys, a
self-contained page, spreadsheet-safe CSV, and the demonstration tables."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from screening.cli import main
from screening.indicators.tables import TableImportReport, read_table, table_kinds
from tests.conftest import REPO
from tests.indicators_helpers import event, load, sqlite_store
from tests.test_indicators_vector import background, crossings

SOURCES = REPO / "fixtures" / "indicator_sources"


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{root / 'events.db'}"
    events = background() + crossings("BGD", "KGZ-MANAS", "entry", 300, signs=24)
    # a checkpoint name written to be a spreadsheet formula and HTML
    events += [event(checkpoint="=HYPERLINK(1)<script>", codes=["LIST_STOLEN"])] * 3
    with sqlite_store(root) as store:
        load(store, events)
    for name in ("arrivals_departures", "detentions"):
        assert (
            main(
                [
                    "indicators",
                    "import",
                    "--kind",
                    name,
                    str(SOURCES / f"{name}.csv"),
                    "--events",
                    url,
                ]
            )
            == 0
        )
    out = root / "out"
    assert (
        main(
            [
                "indicators",
                "report",
                "--events",
                url,
                "--from",
                "2025-01-01",
                "--to",
                "2025-12-31",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out


def test_report_writes_every_file(report_dir: Path) -> None:
    names = {p.name for p in report_dir.iterdir()}
    for stem in ("detections_by_checkpoint_month", "fraud_type_by_nationality", "corridor_vectors"):
        assert {f"{stem}.csv", f"{stem}.json"} <= names
    assert {"report.html", "corridors.json", "corridors.csv", "route_diagram.json"} <= names


def test_corridors_json_is_a_list_strongest_first_with_explanations(report_dir: Path) -> None:
    corridors = json.loads((report_dir / "corridors.json").read_text())
    assert isinstance(corridors, list) and corridors
    assert [c["score"] for c in corridors] == sorted((c["score"] for c in corridors), reverse=True)
    top = corridors[0]
    assert top["id"] == "bgd-delhi-bishkek-kordai" and top["flagged"]
    assert isinstance(top["corridor"], list) and top["corridor"][0] == "BGD-DHAKA"
    assert top["indicators"]["fraud_any"]["documents"] == 24
    assert "24 documents" in top["explanation"]
    with (report_dir / "corridors.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == [c["id"] for c in corridors]


def test_html_is_self_contained_and_escaped(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "<script" not in html.lower() and "&lt;script&gt;" in html.lower()


def test_fraud_type_totals_count_each_screening_once(report_dir: Path) -> None:
    totals = {
        r["category"]: r["screenings"]
        for r in json.loads((report_dir / "fraud_type_totals.json").read_text())
    }
    report = json.loads((report_dir / "report.json").read_text())
    assert sum(totals.values()) == report["screenings"]
    assert totals["impostor"] == 24 + 3 + 4 * (4 + 3)  # corridor, odd checkpoint, background


def test_csv_cells_cannot_run_as_formulas(report_dir: Path) -> None:
    text = (report_dir / "detections_by_checkpoint_month.csv").read_text()
    assert "'=HYPERLINK(1)" in text
    assert not re.search(r"(^|,)\"?=HYPERLINK", text, flags=re.MULTILINE)


def test_external_sources_corroborate_the_known_corridor(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    with sqlite_store(tmp_path) as store:
        load(store, [event(time="2004-06-01T00:00:00Z")])
    assert (
        main(
            [
                "indicators",
                "import",
                "--kind",
                "arrivals_departures",
                str(SOURCES / "arrivals_departures.csv"),
                "--events",
                url,
            ]
        )
        == 0
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "indicators",
                "report",
                "--events",
                url,
                "--from",
                "2004-01-01",
                "--to",
                "2004-12-31",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    corridors = {c["id"]: c for c in json.loads((out / "corridors.json").read_text())}
    bgd = corridors["bgd-delhi-bishkek-kordai"]["indicators"]["external:arrivals_departures"]
    assert (bgd["arrivals"], bgd["departures"]) == (200, 51)
    assert bgd["strength"] > 0  # 80% arrivals against 55% for the other nationalities
    assert not corridors["bgd-delhi-bishkek-kordai"]["flagged"]  # other sources never flag alone


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.csv")), ids=lambda p: p.stem)
def test_demonstration_tables_import_cleanly_with_sources(path: Path) -> None:
    report = TableImportReport(str(path), path.stem)
    rows = read_table(path, path.stem, report)
    assert rows and not report.rejects
    assert all(row[2] for row in rows)  # every figure has its source


def test_bad_table_rows_are_reported_and_reimport_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "detentions.csv"
    path.write_text(
        "period_from,period_to,checkpoint,detentions,source\n"
        "2004-01-01,2004-12-31,Manas,179,report A\n"
        "2004-12-31,2004-01-01,Manas,3,report A\n"
        "2004-01-01,2004-12-31,Manas,-3,report A\n"
        "2004-01-01,2004-12-31,Manas,12,\n"
        "someday,2004-12-31,Manas,12,report A\n"
    )
    report = TableImportReport(str(path), "detentions")
    rows = read_table(path, "detentions", report)
    assert len(rows) == 1 and rows[0][6] == "KGZ-MANAS"
    reasons = dict(report.rejects)
    assert set(reasons) == {3, 4, 5, 6}
    assert "before" in reasons[3] and "non-negative" in reasons[4] and "source" in reasons[5]
    with sqlite_store(tmp_path) as store:
        assert store.add_source_rows(rows) == 1
        assert store.add_source_rows(rows) == 0
    assert set(table_kinds()) >= {
        "arrivals_departures",
        "visas_issued",
        "avr_cases",
        "residence_permit_prolongations",
        "detentions",
    }


def test_status_counts_events_and_tables(
    report_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{report_dir.parent / 'events.db'}"
    assert main(["indicators", "status", "--events", url, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["events"] > 10_000
    assert status["source_tables"] == {"arrivals_departures": 24, "detentions": 7}
