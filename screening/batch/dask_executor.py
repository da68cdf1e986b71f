"""Run a batch on Dask: a ``LocalCluster`` on this machine or an existing scheduler.

``--dask local`` starts a ``LocalCluster`` of single-threaded worker processes (one per
core by default); ``--dask tcp://HOST:PORT`` uses a running ``dask.distributed``
scheduler, whose workers must have this same ``screening`` version installed (checked
before any work) and either see the input folder at the same path (shared storage) or get
the bytes sent (``--send-bytes``). Workers open their screening session once (see
:mod:`screening.batch.worker`).

Only a window of items is in flight (twice the cluster's threads), so sent bytes never
pile up in the scheduler. A worker that dies is replaced by its nanny and Dask runs its
task again; an input whose task killed workers on every attempt (``KilledWorker``) gets
an ``error`` row. Losing the scheduler itself stops the run with an error: the journal
keeps what was finished, and the same command resumes.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Self

from screening import __version__
from screening.batch.executors import lost_item_result
from screening.batch.items import WorkConfig, WorkItem, WorkResult
from screening.batch.pool import FORKSERVER_PRELOAD, MAX_ATTEMPTS, prepare_worker_process
from screening.batch.worker import screen_item
from screening.errors import BadArgumentsError, MissingDependencyError

CONNECT_TIMEOUT_S = 20
POLL_S = 0.05

# A LocalCluster shares this machine's cores with the screening itself, so its own
# housekeeping is made cheaper (docs/batch.md, "Dask's overhead"; the workers' nannies
# copy this config, so a worker restarted after a crash gets it too). On a 2-core machine
# under load, the CPU per page outside a worker's screening thread fell from 60 ms to 8 ms
# and the driver's (scheduler, nannies) from 67 to 16 ms.
LOCAL_CLUSTER_CONFIG: dict[str, object] = {
    # An input that killed its worker is tried once more, as in the local pool.
    "distributed.scheduler.allowed-failures": MAX_ATTEMPTS - 1,
    # The statistical profiler samples the screening thread's stack every 10 ms.
    "distributed.worker.profile.enabled": False,
    # Event-loop health checks (20 ms) and system / memory monitors (0.5 s, 0.1 s): a
    # page takes about 0.3 s, so coarser checks lose nothing.
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    # Workers fork from a fork server that has imported the screening code and loaded the
    # models, as the local pool's do, instead of starting a fresh interpreter each: they
    # start sooner and share the model pages. Read whenever a nanny starts a worker, so
    # it stays set while the cluster runs.
    "distributed.worker.multiprocessing-method": "forkserver",
}


def _preload_forkserver() -> None:
    """Have the fork server (once, before it starts) import what the pool's imports."""
    from distributed.utils import get_mp_context

    context = get_mp_context()  # sets Dask's own preload list the first time
    context.set_forkserver_preload(["distributed", *FORKSERVER_PRELOAD])


def _worker_version() -> str:
    from screening import __version__ as version

    return version


def _prepare_plugin() -> Any:
    """A worker plugin: every worker process, also one restarted after a crash, runs
    single-threaded OpenCV and keeps its image buffers (pool.prepare_worker_process)
    before its first task, on a LocalCluster or a cluster started by someone else."""
    from distributed import WorkerPlugin

    class PrepareWorker(WorkerPlugin):  # type: ignore[misc]
        name = "screening-batch-prepare"

        def setup(self, worker: Any) -> None:
            prepare_worker_process()

    return PrepareWorker()


class DaskExecutor:
    name = "dask"

    def __init__(self, address: str, *, workers: int | None = None) -> None:
        if address != "local" and not address.startswith(("tcp://", "tls://")):
            raise BadArgumentsError(
                f"--dask must be 'local' or a scheduler address tcp://HOST:PORT, not {address!r}"
            )
        if address != "local" and workers is not None:
            raise BadArgumentsError(
                "--workers sets the size of a local cluster; an existing Dask cluster "
                "has the workers it was started with"
            )
        self.address = address
        self.workers = workers
        self.cluster: Any = None
        self.client: Any = None
        self._config: Any = None  # LOCAL_CLUSTER_CONFIG, set while the cluster runs
        self._token = uuid.uuid4().hex[:12]
        self._depth = 0

    def __enter__(self) -> Self:
        if self.client is None:  # else already connected by an outer ``with``
            self._connect()
        self._depth += 1
        return self

    def _connect(self) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as error:  # pragma: no cover - a runtime dependency
            raise MissingDependencyError(
                "Dask is not installed", hint="pip install 'dask[distributed]'"
            ) from error
        if self.address == "local":
            self._config = dask.config.set(LOCAL_CLUSTER_CONFIG)
            try:
                _preload_forkserver()
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",  # a free port: never 8787, shared
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
            except BaseException:
                self._close()
                raise
        else:
            try:
                self.client = Client(self.address, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as error:
                raise MissingDependencyError(
                    f"cannot reach the Dask scheduler at {self.address} ({error})",
                    hint="start one with: dask scheduler; and workers with: dask worker ADDRESS",
                ) from None
        try:
            self._check_versions()
            self.client.register_plugin(_prepare_plugin())
        except BaseException:
            self._close()
            raise

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth <= 0:
            self._close()

    def _close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
        if self._config is not None:
            self._config.__exit__(None, None, None)
            self._config = None

    def _check_versions(self) -> None:
        versions = self.client.run(_worker_version)
        if not versions:
            raise MissingDependencyError(f"the Dask cluster at {self.address} has no workers")
        wrong = {w: v for w, v in versions.items() if v != __version__}
        if wrong:
            raise MissingDependencyError(
                f"Dask workers run another screening version than this one ({__version__}): "
                + ", ".join(f"{w} has {v}" for w, v in sorted(wrong.items())),
                hint="install the same screening version on every worker",
            )

    def threads(self) -> int:
        info = self.client.scheduler_info()
        return sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()) or 1

    def describe(self) -> dict[str, object]:
        info = self.client.scheduler_info() if self.client is not None else {}
        return {
            "executor": self.name,
            "scheduler": "local" if self.address == "local" else self.address,
            "workers": len(info.get("workers", {})),
            "threads": self.threads() if self.client is not None else None,
        }

    def worker_pids(self) -> dict[str, int]:
        import os

        return dict(self.client.run(os.getpid))

    def run(
        self, config: WorkConfig, items: Iterator[WorkItem], stop: Callable[[], bool]
    ) -> Iterator[WorkResult]:
        from distributed import KilledWorker, as_completed

        pending: dict[str, WorkItem] = {}
        futures: dict[str, Any] = {}
        completed = as_completed()

        def submit() -> bool:
            item = next(items, None)
            if item is None:
                return False
            key = f"screen-{self._token}-{item.index}"
            future = self.client.submit(screen_item, config, item, key=key, pure=False)
            pending[future.key] = item
            futures[future.key] = future
            completed.add(future)
            return True

        for _ in range(max(2, 2 * self.threads())):
            if not submit():
                break
        while not completed.is_empty():
            if stop():
                # Workers may be going down with the same Ctrl-C: do not wait for them.
                self.client.cancel(list(futures.values()))
                return
            if not completed.has_ready():
                time.sleep(POLL_S)
                continue
            future = next(completed)
            item = pending.pop(future.key)
            futures.pop(future.key, None)
            try:
                result: WorkResult = future.result()
            except KilledWorker:
                result = lost_item_result(
                    item,
                    "screening this input killed a Dask worker process on every attempt",
                )
            except Exception as error:
                # screen_item never raises for an input: this is the cluster or the
                # client failing. Stop (the journal keeps what was finished) rather than
                # record the input as screened.
                raise MissingDependencyError(
                    f"the Dask cluster failed ({type(error).__name__}: {error}); "
                    "rerun the same command to finish the rest"
                ) from None
            future.release()
            yield result
            submit()
