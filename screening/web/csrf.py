"""CSRF protection for every form.

A logged-in browser's forms carry its session's token (``csrf_token`` field, or the
``X-CSRF-Token`` header for scripts); the login form, before any session exists, uses a
double-submit token: a random value in a cookie that must come back in the form. The
cookies are ``SameSite=Strict`` as well, a second line. Requests authenticated with an
API token (``Authorization: Bearer``) carry no cookie a foreign page could ride on, so
they need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any

FIELD = "csrf_token"
HEADER = "x-csrf-token"
LOGIN_COOKIE = "screening_login_csrf"


def tokens_match(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def submitted_token(headers: Mapping[str, str], form: Mapping[str, Any] | None) -> str | None:
    if form is not None and isinstance(form.get(FIELD), str):
        return str(form[FIELD])
    return headers.get(HEADER)


def login_token(cookies: Mapping[str, str]) -> tuple[str, bool]:
    """The login form's token: the browser's existing cookie value, or a new one
    (``True``: the cookie must be set on the response)."""
    existing = cookies.get(LOGIN_COOKIE)
    if existing and 20 <= len(existing) <= 100:
        return existing, False
    return secrets.token_urlsafe(32), True
