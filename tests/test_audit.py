"""The hash-chained audit trail: appends, verification, tampering detected (edited,
deleted, reordered, truncated), on SQLite and on a real PostgreSQL server; the
``audit`` commands; the CLI's own entries and its warning when the trail is down."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.audit import AuditLog
from screening.audit.chain import GENESIS, entry_hash, verify_chain
from screening.cli import main
from screening.db import Database
from screening.errors import ExitCode
from tests.pg_server import pg_schema_url, postgres_url  # noqa: F401 - fixtures


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'station.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def log(db_url: str) -> Iterator[AuditLog]:
    db = Database(db_url)
    audit = AuditLog(db)
    for i, action in enumerate(["login", "screen", "screen", "lists_import", "logout"]):
        audit.append(f"user{i % 2}", action, {"n": i, "note": "Ünïcode ✓"})
    yield audit
    db.close()


def test_an_untouched_log_verifies(log: AuditLog) -> None:
    check = log.verify()
    assert check.ok and check.entries == 5 and check.first_bad is None
    entries = list(log.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert check.head_hash == entries[-1].hash


@pytest.mark.parametrize(
    ("tamper", "first_bad", "reason"),
    [
        ("UPDATE audit_log SET detail = '{\"n\":99}' WHERE seq = 3", 3, "altered"),
        ("UPDATE audit_log SET actor = 'someone' WHERE seq = 2", 2, "altered"),
        ("UPDATE audit_log SET time = '2020-01-01T00:00:00Z' WHERE seq = 4", 4, "altered"),
        ("DELETE FROM audit_log WHERE seq = 2", 2, "missing"),
        ("DELETE FROM audit_log WHERE seq >= 4", 4, "deleted"),
        ("UPDATE audit_log SET seq = seq + 10 WHERE seq = 1", 1, "missing"),
    ],
    ids=["detail", "actor", "time", "delete-middle", "truncate-tail", "renumber"],
)
def test_tampering_is_detected_at_the_first_bad_entry(
    log: AuditLog, tamper: str, first_bad: int, reason: str
) -> None:
    log.db.execute(tamper)
    check = log.verify()
    assert not check.ok
    assert check.first_bad == first_bad
    assert reason in (check.reason or "")


def test_a_rebuilt_entry_without_its_successors_is_detected(log: AuditLog) -> None:
    # Someone recomputes entry 3's own hash after editing it: entry 4 no longer follows.
    row = log.db.query_one(
        "SELECT seq, time, actor, action, prev_hash FROM audit_log WHERE seq = 3"
    )
    assert row is not None
    forged = entry_hash(row[4], 3, row[1], row[2], row[3], '{"n":2,"note":"changed"}')
    log.db.execute(
        "UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 3",
        ('{"n":2,"note":"changed"}', forged),
    )
    check = log.verify()
    assert not check.ok and check.first_bad == 4


def test_verify_chain_of_nothing_is_ok() -> None:
    assert verify_chain([], None).ok


def test_audit_verify_command_fails_on_a_tampered_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    with Database(url) as db:
        audit = AuditLog(db)
        for i in range(3):
            audit.append("clerk", "screen", {"i": i})
    assert main(["audit", "verify", "--db", url]) == 0
    assert "3 entries" in capsys.readouterr().out
    with Database(url) as db:
        db.execute("UPDATE audit_log SET action = 'nothing' WHERE seq = 2")
    assert main(["audit", "verify", "--db", url]) == ExitCode.audit_broken
    err = capsys.readouterr().err
    assert "entry 2" in err


def test_audit_list_json_prints_one_entry_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    with Database(url) as db:
        audit = AuditLog(db)
        audit.append("clerk", "login", {"address": "127.0.0.1"})
        audit.append("clerk", "screen", {"verdict": "clear"})
    assert main(["audit", "list", "--json", "--db", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["action"] for e in entries] == ["login", "screen"]
    assert {"time", "actor", "action", "detail"} <= set(entries[0])
    assert entries[1]["detail"] == {"verdict": "clear"}


def _scan(sample: Path, db_url: str) -> int:
    args = ["scan", "--json", "--no-viz", "--no-lists", "--today", "2026-11-28"]
    return main([*args, "--db", db_url, str(sample)])


def test_cli_scan_writes_to_the_audit_trail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.web_support import SAMPLES

    url = f"sqlite:///{tmp_path / 'station.db'}"
    sample = SAMPLES / "td3-kgz-clean.png"
    code = _scan(sample, url)
    assert code == 0
    with Database(url) as db:
        entries = list(AuditLog(db).entries())
    assert [e.action for e in entries] == ["scan"]
    detail = entries[0].detail
    assert detail["via"] == "cli" and detail["verdict"] == "clear"
    assert len(detail["file_sha256"]) == 32
    # No personal data in the trail: neither the file name nor the document number.
    assert sample.name not in json.dumps(detail)


def test_an_unavailable_audit_trail_is_said_on_stderr_and_loses_no_screening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.web_support import SAMPLES

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database directory should be")
    url = f"sqlite:///{blocker / 'station.db'}"
    sample = SAMPLES / "td3-kgz-clean.png"
    code = _scan(sample, url)
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["verdict"] == "clear"
    assert "audit trail unavailable" in captured.err and "not on record" in captured.err


def test_cli_batch_writes_one_entry_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from tests.web_support import SAMPLES

    url = f"sqlite:///{tmp_path / 'station.db'}"
    monkeypatch.setenv("SCREENING_STATION_DB", url)
    inputs = tmp_path / "seized"
    inputs.mkdir()
    shutil.copy(SAMPLES / "td3-kgz-clean.png", inputs / "a.png")
    args = ["batch", str(inputs), "--out", str(tmp_path / "out"), "--no-lists", "--no-viz"]
    assert main([*args, "--today", "2026-11-28", "--workers", "0", "--quiet"]) == 0
    with Database(url) as db:
        entries = list(AuditLog(db).entries())
    assert [e.action for e in entries] == ["batch"]
    assert entries[0].detail["inputs"] == 1 and entries[0].detail["complete"] is True
