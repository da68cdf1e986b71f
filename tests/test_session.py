"""The full screening session: image stages, then lost/stolen lists and editions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from screening.lists import open_store
from screening.lists.importer import import_feed
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings
from tests.conftest import REPO, SCREENING_DATE

SAMPLES = REPO / "fixtures" / "samples"


@pytest.fixture
def listed_store(tmp_path: Path) -> str:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "issuing_state,document_type,document_number,status,number_to\n"
        "TJK,P,421163173,stolen,\n"  # td3-tjk-mild
        "UZB,I,AD1585000,stolen_blank,AD1585999\n"  # td2-uzb-clean (AD1585831)
        "PAK,P,NH7544084,lost,\n",  # one digit from td3-pak-hard (NH7544004)
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'lists.db'}"
    store = open_store(url)
    try:
        import_feed(store, feed)
    finally:
        store.close()
    return url


@pytest.mark.parametrize(
    ("sample", "code", "verdict"),
    [
        ("td3-tjk-mild.jpg", "LIST_STOLEN", "alert"),
        ("td2-uzb-clean.png", "LIST_STOLEN_BLANK_SERIES", "alert"),
        ("td3-pak-hard.jpg", "LIST_POSSIBLE_MATCH", "refer"),
    ],
)
def test_list_hits_reach_the_verdict(
    listed_store: str, sample: str, code: str, verdict: str
) -> None:
    settings = Settings(today=SCREENING_DATE, lists_url=listed_store)
    with ScreeningSession.open(settings) as session:
        report = session.scan(SAMPLES / sample).to_dict()
    assert code in {f["code"] for f in report["findings"]}
    assert report["verdict"] == verdict
    assert report["lists"]["versions_checked"], "every screening records the list versions"
    assert "edition" in report["document"]  # id may be None: no known edition


def test_unlisted_document_is_clear_and_records_the_version(listed_store: str) -> None:
    settings = Settings(today=SCREENING_DATE, lists_url=listed_store)
    with ScreeningSession.open(settings) as session:
        report = session.scan(SAMPLES / "td3-kgz-clean.png").to_dict()
    assert report["lists"]["status"] == "none"
    assert report["lists"]["versions_checked"]
    assert not any(f["code"].startswith("LIST_") for f in report["findings"])


def test_missing_list_store_is_said_not_hidden(tmp_path: Path) -> None:
    settings = Settings(today=SCREENING_DATE, lists_url=f"sqlite:///{tmp_path / 'none.db'}")
    with ScreeningSession.open(settings) as session:
        report = session.scan(SAMPLES / "td3-kgz-clean.png").to_dict()
    assert "LIST_NOT_CHECKED" in {f["code"] for f in report["findings"]}
    assert report["verdict"] == "refer"


def test_lists_can_be_switched_off(tmp_path: Path) -> None:
    settings = Settings(today=SCREENING_DATE, lists_url=f"sqlite:///{tmp_path / 'none.db'}")
    options = SessionOptions(check_lists=False)
    with ScreeningSession.open(settings, options=options) as session:
        report = session.scan(SAMPLES / "td3-kgz-clean.png").to_dict()
    assert "lists" not in report
    assert report["verdict"] == "clear"


def test_demo_command_screens_every_sample(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "screening", "demo", "--lists", f"sqlite:///{tmp_path / 'd.db'}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    images = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".png", ".jpg"))
    for name in images:
        assert name in result.stdout
    rows = {
        line.split()[2]: line.split()[0]
        for line in result.stdout.splitlines()
        if line.split() and line.split()[0] in ("CLEAR", "REFER", "ALERT")
    }
    assert rows["td3-tjk-mild.jpg"] == "ALERT"  # on the demo list as stolen
    assert rows["td3-ind-mild-wrong-composite.jpg"] == "ALERT"
    assert rows["td3-kgz-clean.png"] == "CLEAR"
    truth = json.loads((SAMPLES / "td3-kgz-hard-no-mrz.json").read_text("utf-8"))
    assert truth["expected"]["mrz_present"] is False
    assert rows["td3-kgz-hard-no-mrz.jpg"] in ("REFER", "ALERT")


@pytest.mark.parametrize("sample", ["kgz1994-handfilled-scan.jpg", "kgz1994-handfilled-phone.jpg"])
def test_hand_filled_1994_page_is_flagged_with_its_edition(tmp_path: Path, sample: str) -> None:
    settings = Settings(today=SCREENING_DATE, lists_url=f"sqlite:///{tmp_path / 'none.db'}")
    with ScreeningSession.open(settings) as session:
        report = session.scan(SAMPLES / sample).to_dict()
    codes = {f["code"] for f in report["findings"]}
    assert {"LEGACY_HANDFILLED", "LEGACY_NOT_ICAO", "EDITION_WITHDRAWN"} <= codes
    assert report["document"] is None  # no MRZ was read
    assert report["edition"]["id"] == "KGZ-P-1994"
    assert report["verdict"] == "alert"
