"""The station's configuration, built once by ``screening serve`` (or a test)."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path

from screening.errors import InputFileError
from screening.lists.hashing import load_key as load_key_file
from screening.settings import Settings
from screening.web.sessions import SessionPolicy

KEY_ENV = "SCREENING_STATION_KEY"


@dataclass(frozen=True, slots=True)
class StationConfig:
    db_url: str
    settings: Settings = field(default_factory=Settings)
    check_lists: bool = True
    # Screening date fixed for the whole run (tests); None: the day of each screening.
    fixed_today: bool = False
    station: str = field(default_factory=socket.gethostname)
    keep_days: int = 0  # 0: personal data only until the result has been shown
    history_key: bytes | None = None
    sessions: SessionPolicy = field(default_factory=SessionPolicy)
    max_upload_bytes: int = 25 * 1024 * 1024  # per file
    max_request_bytes: int = 200 * 1024 * 1024  # a whole booklet
    max_pages: int = 48
    max_pixels: int = 40_000_000
    use_viz: bool = True
    check_photo: bool = False  # as scan --photo-check (calibrated on synthetic pages only)
    warm_up: bool = True
    secure_cookies: bool = False  # True behind TLS
    login_failures_allowed: int = 5
    login_lockout_seconds: int = 900
    # Host names the station answers to (others get 400): a page elsewhere that rebinds
    # its own name to 127.0.0.1 cannot reach the station. "*" answers to any.
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")


def history_key(key_file: Path | None, data_dir: Path) -> bytes:
    """The HMAC key for document numbers in the history: ``--key-file``, else
    ``$SCREENING_STATION_KEY``, else ``station.key`` in the data directory (created on
    first use, readable by the owner only). Keep it off the station's disk where you
    can: with it, the numbers' hashes can be checked against guesses."""
    if key_file is not None:
        key = load_key_file(key_file)
        if key is None:
            raise InputFileError(f"the key file {key_file} is empty")
        return key
    if env := os.environ.get(KEY_ENV, "").strip():
        if len(env) < 16:
            raise InputFileError(f"${KEY_ENV} is too short (at least 16 bytes)")
        return env.encode()
    path = data_dir / "station.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    key = load_key_file(path)
    assert key is not None
    return key
