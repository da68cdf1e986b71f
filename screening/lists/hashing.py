"""Keyed-hash (HMAC) mode: the store keeps HMAC-SHA256(key, state|type|number), not numbers.

A stolen screening PC then does not reveal which documents are listed, **provided the key
is not on that PC's disk** (enter it at start-up, keep it on a token): with the key, the
space of one state's document numbers is small enough to enumerate. See docs/lists.md.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

from screening.errors import InputFileError

KEY_ENV = "SCREENING_LISTS_KEY"
# 96 bits: with 10^8 listed keys a random number collides with probability ~10^-21.
HASH_BYTES = 12
# Document codes tried when the type of the queried document is unknown (hashed mode
# cannot ignore the type, it is inside the hash).
DOCUMENT_TYPES = ("P", "I", "A", "C", "V")
_FINGERPRINT_MESSAGE = b"screening lists key fingerprint v1"


def load_key(key_file: Path | None) -> bytes | None:
    """The HMAC key from a file, else from ``$SCREENING_LISTS_KEY``, else ``None``."""
    if key_file is not None:
        try:
            key = key_file.read_bytes().strip()
        except OSError as error:
            raise InputFileError(f"cannot read the list key file {key_file}: {error}") from error
    else:
        key = os.environ.get(KEY_ENV, "").strip().encode()
    if not key:
        return None
    if len(key) < 16:
        raise InputFileError("the list key is too short (at least 16 bytes)")
    return key


def key_fingerprint(key: bytes) -> str:
    return hmac.digest(key, _FINGERPRINT_MESSAGE, "sha256")[:8].hex()


def keyed_hash(key: bytes, state3: str, doc_type: str, number: str) -> str:
    message = f"{state3}|{doc_type}|{number}".encode()
    return hmac.digest(key, message, "sha256")[:HASH_BYTES].hex()
