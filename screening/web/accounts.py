"""Station accounts and API tokens in the station database (no web code here: the
``screening users`` CLI uses this module too)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from screening.audit.log import utc_timestamp
from screening.db import Database
from screening.errors import BadArgumentsError
from screening.web.passwords import (
    check_password_strength,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from screening.web.roles import Role, parse_role

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: Role
    disabled: bool
    created: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": str(self.role),
            "disabled": self.disabled,
            "created": self.created,
        }


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise BadArgumentsError(
            f"invalid account name {name!r}: 2-64 characters a-z, 0-9, '.', '_', '-' "
            "starting with a letter or digit"
        )
    return name


def _account(row: tuple[Any, ...]) -> Account:
    return Account(name=row[0], role=Role(row[1]), disabled=bool(row[2]), created=row[3])


def get_account(db: Database, name: str) -> Account | None:
    row = db.query_one("SELECT name, role, disabled, created FROM accounts WHERE name = ?", (name,))
    return None if row is None else _account(row)


def require_account(db: Database, name: str) -> Account:
    account = get_account(db, name)
    if account is None:
        raise BadArgumentsError(f"no account named {name!r}")
    return account


def list_accounts(db: Database) -> list[Account]:
    rows = db.query("SELECT name, role, disabled, created FROM accounts ORDER BY name")
    return [_account(r) for r in rows]


def add_account(db: Database, name: str, role: str | Role, password: str) -> Account:
    check_name(name)
    parsed = parse_role(str(role))
    check_password_strength(password)
    if get_account(db, name) is not None:
        raise BadArgumentsError(f"an account named {name!r} already exists")
    db.execute(
        "INSERT INTO accounts (name, role, password_hash, disabled, created) "
        "VALUES (?, ?, ?, 0, ?)",
        (name, str(parsed), hash_password(password), utc_timestamp()),
    )
    return require_account(db, name)


def set_password(db: Database, name: str, password: str) -> None:
    require_account(db, name)
    check_password_strength(password)
    db.execute(
        "UPDATE accounts SET password_hash = ? WHERE name = ?", (hash_password(password), name)
    )


def set_disabled(db: Database, name: str, disabled: bool) -> Account:
    require_account(db, name)
    db.execute("UPDATE accounts SET disabled = ? WHERE name = ?", (int(disabled), name))
    if disabled:  # a disabled account loses its open sessions at once
        db.execute("DELETE FROM web_sessions WHERE account = ?", (name,))
    return require_account(db, name)


def authenticate(db: Database, name: str, password: str) -> Account | None:
    """The account when the name and password match and it is enabled, else ``None``."""
    row = db.query_one("SELECT password_hash FROM accounts WHERE name = ?", (name,))
    stored = None if row is None else str(row[0])
    if not verify_password(stored, password):
        return None
    account = get_account(db, name)
    if account is None or account.disabled:
        return None
    if stored is not None and needs_rehash(stored):
        db.execute(
            "UPDATE accounts SET password_hash = ? WHERE name = ?", (hash_password(password), name)
        )
    return account


def issue_token(db: Database, name: str) -> tuple[str, int]:
    """A new API token for ``name``: the token itself is returned once, only its hash is
    stored."""
    require_account(db, name)
    token = new_token()
    db.execute(
        "INSERT INTO api_tokens (account, token_hash, created) VALUES (?, ?, ?)",
        (name, token_digest(token), utc_timestamp()),
    )
    row = db.query_one("SELECT id FROM api_tokens WHERE token_hash = ?", (token_digest(token),))
    assert row is not None
    return token, int(row[0])


def revoke_tokens(db: Database, name: str, token_id: int | None = None) -> int:
    require_account(db, name)
    sql = "UPDATE api_tokens SET revoked = ? WHERE account = ? AND revoked IS NULL"
    params: list[Any] = [utc_timestamp(), name]
    if token_id is not None:
        sql += " AND id = ?"
        params.append(token_id)
    return int(db.execute(sql, params).rowcount or 0)


def list_tokens(db: Database, name: str) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT id, created, revoked, last_used FROM api_tokens WHERE account = ? ORDER BY id",
        (name,),
    )
    return [{"id": int(r[0]), "created": r[1], "revoked": r[2], "last_used": r[3]} for r in rows]


def account_for_token(db: Database, token: str) -> Account | None:
    row = db.query_one(
        "SELECT id, account FROM api_tokens WHERE token_hash = ? AND revoked IS NULL",
        (token_digest(token),),
    )
    if row is None:
        return None
    account = get_account(db, str(row[1]))
    if account is None or account.disabled:
        return None
    db.execute("UPDATE api_tokens SET last_used = ? WHERE id = ?", (utc_timestamp(), row[0]))
    return account
