"""Roles and permissions, read from ``web/data/roles.toml``: data, not if-chains."""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from importlib import resources

from screening.errors import BadArgumentsError


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    TRAINER = "trainer"
    ADMIN = "admin"


@cache
def permissions_by_role() -> dict[Role, frozenset[str]]:
    raw = tomllib.loads(
        resources.files("screening.web").joinpath("data/roles.toml").read_text("utf-8")
    )
    return {Role(name): frozenset(entry["permissions"]) for name, entry in raw["roles"].items()}


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise BadArgumentsError(f"unknown role {value!r}; roles: {names}") from None


def may(role: Role, permission: str) -> bool:
    return permission in permissions_by_role()[role]
