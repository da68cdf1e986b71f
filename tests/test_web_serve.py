"""``screening serve`` as a user starts it: a real process on a loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from screening.cli import main
from screening.db import Database
from screening.errors import ExitCode
from screening.web import accounts
from screening.web.schema import ensure_schema


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_refuses_to_start_without_accounts(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["serve", "--db", f"sqlite:///{tmp_path / 'station.db'}", "--no-lists"])
    assert code == ExitCode.bad_args
    assert "screening users add" in capsys.readouterr().err


def test_serve_listens_on_loopback_and_stops_on_interrupt(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    with Database(url) as db:
        ensure_schema(db)
        accounts.add_account(db, "chief", "admin", "a long enough password")
    port = _free_port()
    env = {**os.environ, "SCREENING_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "screening",
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--no-lists",
            "--no-warm-up",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    body = r.read().decode()
                    headers = r.headers
                break
            except OSError:
                time.sleep(0.2)
        assert 'name="username"' in body and 'name="password"' in body
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in out
    # The history key was created beside the data, readable by the owner only.
    assert (tmp_path / "station.key").stat().st_mode & 0o077 == 0
