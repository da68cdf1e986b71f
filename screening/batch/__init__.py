"""Batch screening: every image and booklet under a folder, resumable, on one machine's
cores or a Dask cluster, into ``results.jsonl``, ``results.csv``, ``report.html`` and
``manifest.json``.

Modules, one job each (lower never import higher)::

    items          the picklable config / work item / result
    digest, files  content digests; atomic output files
    discover       inputs under a folder (images, booklets, what is skipped)
    booklets       whether booklet screening exists (guarded import)
    thumbnails     report thumbnails, made by the worker
    worker         one item -> one row (sessions opened once per worker thread)
    executors      the executor protocol and the serial executor
    pool           local worker processes that survive crashes
    dask_executor  Dask LocalCluster or an existing scheduler
    journal        the append-only journal that makes runs resumable
    rows           facts about a result row (verdict, state, codes...)
    writers, report_html, manifest, outputs   the report files
    progress       a bar on a terminal, quiet lines otherwise
    run            the driver: run_batch()
"""

from screening.batch.run import BatchOptions, BatchSummary, run_batch

__all__ = ["BatchOptions", "BatchSummary", "run_batch"]
