"""Admin pages through the app: accounts (add, disable, tokens shown once) and list
imports from an uploaded feed; supervisors see the list status and the audit trail."""

# ruff: noqa: F811 - the fixtures imported from tests.web_support are parameters here

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from screening.web import accounts
from screening.web.runtime import StationRuntime
from tests.web_support import (  # noqa: F401 - station, client, sessions: fixtures
    PASSWORD,
    RoleSessions,
    client,
    sessions,
    station,
)

DEMO_FEED = Path(__file__).resolve().parents[1] / "fixtures" / "demo_lists.csv"


def test_admin_adds_an_account_and_issues_a_token_shown_once(
    client: TestClient, sessions: RoleSessions, station: StationRuntime
) -> None:
    csrf = sessions.use(client, "admin")
    added = client.post(
        "/admin/accounts",
        data={"username": "nurlan", "role": "supervisor", "password": PASSWORD, "csrf_token": csrf},
        headers={"accept": "application/json"},
    )
    assert added.status_code == 200
    assert {"name": "nurlan", "role": "supervisor"}.items() <= next(
        a for a in added.json()["accounts"] if a["name"] == "nurlan"
    ).items()
    issued = client.post(
        "/admin/accounts/nurlan/token",
        data={"csrf_token": csrf},
        headers={"accept": "application/json"},
    ).json()
    token = issued["new_token"]["token"]
    assert accounts.account_for_token(station.db, token).name == "nurlan"  # type: ignore[union-attr]
    listing = client.get("/admin/accounts.json").text
    assert token not in listing
    revoked = client.post("/admin/accounts/nurlan/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 200
    assert accounts.account_for_token(station.db, token) is None


def test_admin_cannot_disable_itself(client: TestClient, sessions: RoleSessions) -> None:
    csrf = sessions.use(client, "admin")
    response = client.post(
        "/admin/accounts/admin/disable",
        data={"csrf_token": csrf},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["problem"] == "You cannot disable your own account."


def test_a_weak_password_is_refused_with_the_reason(
    client: TestClient, sessions: RoleSessions
) -> None:
    csrf = sessions.use(client, "admin")
    response = client.post(
        "/admin/accounts",
        data={"username": "weak", "role": "officer", "password": "short", "csrf_token": csrf},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert "at least 10 characters" in response.json()["problem"]


def test_admin_imports_a_list_feed_and_the_supervisor_sees_its_version(
    client: TestClient, sessions: RoleSessions, station: StationRuntime
) -> None:
    csrf = sessions.use(client, "admin")
    response = client.post(
        "/admin/lists",
        data={"csrf_token": csrf, "kind": "full"},
        files={"feed": (DEMO_FEED.name, DEMO_FEED.read_bytes(), "text/csv")},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    imported = response.json()["import"]
    assert imported["version"] == 1
    entry = next(station.audit.entries(action="lists_import", newest_first=True))
    assert entry.actor == "admin" and entry.detail["version"] == 1
    sessions.use(client, "supervisor")
    status = client.get("/lists.json").json()
    assert status["available"] is True and status["active_version"] == 1
    audit = client.get("/audit.json").json()
    assert audit["verification"]["ok"] is True
    assert any(e["action"] == "lists_import" for e in audit["entries"])


def test_a_feed_of_the_wrong_type_is_refused(client: TestClient, sessions: RoleSessions) -> None:
    csrf = sessions.use(client, "admin")
    response = client.post(
        "/admin/lists",
        data={"csrf_token": csrf},
        files={"feed": ("feed.exe", b"MZ", "application/octet-stream")},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_indicators_and_gallery_say_when_not_available(
    client: TestClient, sessions: RoleSessions
) -> None:
    import importlib.util

    sessions.use(client, "supervisor")
    indicators = client.get("/indicators.json").json()
    if importlib.util.find_spec("screening.indicators") is None:
        assert indicators["available"] is False and "not installed" in indicators["reason"]
    else:
        assert indicators["available"] is True, indicators
        assert {"corridors", "screenings"} <= set(indicators["report"])
    sessions.use(client, "trainer")
    specimens = client.get("/specimens.json").json()
    assert specimens["count"] >= 10
    first = specimens["specimens"][0]["image"]
    assert client.get(f"/specimens/{first}").headers["content-type"].startswith("image/")
    assert client.get("/specimens/..%2Fsecret.png").status_code == 404
