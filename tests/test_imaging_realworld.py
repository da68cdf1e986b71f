"""Every real specimen image in ../shared/realworld is read exactly (one image, one test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.imaging.load import load_image
from screening.imaging.mrz_image import MrzStatus, read_image_mrz
from tests.conftest import REALWORLD, realworld_dir


def _records() -> list[dict]:
    index = REALWORLD / "images.jsonl"
    if not index.is_file():
        return []
    return [json.loads(line) for line in index.read_text("utf-8").splitlines() if line.strip()]


RECORDS = _records()


@pytest.mark.realworld
@pytest.mark.parametrize(
    "record",
    [r for r in RECORDS if r["mrz_lines"]] or [None],
    ids=lambda r: Path(r["file"]).stem if r else "realworld-absent",
)
def test_real_specimen_read_exactly(record: dict | None) -> None:
    root = realworld_dir()
    assert record is not None, f"{root / 'images.jsonl'} lists no images"
    image = load_image(root / record["file"])
    result = read_image_mrz(image.gray, use_tesseract=True)
    assert result.status is MrzStatus.FOUND
    assert result.lines == record["mrz_lines"]


@pytest.mark.realworld
def test_real_visa_without_transcription_is_located() -> None:
    root = realworld_dir()
    unread = [r for r in RECORDS if not r["mrz_lines"]]
    if not unread:
        pytest.skip("no untranscribed image in the set")
    image = load_image(root / unread[0]["file"])
    result = read_image_mrz(image.gray, use_tesseract=False)
    assert result.status is MrzStatus.FOUND
    assert result.lines[0].startswith("VIUSATRAVELER<<HAPPYPERSON")
