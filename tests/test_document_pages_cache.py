"""The training-page cache (``SCREENING_PAGE_CACHE``) keeps MRZ reads under the reader's
fingerprint, so a read made by another version of the reader is never reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.families.contract import PageRequest
from models import document_pages
from models.document_pages import read_mrz, reader_fingerprint, render_page

REQUEST = PageRequest(kind="genuine", seed=7_300_001, format="TD3", capture="clean")


def test_a_read_is_cached_under_the_reader_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_PAGE_CACHE", str(tmp_path))
    page = read_mrz(render_page("house", REQUEST))
    assert page.geometry is not None
    sidecars = sorted(path.name for path in tmp_path.glob("*.mrz-*.json"))
    assert len(sidecars) == 1
    assert sidecars[0].endswith(f".mrz-{reader_fingerprint()}.json")


def test_a_read_of_another_reader_version_is_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_PAGE_CACHE", str(tmp_path))
    read_mrz(render_page("house", REQUEST))
    # Another reader version: its fingerprint differs, so the page is read again and kept
    # beside the first read rather than over it.
    monkeypatch.setattr(document_pages, "reader_fingerprint", lambda: "another-reader")
    page = read_mrz(render_page("house", REQUEST))
    assert page.geometry is not None
    assert len(list(tmp_path.glob("*.mrz-*.json"))) == 2
