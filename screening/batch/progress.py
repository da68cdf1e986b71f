"""Progress of a batch: a bar on a terminal, quiet lines in a log.

The driver only calls the :class:`Progress` protocol; what is shown is the CLI's choice
(:func:`for_stream`). A bar (tqdm) shows the count, rate and time left; without a
terminal, a line every ``LINE_INTERVAL_S`` seconds (and at the end) says the same.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Protocol, TextIO

from screening.batch.rows import outcome

LINE_INTERVAL_S = 10.0


class Progress(Protocol):
    def start(self, total: int, done: int) -> None: ...

    def advance(self, row: dict[str, Any]) -> None: ...

    def note(self, message: str) -> None: ...

    def close(self) -> None: ...


def _counts_text(counts: Counter[str]) -> str:
    return ", ".join(f"{k} {counts[k]}" for k in ("alert", "refer", "clear", "error") if counts[k])


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class NoProgress:
    def start(self, total: int, done: int) -> None: ...

    def advance(self, row: dict[str, Any]) -> None: ...

    def note(self, message: str) -> None: ...

    def close(self) -> None: ...


class LineProgress:
    """Plain lines for logs and pipes: ``batch: 120/500 (24%), 3.1/s, 2:03 left, ...``."""

    def __init__(self, stream: TextIO, interval_s: float = LINE_INTERVAL_S) -> None:
        self.stream = stream
        self.interval_s = interval_s
        self.counts: Counter[str] = Counter()
        self.total = self.done = self.started_with = 0
        self.t0 = self.last = 0.0

    def start(self, total: int, done: int) -> None:
        self.total, self.done, self.started_with = total, done, done
        self.t0 = self.last = time.monotonic()
        already = f" ({done} already done)" if done else ""
        self._print(f"batch: {total} inputs{already}")

    def advance(self, row: dict[str, Any]) -> None:
        self.done += 1
        self.counts[outcome(row)] += 1
        now = time.monotonic()
        if now - self.last >= self.interval_s:
            self.last = now
            self._print(self._status(now))

    def _status(self, now: float) -> str:
        ran = self.done - self.started_with
        rate = ran / max(now - self.t0, 1e-9)
        left = f", {_duration((self.total - self.done) / rate)} left" if rate > 0 else ""
        pct = 100.0 * self.done / self.total if self.total else 100.0
        counts = _counts_text(self.counts)
        return f"batch: {self.done}/{self.total} ({pct:.0f}%), {rate:.1f}/s{left}" + (
            f"; {counts}" if counts else ""
        )

    def note(self, message: str) -> None:
        self._print(f"batch: {message}")

    def close(self) -> None:
        if self.total:
            self._print(self._status(time.monotonic()))

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


class BarProgress:
    """A tqdm bar on the terminal: count, rate, time left, and the verdicts so far."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.counts: Counter[str] = Counter()
        self.bar: Any = None

    def start(self, total: int, done: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total,
            initial=done,
            file=self.stream,
            unit="input",
            dynamic_ncols=True,
            smoothing=0.1,
        )

    def advance(self, row: dict[str, Any]) -> None:
        self.counts[outcome(row)] += 1
        if self.bar is not None:
            self.bar.set_postfix_str(_counts_text(self.counts), refresh=False)
            self.bar.update(1)

    def note(self, message: str) -> None:
        if self.bar is not None:
            self.bar.write(f"batch: {message}", file=self.stream)
        else:
            print(f"batch: {message}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def for_stream(stream: TextIO) -> Progress:
    """A bar when ``stream`` is a terminal, quiet lines otherwise."""
    isatty = getattr(stream, "isatty", None)
    return BarProgress(stream) if isatty is not None and isatty() else LineProgress(stream)
