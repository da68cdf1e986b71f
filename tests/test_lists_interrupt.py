"""Kill -9 an import half-way: the previous list version must still answer, the status
must show the interrupted version, and the next import must succeed (both backends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from benchmarks.lists_bench import generate_feed
from screening.lists import open_store
from screening.lists.importer import import_feed
from screening.lists.matcher import find_matches
from screening.lists.safeguards import NO_LIMITS
from tests.conftest import REPO
from tests.lists_helpers import BASE_ROWS, store_url_for, write_feed
from tests.pg_server import pg_schema_url, postgres_url  # noqa: F401 - fixtures

TODAY = date(2026, 11, 28)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return store_url_for(request, tmp_path)


def _helpers_reading(feed: Path) -> list[int]:
    pids = []
    for proc_dir in Path("/proc").iterdir():
        try:
            cmdline = (proc_dir / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"screening.lists.bulk" in cmdline and str(feed).encode() in cmdline:
            pids.append(int(proc_dir.name))
    return pids


def test_killed_import_leaves_previous_version_answering(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    base = import_feed(store, write_feed(tmp_path / "base.csv", BASE_ROWS))
    big = tmp_path / "big.csv"
    samples = generate_feed(big, 3_000_000, seed=11, series=10)
    state, dtype, number = samples[0]
    assert find_matches(store, state, dtype, number, today=TODAY, near=False).status == "none"

    proc = subprocess.Popen(
        [sys.executable, "-m", "screening", "lists", "import", str(big), "--lists", store_url],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            versions = store.versions()
            if versions[0].state == "staging":
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the import finished before it could be interrupted"
        time.sleep(1.0)  # let it write some chunks
        # While the import runs, the active version keeps answering.
        assert find_matches(store, "KGZ", "P", "AN1234567", today=TODAY).status == "hit"
        assert store.versions()[0].state == "staging"
        assert _helpers_reading(big), "a feed this big is parsed by a helper process"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # The feed is big enough for the parsing helper process; it must not outlive the
    # import (it dies of the broken pipe).
    deadline = time.monotonic() + 10
    while _helpers_reading(big) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _helpers_reading(big)

    reopened = open_store(store_url)
    active = reopened.active_version()
    assert active is not None and active.id == base.version
    assert find_matches(reopened, "KGZ", "P", "AN1234567", today=TODAY).status == "hit"
    assert find_matches(reopened, state, dtype, number, today=TODAY, near=False).status == "none"
    states = {v.id: v.state for v in reopened.versions()}
    assert states == {base.version: "active", base.version + 1: "interrupted"}

    again = import_feed(
        reopened, write_feed(tmp_path / "next.csv", ["KGZ,P,AB1111111,lost,,,"]), limits=NO_LIMITS
    )
    assert reopened.active_version().id == again.version  # type: ignore[union-attr]
    assert find_matches(reopened, "KGZ", "P", "AB1111111", today=TODAY).status == "hit"
    assert {v.id: v.state for v in reopened.versions()}[base.version + 1] == "failed"
    reopened.close()
    store.close()
