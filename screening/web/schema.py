"""Tables of the station database besides the audit log (screening/audit/log.py)."""

from __future__ import annotations

from screening.db import Database

_TABLES = (
    "CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
    "password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS api_tokens (id {id}, account TEXT NOT NULL, "
    "token_hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL, revoked TEXT, last_used TEXT)",
    "CREATE TABLE IF NOT EXISTS web_sessions (id_hash TEXT PRIMARY KEY, account TEXT NOT NULL, "
    "csrf TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL, last_seen TEXT NOT NULL)",
    # One row per screening. Personal data (report, image) only with a retention period,
    # and then with the date it must be gone by.
    "CREATE TABLE IF NOT EXISTS screenings (id {id}, ref TEXT NOT NULL UNIQUE, "
    "time TEXT NOT NULL, station TEXT NOT NULL, actor TEXT NOT NULL, verdict TEXT, "
    "codes TEXT NOT NULL, format TEXT, issuing_state TEXT, number_hash TEXT, "
    "list_versions TEXT, pages INTEGER NOT NULL, elapsed_ms REAL, error TEXT, "
    "report TEXT, image {blob}, image_type TEXT, keep_until TEXT)",
    "CREATE INDEX IF NOT EXISTS screenings_time ON screenings (time)",
    "CREATE INDEX IF NOT EXISTS screenings_station ON screenings (station, time)",
)


def ensure_schema(db: Database) -> None:
    for statement in _TABLES:
        db.execute(db.ddl(statement))
