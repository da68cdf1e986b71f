"""Helpers for the web station tests: a station on a temporary database, accounts of
every role, and a logged-in test client (real app, real database, real sessions)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from screening.settings import Settings
from screening.web import accounts
from screening.web.app import create_app
from screening.web.config import StationConfig
from screening.web.runtime import StationRuntime
from screening.web.throttle import LoginThrottle
from tests.conftest import SCREENING_DATE

PASSWORD = "correct horse battery"
ROLES = ("officer", "supervisor", "trainer", "admin")
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def station_config(
    db_url: str, data_dir: Path, *, lists_url: str | None = None, **overrides: object
) -> StationConfig:
    settings = Settings(today=SCREENING_DATE, data_dir=data_dir, lists_url=lists_url)
    config = StationConfig(
        db_url=db_url,
        settings=settings,
        check_lists=False,
        fixed_today=True,
        station="booth-1",
        warm_up=False,
        use_viz=False,
    )
    return replace(config, **overrides)  # type: ignore[arg-type]


def open_station(config: StationConfig) -> StationRuntime:
    runtime = StationRuntime.open(config, history_key=b"test-history-key-0123456789")
    for role in ROLES:
        if accounts.get_account(runtime.db, role) is None:
            accounts.add_account(runtime.db, role, role, PASSWORD)
    return runtime


@contextmanager
def client_for(runtime: StationRuntime) -> Iterator[TestClient]:
    """A client of the app; the runtime stays open (the caller closes it)."""
    # Not entered as a context manager: no lifespan, so the runtime (shared by several
    # clients) stays open until its owner closes it.
    client = TestClient(create_app(runtime), base_url="http://127.0.0.1")
    try:
        yield client
    finally:
        client.close()


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log ``name`` in; returns the session's CSRF token."""
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/checklists/legacy").text)


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationRuntime]:
    """A station on a SQLite database (accounts of every role), its list store beside it
    (empty until a test imports a feed); no screening runs unless a test asks."""
    root = tmp_path_factory.mktemp("station")
    runtime = open_station(
        station_config(
            f"sqlite:///{root / 'station.db'}", root, lists_url=f"sqlite:///{root / 'lists.db'}"
        )
    )
    yield runtime
    runtime.close()


@pytest.fixture
def client(station: StationRuntime) -> Iterator[TestClient]:
    station.throttle = LoginThrottle(5, 900)  # each test starts with no failed logins
    with client_for(station) as c:
        yield c


@pytest.fixture(scope="module")
def sessions() -> RoleSessions:
    return RoleSessions()


class RoleSessions:
    """One login per role for a whole test module (argon2 makes each login cost real
    time on purpose); tests that end a session log in on their own."""

    def __init__(self) -> None:
        self._sessions: dict[str, tuple[str, str]] = {}

    def use(self, client: TestClient, role: str) -> str:
        """Make ``client`` the logged-in ``role``; returns the session's CSRF token."""
        from screening.web.guard import SESSION_COOKIE

        if role not in self._sessions:
            client.cookies.clear()
            csrf = log_in(client, role)
            self._sessions[role] = (client.cookies[SESSION_COOKIE], csrf)
        cookie, csrf = self._sessions[role]
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, cookie)
        return csrf
