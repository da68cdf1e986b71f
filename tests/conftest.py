"""Shared test configuration: slow-test flag, shared real-world material, PostgreSQL."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from screening.settings import Settings

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the repository (CI lays it there; a user's clone may not have it).
SHARED = REPO.parent / "shared"
REALWORLD = SHARED / "realworld"

# In CI, property tests explore the same examples every run (a red CI must be
# reproducible); locally they keep exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# A fixed screening date: expiry tests must not depend on the day they run.
SCREENING_DATE = date(2026, 11, 28)


def pytest_configure(config: pytest.Config) -> None:
    # CLI commands write to the audit trail (screening/cli/audit_hook.py): in tests, to a
    # throwaway station database, never the user's.
    if "SCREENING_STATION_DB" not in os.environ:
        station_dir = Path(tempfile.mkdtemp(prefix="screening-test-station-"))
        os.environ["SCREENING_STATION_DB"] = f"sqlite:///{station_dir / 'station.db'}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow (make test-all)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


def realworld_dir() -> Path:
    """The shared real-world conformance set, or a skip (a failure in CI) when absent."""
    if REALWORLD.is_dir():
        return REALWORLD
    if os.environ.get("SCREENING_REQUIRE_REALWORLD") == "1":
        pytest.fail(f"{REALWORLD} is missing but SCREENING_REQUIRE_REALWORLD=1")
    pytest.skip(f"real-world conformance set not found at {REALWORLD} (../shared is absent)")


@pytest.fixture
def settings() -> Settings:
    return Settings(today=SCREENING_DATE)


@pytest.fixture(autouse=True, scope="session")
def _private_event_store(tmp_path_factory: pytest.TempPathFactory):
    """Screenings run by the tests record their indicator events into a private store
    and key, never the user's (recording is on by default)."""
    root = tmp_path_factory.mktemp("indicator-events")
    names = ("SCREENING_EVENTS_URL", "SCREENING_CONFIG_DIR")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["SCREENING_EVENTS_URL"] = f"sqlite:///{root / 'events.db'}"
    os.environ["SCREENING_CONFIG_DIR"] = str(root / "config")
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
