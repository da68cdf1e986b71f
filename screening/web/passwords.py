"""Password and token hashing.

Passwords: argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile), salted and
slow on purpose. API tokens are 256-bit random strings: a fast SHA-256 is enough to
store them (nobody can guess a preimage of a random 256-bit value), and it makes the
token lookup an index probe.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from screening.errors import BadArgumentsError

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "scr_"
_hasher = PasswordHasher()
# Verified against when the account does not exist, so a wrong name costs the same
# time as a wrong password (no account enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadArgumentsError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password:
        raise BadArgumentsError("the password must not start or end with spaces")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
