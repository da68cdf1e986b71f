"""Browser sessions: a random id in a cookie, only its hash in the station database.

A session ends at logout, when the account is disabled, after ``idle`` without a
request, and at the latest ``lifetime`` after login (a shift), whichever comes first.
Each session carries its own CSRF token (:mod:`screening.web.csrf`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from screening.db import Database
from screening.web.accounts import Account, get_account
from screening.web.passwords import token_digest


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    lifetime: timedelta = timedelta(hours=10)
    idle: timedelta = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class WebSession:
    account: Account
    csrf: str


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def start_session(
    db: Database, account: Account, policy: SessionPolicy, now: datetime
) -> tuple[str, WebSession]:
    """A new session for ``account``: the cookie value (returned once) and the session."""
    raw = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO web_sessions (id_hash, account, csrf, created, expires, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (token_digest(raw), account.name, csrf, _iso(now), _iso(now + policy.lifetime), _iso(now)),
    )
    return raw, WebSession(account, csrf)


def load_session(db: Database, raw: str, policy: SessionPolicy, now: datetime) -> WebSession | None:
    """The live session behind a cookie value, or ``None`` (unknown, expired, idle too
    long, account disabled); a live session's idle clock restarts."""
    row = db.query_one(
        "SELECT account, csrf, expires, last_seen FROM web_sessions WHERE id_hash = ?",
        (token_digest(raw),),
    )
    if row is None:
        return None
    account = get_account(db, str(row[0]))
    expires = datetime.fromisoformat(row[2])
    last_seen = datetime.fromisoformat(row[3])
    if account is None or account.disabled or now >= expires or now - last_seen >= policy.idle:
        end_session(db, raw)
        return None
    db.execute(
        "UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?", (_iso(now), token_digest(raw))
    )
    return WebSession(account, str(row[1]))


def end_session(db: Database, raw: str) -> None:
    db.execute("DELETE FROM web_sessions WHERE id_hash = ?", (token_digest(raw),))


def purge_sessions(db: Database, now: datetime) -> None:
    db.execute("DELETE FROM web_sessions WHERE expires <= ?", (_iso(now),))
