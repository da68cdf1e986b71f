"""Booklet input: folders in scan order, multi-page TIFFs and PDFs; bad input is named."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from screening.booklet import pages as pages_module
from screening.booklet.pages import SourceError, SourceImage, natural_key, read_booklet
from screening.errors import InputFileError


def _page(shade: int) -> Image.Image:
    array = np.full((120, 90, 3), shade, np.uint8)
    array[40:80, 20:70] = (shade // 2, 40, 90)
    return Image.fromarray(array)


def test_scan_order_is_natural() -> None:
    names = ["page10.png", "page2.png", "Page1.png"]
    assert sorted(names, key=natural_key) == ["Page1.png", "page2.png", "page10.png"]


def test_folder_pages_come_in_scan_order_and_a_bad_file_is_named(tmp_path: Path) -> None:
    for i, shade in ((10, 200), (2, 220), (1, 240)):
        _page(shade).save(tmp_path / f"scan-{i}.png")
    (tmp_path / "scan-5.jpg").write_bytes(b"not a picture")
    (tmp_path / "notes.txt").write_text("ignored")
    items = read_booklet(tmp_path)
    assert [i.source for i in items] == ["scan-1.png", "scan-2.png", "scan-5.jpg", "scan-10.png"]
    bad = items[2]
    assert isinstance(bad, SourceError) and "scan-5.jpg" in bad.error
    good = [i for i in items if isinstance(i, SourceImage)]
    assert [int(i.bgr[0, 0, 0]) for i in good] == [240, 220, 200]


@pytest.mark.parametrize("fmt", ["TIFF", "PDF"])
def test_multipage_files_give_every_page(tmp_path: Path, fmt: str) -> None:
    frames = [_page(s) for s in (240, 200, 160)]
    target = tmp_path / f"booklet.{fmt.lower()}"
    frames[0].save(target, format=fmt, save_all=True, append_images=frames[1:])
    items = read_booklet(target)
    assert [i.index for i in items] == [0, 1, 2]
    assert all(isinstance(i, SourceImage) for i in items)
    shades = [int(np.median(i.bgr)) for i in items]  # type: ignore[union-attr]
    assert shades[0] > shades[1] > shades[2]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"%PDF-1.4\nbroken", "not a readable PDF"), (b"\x00\x01garbage", "not a readable image")],
)
def test_unreadable_containers_raise(tmp_path: Path, content: bytes, message: str) -> None:
    target = tmp_path / "booklet.bin"
    target.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_booklet(target)


def test_missing_input_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        read_booklet(tmp_path / "absent")
    with pytest.raises(InputFileError, match="no page images"):
        read_booklet(tmp_path)


def test_too_many_pages_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_module, "MAX_IMAGES", 2)
    buffer = io.BytesIO()
    _page(200).save(buffer, format="TIFF", save_all=True, append_images=[_page(150)] * 3)
    target = tmp_path / "b.tif"
    target.write_bytes(buffer.getvalue())
    with pytest.raises(InputFileError, match="at most 2"):
        read_booklet(target)
