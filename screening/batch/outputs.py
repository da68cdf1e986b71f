"""Write a batch's report files from its journal entries.

Each file is replaced atomically (see :mod:`screening.batch.files`); the manifest is
written last, then the journal is compacted to the current entries (the old rows of
changed or vanished inputs dropped). A failure (a full disk) leaves the previous files.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from screening.batch.discover import Discovery
from screening.batch.files import write_atomic
from screening.batch.journal import JOURNAL_NAME, Entry, Journal
from screening.batch.manifest import build_manifest
from screening.batch.report_html import render_report
from screening.batch.writers import write_csv, write_errors_log, write_jsonl

RESULTS_JSONL = "results.jsonl"
RESULTS_CSV = "results.csv"
REPORT_HTML = "report.html"
MANIFEST_JSON = "manifest.json"
ERRORS_LOG = "errors.log"


def write_outputs(
    out: Path,
    found: Discovery,
    ordered: list[Entry],
    digests: dict[str, str],
    *,
    header: dict[str, Any],
    parameters: dict[str, Any],
    execution: dict[str, Any],
    complete: bool,
    started: str,
    max_rss: dict[str, int],
) -> None:
    """Every report file, each replaced atomically; the manifest last, then the journal
    compacted to the current entries (changed and vanished inputs' old rows dropped)."""
    by_key = {e.key: e for e in ordered}
    inputs = []
    for found_input in found.inputs:
        entry = by_key.get(found_input.key)
        record: dict[str, Any] = {
            "file": str(found_input.path),
            "kind": found_input.kind,
            "sha256": entry.digest if entry else digests[found_input.key],
            "status": "screened" if entry else "remaining",
        }
        if found_input.members:
            record["pages"] = list(found_input.members)
        inputs.append(record)
    rows = [e.row for e in ordered]
    manifest = build_manifest(
        parameters=parameters,
        execution=execution,
        inputs=inputs,
        skipped=found.skipped,
        rows=rows,
        complete=complete,
        started_at=started,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        workers=max_rss,
    )
    manifest["first_started_at"] = header.get("created_at")
    write_jsonl(out / RESULTS_JSONL, rows)
    write_csv(out / RESULTS_CSV, rows)
    write_atomic(out / REPORT_HTML, render_report(ordered, manifest).encode("utf-8"))
    write_errors_log(out / ERRORS_LOG, ordered)
    write_atomic(
        out / MANIFEST_JSON,
        (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    with contextlib.closing(Journal.create(out / JOURNAL_NAME, header, ordered)):
        pass
