"""Hostile and broken inputs give a typed InputFileError, never a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from screening.errors import InputFileError
from screening.imaging.load import MAX_PIXELS, decode_image, load_image


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="cannot read"):
        load_image(tmp_path / "absent.png")


def test_directory_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        load_image(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        load_image(path)


def test_text_file_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("P<UTOERIKSSON<<ANNA<MARIA\n", "utf-8")
    with pytest.raises(InputFileError, match="not a readable image"):
        load_image(path)


def test_truncated_png() -> None:
    data = _png(np.full((200, 300), 200, np.uint8))
    with pytest.raises(InputFileError):
        decode_image(data[: len(data) // 2], "cut.png")


def test_decompression_bomb_header_is_refused_before_decoding() -> None:
    # A tiny file whose header claims a gigantic image.
    side = int(MAX_PIXELS**0.5) + 1000
    img = Image.new("1", (side, side))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 5_000_000
    with pytest.raises(InputFileError, match="too large"):
        decode_image(buffer.getvalue(), "bomb.png")


def test_tiny_image_refused() -> None:
    with pytest.raises(InputFileError, match="too small"):
        decode_image(_png(np.zeros((8, 8), np.uint8)), "dot.png")


def test_exif_orientation_is_applied() -> None:
    array = np.zeros((60, 120, 3), np.uint8)
    array[:, :60] = 255  # left half white
    img = Image.fromarray(array)
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif, quality=95)
    loaded = decode_image(buffer.getvalue(), "rotated.jpg")
    assert loaded.size == (60, 120)
    # After turning clockwise the white half is on top.
    assert loaded.gray[:50].mean() > 200 > 50 > loaded.gray[70:].mean()
