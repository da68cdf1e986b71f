"""Rate limit for failed logins: after ``allowed`` failures within ``window`` seconds,
by the same account name or from the same address, further attempts are refused for
``window`` seconds (a successful login clears the account's count). In memory: one
station process serves one booth."""

from __future__ import annotations

import threading
from collections import defaultdict, deque


class LoginThrottle:
    def __init__(self, allowed: int = 5, window: float = 900.0) -> None:
        self.allowed = allowed
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, keys: tuple[str, ...], now: float) -> int:
        """Seconds until an attempt for any of ``keys`` is allowed again (0: now)."""
        with self._lock:
            waits = [
                self.window - (now - times[-self.allowed])
                for key in keys
                if len(times := self._recent(key, now)) >= self.allowed
            ]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, keys: tuple[str, ...], now: float) -> None:
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
