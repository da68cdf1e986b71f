"""Read a booklet's images: a folder of page scans (file names in scan order), a
multi-page TIFF or a PDF. Each image may show one page or a spread.

Limits keep a hostile or broken input from exhausting the machine: at most
:data:`MAX_IMAGES` images, each at most :data:`MAX_PIXELS` pixels (PDF pages are
rasterised at :data:`PDF_DPI`, lower when a page would exceed the pixel limit). A file
that cannot be read inside a folder becomes a :class:`SourceError` and the others go on;
an unreadable container (a TIFF or PDF that does not open) raises
:class:`~screening.errors.InputFileError`.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from screening.errors import InputFileError, MissingDependencyError
from screening.imaging.load import MAX_FILE_BYTES, MAX_PIXELS, MAX_SIDE, check_shape, decode_image

MAX_IMAGES = 120  # a 64-page booklet as singles plus covers, with room to spare
MAX_CONTAINER_BYTES = 400 * 1024 * 1024
PDF_DPI = 200
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass(frozen=True, slots=True)
class SourceImage:
    """One image of the booklet: where it came from and its pixels (BGR)."""

    source: str  # file name (inside a folder) or the container's name
    index: int  # page index inside a TIFF/PDF, 0 for a plain image file
    bgr: np.ndarray
    # The file itself, when the image is a whole image file (scan can read it directly).
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class SourceError:
    source: str
    index: int
    error: str


def natural_key(name: str) -> list[object]:
    """Scan order from file names: ``page2`` before ``page10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def read_booklet(path: str | Path) -> list[SourceImage | SourceError]:
    """Every image of the booklet at ``path`` in scan order."""
    path = Path(path)
    if path.is_dir():
        return _read_folder(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file or folder")
    data = read_bytes(path, MAX_CONTAINER_BYTES)
    if data[:5] == b"%PDF-":
        items: list[SourceImage | SourceError] = list(_read_pdf(data, path.name))
    else:
        items = list(read_image_file(data, path.name, path))
    if not items:
        raise InputFileError(f"{path}: holds no page image")
    return items


def read_bytes(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size == 0:
            raise InputFileError(f"{path}: empty file")
        if size > limit:
            raise InputFileError(
                f"{path}: file too large ({size // 2**20} MB; limit {limit // 2**20} MB)"
            )
        return path.read_bytes()
    except OSError as error:
        raise InputFileError(f"{path}: cannot read file ({error.strerror or error})") from None


def _read_folder(folder: Path) -> list[SourceImage | SourceError]:
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
        key=lambda p: natural_key(p.name),
    )
    if not files:
        raise InputFileError(f"{folder}: no page images (.png, .jpg, .tif, ...) in this folder")
    if len(files) > MAX_IMAGES:
        raise InputFileError(f"{folder}: {len(files)} images; a booklet has at most {MAX_IMAGES}")
    out: list[SourceImage | SourceError] = []
    for file in files:
        try:
            data = read_bytes(file, MAX_FILE_BYTES)
            pages = list(read_image_file(data, file.name, file))
        except InputFileError as error:
            out.append(SourceError(file.name, 0, str(error)))
            continue
        out.extend(pages)
    if len(out) > MAX_IMAGES:
        raise InputFileError(f"{folder}: more than {MAX_IMAGES} page images")
    return out


def _decode_single(data: bytes, name: str, size: tuple[int, int]) -> np.ndarray:
    """A single image as BGR. OpenCV decodes PNG and JPEG in about half the time of
    Pillow (the same pixels; it also applies the EXIF orientation); the size is checked
    before decoding, and anything OpenCV cannot read goes through the shared loader, which
    also gives the error."""
    check_shape(size[0], size[1], name)
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None or bgr.shape[:2] not in (size[::-1], size):
        return decode_image(data, name).bgr
    return bgr


def read_image_file(data: bytes, name: str, path: Path) -> Iterator[SourceImage | SourceError]:
    """A plain image, or every frame of a multi-page TIFF."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            frames = getattr(image, "n_frames", 1)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise InputFileError(f"{name}: not a readable image, TIFF or PDF file") from None
    if frames > MAX_IMAGES:
        raise InputFileError(f"{name}: {frames} pages; a booklet has at most {MAX_IMAGES}")
    if frames == 1:
        yield SourceImage(name, 0, _decode_single(data, name, image.size), path)
        return
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        try:
            w, h = frame.size
            check_shape(w, h, f"{name} page {index + 1}")  # before decoding (issue #17)
            rgb = np.asarray(frame.convert("RGB"))
            yield SourceImage(name, index, np.ascontiguousarray(rgb[:, :, ::-1]))
        except InputFileError as error:
            yield SourceError(name, index, str(error))
        except (OSError, ValueError) as error:
            yield SourceError(name, index, f"{name} page {index + 1}: unreadable ({error})")


def _read_pdf(data: bytes, name: str) -> Iterator[SourceImage | SourceError]:
    """Rasterise each PDF page with PDFium (pypdfium2)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a declared dependency
        raise MissingDependencyError(
            "pypdfium2 is not installed", hint="pip install pypdfium2"
        ) from None
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise InputFileError(f"{name}: not a readable PDF ({error})") from None
    try:
        count = len(document)
        if count > MAX_IMAGES:
            raise InputFileError(f"{name}: {count} pages; a booklet has at most {MAX_IMAGES}")
        for index in range(count):
            try:
                page = document[index]
                w_pt, h_pt = page.get_size()
                scale = PDF_DPI / 72.0
                if w_pt * h_pt * scale * scale > MAX_PIXELS:
                    scale = float(np.sqrt(MAX_PIXELS / max(1.0, w_pt * h_pt)))
                scale = min(scale, MAX_SIDE / max(1.0, w_pt, h_pt))
                check_shape(round(w_pt * scale), round(h_pt * scale), f"{name} page {index + 1}")
                bitmap = page.render(scale=scale)
                rgb = np.asarray(bitmap.to_pil().convert("RGB"))
                yield SourceImage(name, index, np.ascontiguousarray(rgb[:, :, ::-1]))
            except pdfium.PdfiumError as error:
                yield SourceError(name, index, f"{name} page {index + 1}: cannot render ({error})")
            except InputFileError as error:
                yield SourceError(name, index, str(error))
    finally:
        document.close()


def to_gray(bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
