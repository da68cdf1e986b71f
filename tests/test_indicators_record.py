"""Recording from ``scan``: on by default, where the configuration says, never failing
or losing a screening when the event store is unavailable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from screening.cli import main
from screening.indicators.config import RecordingConfig
from screening.indicators.store import open_event_store
from screening.settings import Settings
from tests.conftest import REPO

SAMPLE = REPO / "fixtures" / "samples" / "td1-kaz-clean.png"
FAST = ["--json", "--today", "2026-11-28", "--no-viz", "--no-lists"]


@pytest.fixture
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCREENING_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("SCREENING_EVENTS_URL", "SCREENING_CHECKPOINT", "SCREENING_DIRECTION"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def blank(tmp_path: Path) -> Path:
    path = tmp_path / "blank.png"
    Image.fromarray(np.full((400, 600, 3), 235, np.uint8)).save(path)
    return path


def events_in(url: str) -> list[dict]:
    with open_event_store(url) as store:
        rows = store._execute(
            "SELECT checkpoint, direction, nationality, codes, doc_hash, "
            "verdict, source FROM events"
        )
    keys = ("checkpoint", "direction", "nationality", "codes", "doc_hash", "verdict", "source")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def test_scan_records_one_event_per_document_by_default(
    private_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["scan", *FAST, "--checkpoint", "manas", "--direction", "exit", str(SAMPLE)])
    out = capsys.readouterr()
    assert code == 0 and "warning" not in out.err
    record = json.loads(out.out)
    url = f"sqlite:///{private_dirs / 'data' / 'events.db'}"
    (event,) = events_in(url)
    assert (event["checkpoint"], event["direction"], event["source"]) == (
        "KGZ-MANAS",
        "exit",
        "scan",
    )
    assert event["nationality"] == record["document"]["fields"]["nationality"]
    assert event["codes"].split() == sorted({f["code"] for f in record["findings"]})
    assert event["doc_hash"] and record["document"]["fields"]["document_number"] not in json.dumps(
        event
    )
    assert (private_dirs / "config" / "events.key").stat().st_mode & 0o077 == 0


def test_no_events_records_nothing(private_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", *FAST, "--no-events", str(blank(private_dirs))]) == 0
    assert not (private_dirs / "data" / "events.db").exists()


def test_an_unavailable_store_is_a_warning_and_the_event_is_spooled(
    private_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = blank(private_dirs)
    down = "postgresql://nobody@127.0.0.1:1/events"
    code = main(["scan", *FAST, "--events", down, str(image), str(image)])
    out = capsys.readouterr()
    assert code == 0
    assert len(out.out.splitlines()) == 2  # both screenings printed
    assert out.err.count("event store unavailable") == 1
    spool = private_dirs / "data" / "events-spool.jsonl"
    assert len(spool.read_text().splitlines()) == 2
    url = f"sqlite:///{private_dirs / 'later.db'}"
    for _ in range(2):  # importing the spool twice stores each event once
        assert main(["indicators", "import-events", str(spool), "--events", url]) == 0
    assert len(events_in(url)) == 2


def test_option_beats_environment_beats_config_file(
    private_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (private_dirs / "config").mkdir()
    (private_dirs / "config" / "indicators.toml").write_text(
        'checkpoint = "Osh airport"\ndirection = "exit"\nevents = "sqlite:///from-file.db"\n'
    )
    settings = Settings()
    from_file = RecordingConfig.resolve(settings)
    assert (from_file.checkpoint, from_file.direction) == ("KGZ-OSH-AIRPORT", "exit")
    assert from_file.events_url == "sqlite:///from-file.db"
    monkeypatch.setenv("SCREENING_CHECKPOINT", "Dostuk")
    monkeypatch.setenv("SCREENING_EVENTS_URL", "sqlite:///from-env.db")
    from_env = RecordingConfig.resolve(settings)
    assert (from_env.checkpoint, from_env.direction) == ("KGZ-DOSTUK", "exit")
    assert from_env.events_url == "sqlite:///from-env.db"
    from_option = RecordingConfig.resolve(settings, checkpoint="Torugart", direction="entry")
    assert (from_option.checkpoint, from_option.direction) == ("KGZ-TORUGART", "entry")
