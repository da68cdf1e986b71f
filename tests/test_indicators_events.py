"""Events: validation, no personal data, keyed hashes, and import-events (bad lines
reported with their number, bounded lines, idempotent re-import)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from screening.indicators.event import EventError, parse_event
from screening.indicators.import_events import MAX_LINE_BYTES, import_events
from screening.indicators.record import RecordingContext, event_from_report
from tests.indicators_helpers import event, sqlite_store

KEY = b"k" * 32


def test_a_valid_event_is_normalised() -> None:
    e = parse_event(
        event(
            checkpoint="manas",
            direction="ENTRY",
            route=["Delhi", "Bishkek", "Kordai"],
            time="2025-03-10T10:00:00+05:00",
            codes=["list_stolen", "LIST_STOLEN"],
        ),
        key=None,
    )
    assert e.checkpoint == "KGZ-MANAS"
    assert e.direction == "entry"
    assert e.route == ("IND-DELHI-AIRPORT", "KGZ-MANAS", "KAZ-KORDAI")
    assert e.time == datetime(2025, 3, 10, 5, 0, tzinfo=UTC)
    assert e.codes == ("LIST_STOLEN",)
    assert e.list_hits == ("LIST_STOLEN",)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"time": "yesterday"}, "ISO 8601"),
        ({"direction": "sideways"}, "entry or exit"),
        ({"verdict": "maybe"}, "clear, refer or alert"),
        ({"nationality": "K9Z"}, "nationality"),
        ({"codes": "not a list!"}, "finding codes"),
        ({"codes": [1, 2]}, "finding codes"),
        ({"route": ["A>B"]}, "route"),
        ({"checkpoint": "X" * 65}, "longer than"),
        ({"document_number": "AB123"}, "events key"),
    ],
)
def test_invalid_events_are_refused_with_a_reason(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(EventError, match=reason):
        parse_event(event(**change), key=None)


def test_missing_required_keys_are_named() -> None:
    obj = event()
    del obj["verdict"], obj["codes"]
    with pytest.raises(EventError, match="missing verdict, codes"):
        parse_event(obj, key=None)


def test_a_document_number_is_kept_only_as_a_keyed_hash() -> None:
    e = parse_event(event(document_number="AB1234567"), key=KEY)
    other = parse_event(event(document_number="AB1234567"), key=b"x" * 32)
    assert e.doc_hash and "AB1234567" not in json.dumps(e.to_dict())
    assert e.doc_hash != other.doc_hash  # another installation's key, another hash


def scan_report() -> dict[str, Any]:
    return {
        "file": "/scans/IVANOV_IVAN_passport.jpg",
        "verdict": "alert",
        "document": {
            "format": "TD3",
            "mrz_lines": ["P<KGZIVANOV<<IVAN<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "..."],
            "fields": {
                "issuing_country": "KGZ",
                "nationality": "KGZ",
                "document_type": "P",
                "document_number": "AC1234567",
                "surname": "IVANOV",
                "given_names": "IVAN",
                "birth_date": "1980-01-01",
            },
            "edition": {"id": "KGZ-2004", "confidence": 0.9},
        },
        "findings": [{"code": "LIST_STOLEN"}, {"code": "MRZ_OCR_CORRECTED"}],
    }


def test_a_scan_report_becomes_an_event_without_personal_data() -> None:
    context = RecordingContext("KGZ-MANAS", "exit", "scan", datetime(2025, 5, 1, tzinfo=UTC))
    e = event_from_report(scan_report(), context, key=KEY)
    assert e is not None
    text = json.dumps(e.to_dict())
    for personal in ("IVANOV", "IVAN", "1980", "AC1234567", "passport.jpg"):
        assert personal not in text
    assert (e.nationality, e.edition, e.verdict) == ("KGZ", "KGZ-2004", "alert")
    assert e.codes == ("LIST_STOLEN", "MRZ_OCR_CORRECTED")
    assert e.list_hits == ("LIST_STOLEN",)
    assert e.doc_hash is not None


def test_a_booklet_report_records_its_route_and_an_error_records_nothing() -> None:
    report = scan_report() | {
        "route": {
            "events": [
                {"checkpoint": "KGZ-MANAS", "country": "KGZ", "direction": "exit"},
                {"checkpoint": None, "country": "RUS", "direction": "entry"},
            ]
        }
    }
    context = RecordingContext("KGZ-MANAS", "entry", "booklet")
    e = event_from_report(report, context, key=None)
    assert e is not None and e.route == ("KGZ-MANAS", "RUS")
    assert e.doc_hash is None  # no key, no number kept
    assert (
        event_from_report({"file": "x", "verdict": None, "error": "bad"}, context, key=None) is None
    )


def _write(path: Path, lines: list[str | bytes]) -> Path:
    with path.open("wb") as handle:
        for line in lines:
            handle.write((line.encode() if isinstance(line, str) else line) + b"\n")
    return path


def test_import_reports_bad_lines_and_stores_the_rest(tmp_path: Path) -> None:
    good = json.dumps(event())
    path = _write(
        tmp_path / "e.jsonl",
        [
            good,
            "{not json",
            json.dumps(event(verdict="no")),
            "",
            b"\xff\xfe",
            "x" * (MAX_LINE_BYTES + 10),
            good,
            json.dumps([1, 2]),
        ],
    )
    with sqlite_store(tmp_path) as store:
        report = import_events(store, path, key=None)
        assert store.status()["events"] == 2  # two identical lines: two events
    assert (report.valid, report.stored, report.rejected) == (2, 2, 5)
    reasons = dict(report.rejects)
    assert set(reasons) == {2, 3, 5, 6, 8}
    assert "not JSON" in reasons[2] and "verdict" in reasons[3]
    assert "UTF-8" in reasons[5] and "longer than" in reasons[6]


def test_reimporting_a_file_does_not_double_count(tmp_path: Path) -> None:
    lines = [json.dumps(event(time=f"2025-03-{d:02d}T08:00:00Z")) for d in range(1, 21)]
    lines.append(json.dumps(event(event_id="gate-7/42")))
    path = _write(tmp_path / "e.jsonl", lines)
    with sqlite_store(tmp_path) as store:
        first = import_events(store, path, key=None)
        second = import_events(store, path, key=None)
        assert store.status()["events"] == 21
    assert (first.stored, second.stored, second.duplicates) == (21, 0, 21)


def test_a_file_with_no_valid_line_is_a_rejected_import(tmp_path: Path) -> None:
    from screening.cli import main

    path = _write(tmp_path / "bad.jsonl", ["{", "[]"])
    assert (
        main(
            ["indicators", "import-events", str(path), "--events", f"sqlite:///{tmp_path / 'e.db'}"]
        )
        == 6
    )
