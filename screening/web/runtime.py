"""What the station opens once per process and every request shares."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from screening.audit import AuditLog
from screening.db import Database
from screening.web.config import StationConfig
from screening.web.schema import ensure_schema
from screening.web.screener import Screener
from screening.web.throttle import LoginThrottle


def utc_now() -> datetime:
    return datetime.now(UTC)


class ResultCache:
    """Screening results with personal data, in memory only, for the officer who made
    them; handed out once (the result page) or dropped after ``ttl`` seconds."""

    def __init__(self, ttl: float = 600.0) -> None:
        self.ttl = ttl
        self._items: dict[str, tuple[str, float, Any]] = {}
        self._lock = threading.Lock()

    def put(self, ref: str, owner: str, payload: Any) -> None:
        with self._lock:
            self._expire(time.monotonic())
            self._items[ref] = (owner, time.monotonic(), payload)

    def pop(self, ref: str, owner: str) -> Any | None:
        with self._lock:
            self._expire(time.monotonic())
            item = self._items.get(ref)
            if item is None or item[0] != owner:
                return None
            del self._items[ref]
            return item[2]

    def _expire(self, now: float) -> None:
        for ref in [r for r, (_, t, _) in self._items.items() if now - t > self.ttl]:
            del self._items[ref]


@dataclass
class StationRuntime:
    config: StationConfig
    db: Database
    audit: AuditLog
    history_key: bytes
    screener: Screener | None = None
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    results: ResultCache = field(default_factory=ResultCache)
    clock: Callable[[], datetime] = utc_now
    _screener_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, config: StationConfig, *, history_key: bytes) -> StationRuntime:
        db = Database(config.db_url)
        ensure_schema(db)
        return cls(
            config=config,
            db=db,
            audit=AuditLog(db),
            history_key=history_key,
            throttle=LoginThrottle(config.login_failures_allowed, config.login_lockout_seconds),
        )

    def screener_ready(self) -> Screener:
        with self._screener_lock:
            if self.screener is None:
                self.screener = Screener(self.config)
            return self.screener

    def close(self) -> None:
        if self.screener is not None:
            self.screener.close()
        self.db.close()
