"""A pool of worker processes on this machine that survives its workers dying.

Each worker process opens its screening session once and then screens one item at a time
sent over its own pipe, so the pool always knows which input each worker holds. A worker
that dies (a crash in a native library, the kernel's OOM killer, ``kill -9``) is replaced
and its input tried once more; an input that kills a worker on every attempt, or runs
past the time limit, gets an ``error`` row and the batch goes on. (The standard
library's pools cannot do this: ``ProcessPoolExecutor`` breaks as a whole when one worker
dies, ``multiprocessing.Pool`` waits forever for the lost item.)

Workers start from a clean ``forkserver`` process that has imported the screening code,
ignore SIGINT (Ctrl-C reaches the whole process group; the driver decides what to do),
and run OpenCV single-threaded, one worker per core.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Self

from screening.batch.executors import lost_item_result
from screening.batch.items import WorkConfig, WorkItem, WorkResult
from screening.batch.malloc import pin_malloc_thresholds
from screening.batch.worker import screen_item

Task = Callable[[WorkConfig, WorkItem], WorkResult]

# What the fork server imports (and, through preload, the models it loads) before it
# forks any worker: the local pool's workers and a LocalCluster's alike.
FORKSERVER_PRELOAD = ("screening.batch.worker", "screening.batch.preload")
MAX_ATTEMPTS = 2  # an input is tried on a fresh worker once more after its worker died
POLL_S = 0.5


def prepare_worker_process() -> None:
    """One screening per core: no library spreads one image over every core; and image
    buffers are reused rather than mapped afresh for every page (see malloc.py)."""
    pin_malloc_thresholds()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    import cv2

    cv2.setNumThreads(1)


def _worker_main(conn: Connection, config: WorkConfig, task: Task) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prepare_worker_process()
    from screening.batch.worker import close_session

    try:
        while True:
            try:
                item = conn.recv()
            except EOFError:
                return  # the driver is gone
            if item is None:
                return
            conn.send(task(config, item))
    finally:
        close_session()


@dataclass(slots=True)
class _Slot:
    process: BaseProcess
    conn: Connection
    item: WorkItem | None = None
    started: float = 0.0


class LocalPool:
    """``workers`` processes; ``timeout_s`` bounds one input (None: no bound). ``task``
    is what a worker runs on each item (a module-level function: it is pickled)."""

    name = "local"

    def __init__(
        self, workers: int, *, timeout_s: float | None = None, task: Task = screen_item
    ) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.workers = workers
        self.timeout_s = timeout_s
        self.task = task
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(FORKSERVER_PRELOAD))
        self._slots: list[_Slot] = []
        self.restarts = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_all()

    def describe(self) -> dict[str, object]:
        return {"executor": self.name, "workers": self.workers, "timeout_s": self.timeout_s}

    def worker_pids(self) -> list[int]:
        return [s.process.pid for s in self._slots if s.process.pid is not None]

    def busy_pids(self) -> list[int]:
        """Workers holding an input now (what a test kills to prove the pool survives)."""
        return [s.process.pid for s in self._slots if s.item is not None and s.process.pid]

    def _spawn(self, config: WorkConfig) -> _Slot:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, config, self.task), name="screening-batch-worker"
        )
        process.daemon = True
        process.start()
        child.close()
        return _Slot(process, parent)

    def run(
        self, config: WorkConfig, items: Iterator[WorkItem], stop: Callable[[], bool]
    ) -> Iterator[WorkResult]:
        retry: deque[WorkItem] = deque()
        attempts: dict[int, int] = {}
        if not self._slots:
            self._slots = [self._spawn(config) for _ in range(self.workers)]

        def feed(slot: _Slot) -> None:
            item = retry.popleft() if retry else next(items, None)
            slot.item, slot.started = item, time.monotonic()
            if item is not None:
                # A worker that just died: the loop sees it and tries the item again.
                with contextlib.suppress(OSError):
                    slot.conn.send(item)

        for slot in self._slots:
            feed(slot)
        while any(s.item is not None for s in self._slots):
            busy = [s for s in self._slots if s.item is not None]
            waitables = [s.conn for s in busy] + [s.process.sentinel for s in busy]
            ready = multiprocessing.connection.wait(waitables, timeout=POLL_S)
            for index, slot in enumerate(self._slots):
                item = slot.item
                if item is None:
                    continue
                lost: str | None = None
                if slot.conn in ready:
                    try:
                        result: WorkResult = slot.conn.recv()
                    except (EOFError, OSError):
                        lost = self._died(slot)
                    else:
                        slot.item = None
                        yield result
                        feed(slot)
                        continue
                elif slot.process.sentinel in ready or not slot.process.is_alive():
                    lost = self._died(slot)
                elif self.timeout_s is not None and (
                    time.monotonic() - slot.started > self.timeout_s
                ):
                    lost = f"screening this input took longer than {self.timeout_s:g} s"
                    attempts[item.index] = MAX_ATTEMPTS  # a slow input is slow again
                if lost is None:
                    continue
                attempts[item.index] = attempts.get(item.index, 0) + 1
                self._replace(index, config)
                new_slot = self._slots[index]
                if attempts[item.index] < MAX_ATTEMPTS:
                    retry.append(item)
                else:
                    yield lost_item_result(item, lost)
                feed(new_slot)

    def _died(self, slot: _Slot) -> str:
        slot.process.join(timeout=1)
        code = slot.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return (
            f"the worker process ended abruptly ({how}) while screening this input, "
            f"{MAX_ATTEMPTS} times"
        )

    def _replace(self, index: int, config: WorkConfig) -> None:
        old = self._slots[index]
        self._kill(old)
        self.restarts += 1
        self._slots[index] = self._spawn(config)

    @staticmethod
    def _kill(slot: _Slot) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(timeout=5)
        slot.conn.close()

    def _stop_all(self) -> None:
        for slot in self._slots:
            if slot.item is None and slot.process.is_alive():
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
        deadline = time.monotonic() + 5
        for slot in self._slots:
            if slot.item is None:
                slot.process.join(timeout=max(0.0, deadline - time.monotonic()))
            self._kill(slot)
        self._slots = []
