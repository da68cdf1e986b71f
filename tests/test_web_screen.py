"""Screening through the web station: the result page and its JSON, the history without
personal data, retention, the API, and the upload limits (real screening pipeline on
bundled synthetic specimens; two scans in the whole module)."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from screening.errors import InputFileError
from screening.pipeline import ScanReport
from screening.report.overlay import overlay_boxes
from screening.web import accounts, history
from screening.web.runtime import StationRuntime
from screening.web.screener import check_pixels
from tests.web_support import SAMPLES, RoleSessions, client_for, open_station, station_config

FORGED = SAMPLES / "td3-kgz-clean-viz-surname-shifted.png"
FORGED_TRUTH = json.loads(FORGED.with_suffix(".json").read_text("utf-8"))


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationRuntime]:
    root = tmp_path_factory.mktemp("station")
    runtime = open_station(station_config(f"sqlite:///{root / 'station.db'}", root, use_viz=True))
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def sessions() -> RoleSessions:
    return RoleSessions()


@pytest.fixture(scope="module")
def screened(station: StationRuntime, sessions: RoleSessions) -> dict[str, object]:
    """One upload through the browser flow: the redirect, the result page, its JSON."""
    with client_for(station) as client:
        csrf = sessions.use(client, "officer")
        with FORGED.open("rb") as fh:
            posted = client.post(
                "/screen",
                data={"csrf_token": csrf},
                files={"file": (FORGED.name, fh, "image/png")},
                follow_redirects=False,
            )
        location = posted.headers["location"]
        first = client.get(location)
        second = client.get(location + ".json")
        return {"posted": posted, "location": location, "first": first, "second": second}


def test_upload_redirects_to_the_result(screened: dict) -> None:
    assert screened["posted"].status_code == 303
    assert screened["location"].startswith("/screenings/")


def test_result_page_shows_verdict_reasons_fields_and_outlines(screened: dict) -> None:
    page = screened["first"]
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert 'class="verdict verdict-alert"' in html and ">ALERT<" in html
    assert "VIZ_MRZ_MISMATCH" in html
    # The MRZ next to the printed surname, with the disagreement said in words.
    assert FORGED_TRUTH["viz"]["surname"] in html and "DIFFERS" in html
    # The image with the MRZ box and the finding's region outlined.
    assert 'data-testid="page-overlay"' in html and 'src="data:' not in html
    assert 'class="box box-mrz"' in html and 'data-code="VIZ_MRZ_MISMATCH"' in html
    assert 'href="data:image/jpeg;base64,' in html


def test_the_result_with_personal_data_is_shown_once(screened: dict) -> None:
    record = screened["second"].json()
    assert record["personal_data"] is False
    assert record["verdict"] == "alert"
    assert "VIZ_MRZ_MISMATCH" in record["codes"]
    assert record["pages"] == 1 and "report" not in record
    text = json.dumps(record)
    assert FORGED_TRUTH["viz"]["surname"] not in text
    assert FORGED_TRUTH["spec"]["document_number"] not in text


def test_history_keeps_no_personal_data(
    screened: dict, station: StationRuntime, tmp_path_factory: pytest.TempPathFactory
) -> None:
    db_path = station.config.db_url.removeprefix("sqlite:///")
    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    for personal in (
        FORGED_TRUTH["spec"]["surname"],
        FORGED_TRUTH["viz"]["surname"],
        FORGED_TRUTH["spec"]["document_number"],
        FORGED_TRUTH["spec"]["given_names"],
    ):
        assert personal not in dump
    row = history.search(station.db, history.HistoryQuery(code="VIZ_MRZ_MISMATCH"))[0]
    assert row["number_hash"] and len(row["number_hash"]) == 24
    assert row["issuing_state"] == "KGZ" and row["format"] == "TD3"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("verdict=alert", True),
        ("verdict=clear", False),
        ("code=VIZ_MRZ_MISMATCH", True),
        ("code=LEGACY_HANDFILLED", False),
        ("from=2000-01-01&to=2999-12-31", True),
        ("to=2001-01-01", False),
    ],
)
def test_history_search(
    screened: dict, station: StationRuntime, sessions: RoleSessions, query: str, found: bool
) -> None:
    with client_for(station) as client:
        sessions.use(client, "officer")
        rows = client.get(f"/history.json?{query}").json()["screenings"]
    assert bool(rows) is found


def test_the_screening_is_in_the_audit_trail(screened: dict, station: StationRuntime) -> None:
    ref = screened["location"].rsplit("/", 1)[-1]
    entry = next(e for e in station.audit.entries(action="screen") if e.detail["ref"] == ref)
    assert entry.actor == "officer"
    assert entry.detail["verdict"] == "alert"
    assert station.audit.verify().ok


def test_another_station_does_not_see_this_history(
    screened: dict, station: StationRuntime, tmp_path: Path
) -> None:
    from dataclasses import replace

    other = StationRuntime.open(
        replace(station.config, station="booth-2"), history_key=station.history_key
    )
    try:
        with client_for(other) as client:
            RoleSessions().use(client, "officer")
            assert client.get("/history.json").json()["screenings"] == []
            ref = screened["location"].rsplit("/", 1)[-1]
            assert client.get(f"/screenings/{ref}.json").status_code == 404
            RoleSessions().use(client, "supervisor")
            assert client.get("/history.json").json()["screenings"]
    finally:
        other.db.close()


def test_api_scan_returns_the_scan_json_object_and_retention_keeps_it(
    tmp_path: Path,
) -> None:
    runtime = open_station(
        station_config(f"sqlite:///{tmp_path / 'station.db'}", tmp_path, keep_days=7)
    )
    try:
        token, _ = accounts.issue_token(runtime.db, "officer")
        with client_for(runtime) as client:
            sample = SAMPLES / "td3-kgz-clean.png"
            response = client.post(
                "/api/scan",
                headers={"authorization": f"Bearer {token}"},
                files={"file": (sample.name, sample.read_bytes(), "image/png")},
            )
            assert response.status_code == 200
            report = response.json()
            expected_keys = set(ScanReport("f", None, None, [], 0.0, {}).to_dict())
            assert expected_keys <= set(report)
            assert report["file"] == sample.name
            assert report["document"]["mrz_lines"][0].startswith("P<KGZ")
            RoleSessions().use(client, "officer")
            kept = client.get(f"/screenings/{report['screening_ref']}.json").json()
        assert kept["personal_data"] is True
        assert (
            kept["pages"][0]["report"]["document"]["mrz_lines"] == report["document"]["mrz_lines"]
        )
        # Past the retention date the personal part is gone, the record stays.
        assert history.purge_expired(runtime.db, runtime.clock() + timedelta(days=8)) == 1
        assert history.retained(runtime.db, report["screening_ref"]) == (None, None, None)
        assert history.get(runtime.db, report["screening_ref"]) is not None
    finally:
        runtime.close()


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_api_scan_of_a_file_that_is_no_image_is_a_json_error(
    station: StationRuntime,
) -> None:
    token, _ = accounts.issue_token(station.db, "officer")
    with client_for(station) as client:
        response = client.post(
            "/api/scan",
            headers={"authorization": f"Bearer {token}"},
            files={"file": ("notes.png", b"%PDF-1.4 definitely not a png", "image/png")},
        )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unreadable_image"
    assert "not a readable image" in response.json()["error"]["message"]


def test_pixel_limit_refuses_before_screening() -> None:
    with pytest.raises(InputFileError, match="too large"):
        check_pixels(_png(5000, 5000), 20_000_000)
    assert check_pixels(_png(400, 300), 20_000_000) == (400, 300)


def test_upload_size_limit(station: StationRuntime, sessions: RoleSessions) -> None:
    from dataclasses import replace

    small = StationRuntime.open(
        replace(station.config, max_upload_bytes=1000), history_key=station.history_key
    )
    try:
        with client_for(small) as client:
            csrf = sessions.use(client, "officer")
            response = client.post(
                "/screen",
                data={"csrf_token": csrf},
                files={"file": ("big.png", _png(400, 400) + b"\0" * 2000, "image/png")},
                headers={"accept": "application/json"},
            )
    finally:
        small.db.close()
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_overlay_outlines_mrz_photo_and_every_evidence_region() -> None:
    report = {
        "mrz_region": {"box": [10, 200, 300, 40]},
        "findings": [
            {"code": "VIZ_MRZ_MISMATCH", "severity": "alert", "evidence": {"region": [5, 6, 7, 8]}},
            {
                "code": "LEGACY_HANDFILLED",
                "severity": "warning",
                "evidence": {
                    "region": [1, 2, 3, 4],
                    "handwritten_regions": [{"region": [1, 2, 3, 4]}, {"region": [9, 9, 9, 9]}],
                },
            },
            {"code": "LIST_NOT_CHECKED", "severity": "warning", "evidence": {"field": "x"}},
        ],
    }
    boxes = [b.to_dict() for b in overlay_boxes(report, (20, 30, 40, 50))]
    assert boxes == [
        {"region": [10, 200, 300, 40], "kind": "mrz", "label": "MRZ", "code": None},
        {"region": [20, 30, 40, 50], "kind": "photo", "label": "photo", "code": None},
        {"region": [5, 6, 7, 8], "kind": "alert", "label": "1", "code": "VIZ_MRZ_MISMATCH"},
        {"region": [1, 2, 3, 4], "kind": "warning", "label": "2", "code": "LEGACY_HANDFILLED"},
        {"region": [9, 9, 9, 9], "kind": "warning", "label": "2", "code": "LEGACY_HANDFILLED"},
    ]


def test_several_pages_are_screened_as_one_booklet(
    station: StationRuntime, sessions: RoleSessions
) -> None:
    pytest.importorskip("screening.booklet")
    pages = [SAMPLES / "td3-kgz-clean.png", SAMPLES / "td3-kgz-mild-no-mrz.jpg"]
    with client_for(station) as client:
        csrf = sessions.use(client, "officer")
        response = client.post(
            "/screen",
            data={"csrf_token": csrf},
            files=[("file", (p.name, p.read_bytes(), "image/png")) for p in pages],
            headers={"accept": "application/json"},
        )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["kind"] == "booklet"
    booklet = data["booklet"]
    assert booklet["report"]["document"]["mrz_lines"][0].startswith("P<KGZ")
    assert [s["file"] for s in booklet["sources"]] == [p.name for p in pages]
    # Every uploaded picture shows its page outlined; the reasons are the booklet's.
    for source in booklet["sources"]:
        assert any(box["kind"] == "page" for box in source["overlay"])
    assert data["verdict"] == booklet["report"]["verdict"]
    assert [i["code"] for i in booklet["checklist"]] == [
        f["code"] for f in booklet["report"]["findings"]
    ]
    row = history.get(station.db, data["ref"])
    assert row is not None and row["pages"] == len(booklet["pages"])
