"""``screening users``: accounts and tokens from the command line, against the same
station database the web station uses; every change is in the audit trail."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from screening.audit import AuditLog
from screening.cli import main
from screening.db import Database
from screening.errors import ExitCode
from screening.web import accounts
from screening.web.schema import ensure_schema
from tests.pg_server import pg_schema_url, postgres_url  # noqa: F401 - fixtures

PASSWORD = "a long enough password"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'station.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_add_list_disable_token_revoke(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    assert (
        main(["users", "add", "aida", "--role", "officer", "--password-stdin", "--db", db_url]) == 0
    )
    capsys.readouterr()
    assert main(["users", "list", "--json", "--db", db_url]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(a["name"], a["role"], a["disabled"]) for a in listed] == [("aida", "officer", False)]

    assert main(["users", "token", "aida", "--db", db_url]) == 0
    token = capsys.readouterr().out.strip()
    with Database(db_url) as db:
        ensure_schema(db)
        assert accounts.account_for_token(db, token).name == "aida"  # type: ignore[union-attr]
        stored = json.dumps(db.query("SELECT * FROM api_tokens"))
        assert token not in stored  # only its hash is kept
        assert accounts.authenticate(db, "aida", PASSWORD) is not None
        assert PASSWORD not in json.dumps(db.query("SELECT * FROM accounts"))

    assert main(["users", "disable", "aida", "--db", db_url]) == 0
    with Database(db_url) as db:
        assert accounts.authenticate(db, "aida", PASSWORD) is None
        assert accounts.account_for_token(db, token) is None
    assert main(["users", "enable", "aida", "--db", db_url]) == 0
    assert main(["users", "revoke", "aida", "--db", db_url]) == 0
    with Database(db_url) as db:
        assert accounts.account_for_token(db, token) is None
        actions = [e.action for e in AuditLog(db).entries()]
    assert actions == [
        "account_add",
        "token_issue",
        "account_disable",
        "account_enable",
        "token_revoke",
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["users", "add", "x", "--role", "officer", "--password-stdin"],
            PASSWORD,
            "invalid account",
        ),
        (["users", "add", "bob", "--role", "officer", "--password-stdin"], "short", "at least"),
        (["users", "add", "bob", "--role", "officer", "--password-stdin"], "", "no password"),
        (["users", "disable", "nobody"], "", "no account"),
        (["users", "token", "nobody"], "", "no account"),
    ],
)
def test_bad_requests_are_clear_errors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    _stdin(monkeypatch, stdin + ("\n" if stdin else ""))
    code = main([*args, "--db", f"sqlite:///{tmp_path / 'station.db'}"])
    assert code == ExitCode.bad_args
    assert message in capsys.readouterr().err


def test_unknown_role_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["users", "add", "bob", "--role", "boss", "--db", f"sqlite:///{tmp_path}/s.db"])
    assert code == ExitCode.bad_args
    assert "boss" in capsys.readouterr().err


def test_duplicate_account_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    for expected in (0, ExitCode.bad_args):
        _stdin(monkeypatch, PASSWORD + "\n")
        assert (
            main(["users", "add", "bob", "--role", "admin", "--password-stdin", "--db", url])
            == expected
        )
