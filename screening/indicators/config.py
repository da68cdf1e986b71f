"""Where and how this installation records events: checkpoint, direction, store, key.

Each setting is taken from the first of, in order:

1. the command-line option (``--checkpoint``, ``--direction``, ``--events``,
   ``--events-key-file``): one run at a lane that differs from the usual;
2. the environment (``SCREENING_CHECKPOINT``, ``SCREENING_DIRECTION``,
   ``SCREENING_EVENTS_URL``, ``SCREENING_EVENTS_KEY`` = the key itself); a service
   manager sets these per machine;
3. the installation's config file ``indicators.toml`` in the config directory
   (``$SCREENING_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/screening``, else
   ``~/.config/screening``), keys ``checkpoint``, ``direction``, ``events``, ``key_file``;
4. defaults: no checkpoint or direction (events still recorded, left out of the traffic
   baselines until known), ``events.db`` in the user's data directory, and a random key
   created once in ``events.key`` beside the config file (mode 0600).

The key is never stored in the event store (only its fingerprint): document numbers are
kept as HMAC-SHA256(key, state|type|number), the list store's keyed hash. Checkpoints
that must recognise the same document across the country share one key (set it on
each); a copy of the store alone then reveals no number.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from screening.errors import BadArgumentsError, InputFileError
from screening.indicators.places import DIRECTIONS, load_gazetteer
from screening.lists.hashing import key_fingerprint, load_key
from screening.settings import Settings

CONFIG_NAME = "indicators.toml"
KEY_NAME = "events.key"
ENV_CHECKPOINT = "SCREENING_CHECKPOINT"
ENV_DIRECTION = "SCREENING_DIRECTION"
ENV_URL = "SCREENING_EVENTS_URL"
ENV_KEY = "SCREENING_EVENTS_KEY"
ENV_CONFIG_DIR = "SCREENING_CONFIG_DIR"


def config_dir() -> Path:
    if env := os.environ.get(ENV_CONFIG_DIR):
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "screening"


def read_config_file(path: Path | None = None) -> dict[str, str]:
    path = path or config_dir() / CONFIG_NAME
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputFileError(f"cannot read the indicators config {path}: {error}") from error
    return {k: str(v) for k, v in raw.items() if isinstance(v, str | int | float)}


@dataclass(frozen=True, slots=True)
class RecordingConfig:
    checkpoint: str | None
    direction: str | None
    events_url: str
    key_file: Path | None
    key_from_env: bool

    @classmethod
    def resolve(
        cls,
        settings: Settings,
        *,
        checkpoint: str | None = None,
        direction: str | None = None,
        events_url: str | None = None,
        key_file: Path | None = None,
    ) -> RecordingConfig:
        file = read_config_file()
        checkpoint = checkpoint or os.environ.get(ENV_CHECKPOINT) or file.get("checkpoint")
        direction = direction or os.environ.get(ENV_DIRECTION) or file.get("direction")
        if direction is not None:
            direction = direction.strip().lower()
            if direction not in DIRECTIONS:
                raise BadArgumentsError(f"direction must be entry or exit, not {direction!r}")
        url = (
            events_url
            or os.environ.get(ENV_URL)
            or file.get("events")
            or f"sqlite:///{settings.data_dir / 'events.db'}"
        )
        key_path = key_file or (Path(file["key_file"]) if "key_file" in file else None)
        return cls(
            checkpoint=load_gazetteer().resolve(checkpoint) if checkpoint else None,
            direction=direction,
            events_url=url,
            key_file=key_path,
            key_from_env=key_path is None and bool(os.environ.get(ENV_KEY)),
        )

    def load_key(self, *, create: bool = True) -> bytes | None:
        """The events key: the key file, else ``$SCREENING_EVENTS_KEY``, else the
        installation's own key file (created on first use when ``create``)."""
        if self.key_file is not None:
            return load_key(self.key_file)
        if self.key_from_env:
            return _key_from_env()
        own = config_dir() / KEY_NAME
        if own.exists():
            return load_key(own)
        if not create:
            return None
        own.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(own, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        return load_key(own)


def _key_from_env() -> bytes:
    key = os.environ.get(ENV_KEY, "").strip().encode()
    if len(key) < 16:
        raise InputFileError(f"${ENV_KEY} is too short (at least 16 bytes)")
    return key


def fingerprint(key: bytes | None) -> str | None:
    return key_fingerprint(key) if key else None
