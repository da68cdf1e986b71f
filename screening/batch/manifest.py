"""``manifest.json``: what is needed to reproduce a batch report.

Parameters, the software (screening version and commit, Python, Tesseract, the libraries
that decide results, and the digest of every model file), the lost/stolen list versions
the documents were checked against, and the digest of every input.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import screening
from screening.batch import rows as facts

PACKAGES = ("numpy", "opencv-python", "pillow", "scikit-learn", "scipy", "pytesseract", "dask")


def redact_url(url: str | None) -> str | None:
    """A list-store URL without its password (the manifest is forwarded with the report)."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else "***@"
    return urlunsplit(parts._replace(netloc=user + host))


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _git_commit(folder: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _tesseract_version() -> str | None:
    try:
        import pytesseract

        return str(pytesseract.get_tesseract_version())
    except Exception:  # missing or broken binary: the manifest says "unknown"
        return None


@cache
def software() -> dict[str, Any]:
    from screening.documents.legacy import MODEL_FILE as HANDFILLED_MODEL
    from screening.documents.photo import MODEL_FILE as PHOTO_MODEL
    from screening.imaging.ocrb import MODEL_FILE as OCRB_MODEL

    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    source = Path(screening.__file__).resolve().parents[1]
    return {
        "screening": screening.__version__,
        "git_commit": _git_commit(source),
        "python": platform.python_version(),
        "tesseract": _tesseract_version(),
        "packages": versions,
        "models": {
            path.parent.name + "/" + path.name: _sha256(path)
            for path in (OCRB_MODEL, HANDFILLED_MODEL, PHOTO_MODEL)
        },
    }


def list_versions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each list version checked, with how many documents were checked against it."""
    counted: dict[tuple[Any, Any], dict[str, Any]] = {}
    for row in rows:
        for version in facts.list_versions(row):
            key = (version.get("version"), version.get("digest"))
            counted.setdefault(key, dict(version, documents=0))["documents"] += 1
    return list(counted.values())


def build_manifest(
    *,
    parameters: dict[str, Any],
    execution: dict[str, Any],
    inputs: list[dict[str, Any]],
    skipped: list[dict[str, str]],
    rows: list[dict[str, Any]],
    complete: bool,
    started_at: str,
    finished_at: str,
    workers: dict[str, int],
) -> dict[str, Any]:
    verdicts = Counter(facts.outcome(r) for r in rows)
    return {
        "format": "screening-batch-manifest/1",
        "complete": complete,
        "started_at": started_at,
        "finished_at": finished_at,
        "parameters": parameters,
        "execution": execution,
        "software": software(),
        "lists": {"versions_checked": list_versions(rows)},
        "counts": {
            "inputs": len(inputs),
            "screened": len(rows),
            "remaining": len(inputs) - len(rows),
            "skipped": len(skipped),
            "verdicts": {o: verdicts[o] for o in facts.OUTCOMES},
        },
        "workers_max_rss_kb": workers,
        "inputs": inputs,
        "skipped": skipped,
    }
