"""Read an image file safely: size limits, decompression-bomb guard, EXIF orientation.

Anything we cannot turn into pixels (missing, empty, not an image, truncated, absurdly
large) is an :class:`InputFileError` naming the file and the reason, never a traceback.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from screening.errors import InputFileError

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_PIXELS = 80_000_000  # about 10,000 x 8,000: far above a 600 dpi passport page
MIN_SIDE = 32
# Longest side over shortest. A data page is 1.4:1, a two-page spread 2.8:1, an MRZ strip
# cut out on its own about 5.5:1; a 32 x 40,000 "page" is no document, and stages that
# scale to a working width would turn it into gigabytes.
MAX_ASPECT = 8.0
# Longest side. Some stages work with windows proportional to it (the light flattening
# of the second MRZ attempt: O(pixels x long side)); 12,000 px holds a 48 MP phone photo
# and a 600 dpi scan of an A4 sheet.
MAX_SIDE = 12_000


@dataclass(frozen=True, slots=True)
class LoadedImage:
    path: Path
    bgr: np.ndarray
    gray: np.ndarray
    file_bytes: int

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (int(self.gray.shape[1]), int(self.gray.shape[0]))


def load_image(path: str | Path) -> LoadedImage:
    """Decode ``path`` into BGR and grey arrays, upright according to its EXIF tag."""
    file = Path(path)
    try:
        size = file.stat().st_size
    except OSError as error:
        raise InputFileError(f"{file}: cannot read file ({error.strerror or error})") from None
    if not file.is_file():
        raise InputFileError(f"{file}: not a regular file")
    if size == 0:
        raise InputFileError(f"{file}: empty file")
    if size > MAX_FILE_BYTES:
        raise InputFileError(
            f"{file}: file too large ({size // (1024 * 1024)} MB; limit "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB)"
        )
    try:
        data = file.read_bytes()
    except OSError as error:
        raise InputFileError(f"{file}: cannot read file ({error.strerror or error})") from None
    return decode_image(data, file)


def check_shape(width: int, height: int, label: str) -> None:
    """Refuse an image no stage can screen in bounded time and memory: too many pixels,
    too small, longer than any document, or with a side past :data:`MAX_SIDE`. Called
    before the pixels are decoded, and on pages that never were a file (booklet frames,
    PDF pages)."""
    if width * height > MAX_PIXELS:
        raise InputFileError(
            f"{label}: image too large ({width}x{height} pixels; limit "
            f"{MAX_PIXELS // 1_000_000} megapixels)"
        )
    if min(width, height) < MIN_SIDE:
        raise InputFileError(f"{label}: image too small ({width}x{height} pixels)")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise InputFileError(
            f"{label}: image shape out of range ({width}x{height} pixels; no document "
            f"is more than {MAX_ASPECT:g} times longer than wide)"
        )
    if max(width, height) > MAX_SIDE:
        raise InputFileError(
            f"{label}: image too large ({width}x{height} pixels; limit "
            f"{MAX_SIDE:,} pixels on the longest side)"
        )


def decode_image(data: bytes, name: Path | str = "<bytes>") -> LoadedImage:
    label = str(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            header = Image.open(io.BytesIO(data))
            width, height = header.size
            check_shape(width, height, label)
            header.load()
            upright = ImageOps.exif_transpose(header)
            rgb = np.asarray(upright.convert("RGB"))
    except InputFileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputFileError(
            f"{label}: image too large (decompression-bomb guard; limit "
            f"{MAX_PIXELS // 1_000_000} megapixels)"
        ) from None
    except UnidentifiedImageError:
        raise InputFileError(f"{label}: not a readable image file") from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise InputFileError(f"{label}: corrupt or truncated image ({error})") from None
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    return LoadedImage(path=Path(label), bgr=bgr, gray=gray, file_bytes=len(data))
