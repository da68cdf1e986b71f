"""Executors run work items and yield their results, in any order.

Every executor has the same shape: a context manager whose ``run(config, items)`` pulls
items lazily from an iterator (so the driver can stop feeding it on Ctrl-C, and bytes
sent to workers are read only for the few items in flight) and yields one
:class:`WorkResult` per item. When the iterator stops, the items in flight are finished
and ``run`` returns; an executor that cannot wait for them safely (Dask, whose workers
may be going down with the same Ctrl-C) returns as soon as ``stop()`` is true.

- :class:`SerialExecutor` screens in this process (``--workers 0``; debugging, tests).
- :class:`screening.batch.pool.LocalPool`: worker processes on this machine.
- :class:`screening.batch.dask_executor.DaskExecutor`: a Dask cluster, local or remote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Protocol, Self

from screening.batch.items import WorkConfig, WorkItem, WorkResult
from screening.batch.worker import close_session, error_row, screen_item, worker_name


class Executor(Protocol):
    name: str

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def run(
        self, config: WorkConfig, items: Iterator[WorkItem], stop: Callable[[], bool]
    ) -> Iterator[WorkResult]: ...

    def describe(self) -> dict[str, object]: ...


def lost_item_result(item: WorkItem, message: str) -> WorkResult:
    """The error row of an input whose worker died or hung on it every time it was tried."""
    return WorkResult(item.index, item.key, item.digest, error_row(item.path, message), lost=True)


class SerialExecutor:
    """Screens every item in this process, one after the other."""

    name = "serial"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        close_session()

    def run(
        self, config: WorkConfig, items: Iterator[WorkItem], stop: Callable[[], bool]
    ) -> Iterator[WorkResult]:
        for item in items:
            yield screen_item(config, item)

    def describe(self) -> dict[str, object]:
        return {"executor": self.name, "workers": 1, "worker": worker_name()}
