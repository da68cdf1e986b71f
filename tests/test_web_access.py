"""Access control of the web station: anonymous requests, roles, CSRF, sessions, API
tokens, login throttling, the JSON error shape and the security headers (real app,
real SQLite station database; no screening runs here)."""

# ruff: noqa: F811 - the fixtures imported from tests.web_support are parameters here

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from screening.web import accounts
from screening.web.app import ROUTES
from screening.web.guard import ANY, PUBLIC
from screening.web.roles import Role, may
from screening.web.runtime import StationRuntime
from screening.web.throttle import LoginThrottle
from tests.web_support import (  # noqa: F401 - station, client, sessions: fixtures
    PASSWORD,
    RoleSessions,
    client,
    csrf_of,
    log_in,
    sessions,
    station,
)


def _concrete(path: str) -> str:
    return re.sub(
        r"\{[^}]+\}",
        lambda m: {"{name}": "officer", "{action}": "disable"}.get(m.group(0), "x"),
        path,
    )


PROTECTED = [(path, methods[0], perm) for path, _, methods, perm in ROUTES if perm != PUBLIC]


@pytest.mark.parametrize(("path", "method", "permission"), PROTECTED)
@pytest.mark.parametrize("as_json", [False, True], ids=["html", "json"])
def test_every_route_refuses_an_anonymous_request(
    client: TestClient, path: str, method: str, permission: str, as_json: bool
) -> None:
    headers = {"accept": "application/json"} if as_json else {}
    response = client.request(method, _concrete(path), headers=headers, follow_redirects=False)
    if method == "GET" and not as_json and not path.startswith("/api/"):
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    else:
        assert response.status_code == 401
        if as_json or path.startswith("/api/"):
            assert response.json()["error"]["code"] == "unauthenticated"
        else:
            assert "Log in first" in response.text


def _denied(role: str) -> list[tuple[str, str, str]]:
    return [
        (path, method, perm)
        for path, method, perm in PROTECTED
        if perm not in (ANY,) and not may(Role(role), perm)
    ]


@pytest.mark.parametrize(("path", "method", "permission"), _denied("officer"))
def test_an_officer_cannot_reach_supervisor_or_admin_routes(
    client: TestClient, sessions: RoleSessions, path: str, method: str, permission: str
) -> None:
    csrf = sessions.use(client, "officer")
    response = client.request(
        method,
        _concrete(path),
        headers={"accept": "application/json", "x-csrf-token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert response.json()["error"] == {
        "status": 403,
        "code": "forbidden",
        "message": "Your role does not give access to this page.",
    }


def test_the_officer_is_denied_every_admin_and_supervisor_page() -> None:
    denied = {path for path, _, _ in _denied("officer")}
    assert {"/admin/accounts", "/admin/lists", "/lists", "/indicators", "/audit"} <= denied


@pytest.mark.parametrize("role", ["officer", "supervisor", "trainer", "admin"])
def test_each_role_reaches_its_own_pages(
    client: TestClient, sessions: RoleSessions, role: str
) -> None:
    sessions.use(client, role)
    for path, _, methods, perm in ROUTES:
        if methods[0] != "GET" or "{" in path or perm in (PUBLIC, ANY):
            continue
        response = client.get(path, headers={"accept": "application/json"})
        expected = 200 if may(Role(role), perm) else 403
        assert response.status_code == expected, (role, path)


@pytest.mark.parametrize(
    "token", [None, "forged-token-value-0123456789"], ids=["missing", "forged"]
)
def test_a_missing_or_forged_csrf_token_is_refused(
    client: TestClient, sessions: RoleSessions, token: str | None
) -> None:
    sessions.use(client, "admin")
    data = {"username": "newbie", "role": "officer", "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = client.post("/admin/accounts", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "security token" in response.text
    assert accounts.get_account(client.app.state.station.db, "newbie") is None


def test_the_right_csrf_token_is_accepted(
    client: TestClient, sessions: RoleSessions, station: StationRuntime
) -> None:
    csrf = sessions.use(client, "admin")
    response = client.post(
        "/admin/accounts",
        data={"username": "newbie2", "role": "officer", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert accounts.get_account(station.db, "newbie2") is not None
    assert next(station.audit.entries(action="account_add", newest_first=True)).detail == {
        "account": "newbie2",
        "role": "officer",
    }


def test_the_login_form_needs_its_own_csrf_token(client: TestClient) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"username": "officer", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403


def test_failed_logins_are_rate_limited_and_audited(
    client: TestClient, station: StationRuntime
) -> None:
    station.throttle = LoginThrottle(3, 900)
    token = csrf_of(client.get("/login").text)
    statuses = [
        client.post(
            "/login", data={"username": "trainer", "password": "wrong", "csrf_token": token}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [401] * 3 + [429]
    # Even the right password waits now.
    refused = client.post(
        "/login",
        data={"username": "trainer", "password": PASSWORD, "csrf_token": token},
        headers={"accept": "application/json"},
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["error"]["code"] == "too_many_attempts"
    failed = [e for e in station.audit.entries(action="login_failed") if e.actor == "trainer"]
    assert len(failed) >= 3


def test_a_session_ends_after_idle_time(client: TestClient, station: StationRuntime) -> None:
    log_in(client, "officer")
    assert client.get("/history", follow_redirects=False).status_code == 200
    real_clock = station.clock
    station.clock = lambda: real_clock() + station.config.sessions.idle + timedelta(seconds=1)
    try:
        assert client.get("/history", follow_redirects=False).status_code == 303
    finally:
        station.clock = real_clock


def test_logout_ends_the_session(client: TestClient) -> None:
    csrf = log_in(client, "officer")
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    assert client.get("/history", follow_redirects=False).status_code == 303


def test_disabling_an_account_ends_its_sessions(
    client: TestClient, station: StationRuntime
) -> None:
    accounts.add_account(station.db, "shortlived", "officer", PASSWORD)
    log_in(client, "shortlived")
    accounts.set_disabled(station.db, "shortlived", True)
    assert client.get("/history", follow_redirects=False).status_code == 303


def test_api_tokens_work_on_api_routes_only_and_can_be_revoked(
    client: TestClient, station: StationRuntime
) -> None:
    token, _ = accounts.issue_token(station.db, "supervisor")
    bearer = {"authorization": f"Bearer {token}"}
    assert client.get("/api/history", headers=bearer).status_code == 200
    # Not on browser pages: a token is for tools.
    assert (
        client.get("/history", headers={**bearer, "accept": "application/json"}).status_code == 401
    )
    accounts.revoke_tokens(station.db, "supervisor")
    assert client.get("/api/history", headers=bearer).status_code == 401


def test_a_token_skips_csrf_but_a_session_on_api_does_not(
    client: TestClient, sessions: RoleSessions
) -> None:
    sessions.use(client, "officer")
    response = client.post("/api/scan", files={"file": ("x.png", b"not an image")})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"


@pytest.mark.parametrize("path", ["/no/such/page", "/history.json?verdict=maybe"])
def test_one_json_error_shape(client: TestClient, sessions: RoleSessions, path: str) -> None:
    sessions.use(client, "officer")
    response = client.get(path, headers={"accept": "application/json"})
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == response.status_code >= 400


def test_json_suffix_and_accept_header_give_the_same_data(
    client: TestClient, sessions: RoleSessions
) -> None:
    sessions.use(client, "officer")
    by_suffix = client.get("/checklists/legacy.json").json()
    by_header = client.get("/checklists/legacy", headers={"accept": "application/json"}).json()
    assert by_suffix == by_header
    assert by_suffix["checklist"] == "legacy" and len(by_suffix["items"]) >= 5


def test_security_headers_on_every_page(client: TestClient) -> None:
    for response in (client.get("/login"), client.get("/static/station.css")):
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert client.get("/login").headers["cache-control"] == "no-store"


def test_no_inline_scripts_or_styles_in_templates() -> None:
    templates = Path(__file__).resolve().parents[1] / "screening" / "web" / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert " style=" not in text and "<style" not in text, template.name
        assert not re.search(r"\son[a-z]+=", text), template.name


def test_oversized_request_is_refused_before_parsing(client: TestClient) -> None:
    limit = client.app.state.station.config.max_request_bytes
    response = client.post("/screen", content=b"x", headers={"content-length": str(limit + 1)})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    ("accept", "query", "expected"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.5", "", "Вход"),
        ("en-US", "?lang=ru", "Вход"),
        ("ru", "?lang=en", "Log in"),
    ],
)
def test_language_from_query_or_browser(
    client: TestClient, accept: str, query: str, expected: str
) -> None:
    page = client.get(f"/login{query}", headers={"accept-language": accept})
    assert f"<h1>{expected}</h1>" in page.text


def test_a_broken_station_database_is_a_503_in_the_error_shape(
    client: TestClient, sessions: RoleSessions, station: StationRuntime, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from screening.errors import StationDbError
    from screening.web.views import records

    sessions.use(client, "officer")

    def broken(*args: object, **kwargs: object) -> None:
        raise StationDbError("station database: disk I/O error")

    monkeypatch.setattr(records.history, "search", broken)
    response = client.get("/history.json")
    assert response.status_code == 503
    assert response.json()["error"] == {
        "status": 503,
        "code": "unavailable",
        "message": "station database: disk I/O error",
    }


@pytest.mark.parametrize(
    ("host", "status"),
    [("127.0.0.1:8080", 200), ("localhost", 200), ("[::1]:8080", 200), ("evil.example", 400)],
)
def test_only_the_station_host_names_are_answered(
    client: TestClient, host: str, status: int
) -> None:
    response = client.get("/login", headers={"host": host})
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]["code"] == "bad_request"
