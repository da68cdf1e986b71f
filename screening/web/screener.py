"""Screening uploads on the station: one :class:`ScreeningSession` per process (models
and list store opened once), one screening at a time, nothing written to disk but a
temporary file that is gone when the scan returns."""

from __future__ import annotations

import io
import os
import tempfile
import threading
import warnings
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from screening.errors import InputFileError
from screening.imaging.load import decode_image
from screening.pipeline import ScanOptions
from screening.session import ScreeningSession, SessionOptions
from screening.web.config import StationConfig

_SAFE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes


@dataclass(slots=True)
class PageResult:
    """One screened page: the ``scan --json`` object and what the overlay needs."""

    report: dict[str, Any]
    size: tuple[int, int] | None = None  # (width, height) of the input image
    photo_box: tuple[int, int, int, int] | None = None
    display_jpeg: bytes | None = None  # the page, downscaled for the screen


def display_name(name: str) -> str:
    """The uploaded file's base name only (browsers may send paths), for reports."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:120] or "upload"


def check_pixels(data: bytes, max_pixels: int) -> tuple[int, int]:
    """The image's (width, height) from its header, refused above ``max_pixels``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            width, height = Image.open(io.BytesIO(data)).size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise InputFileError("not a readable image file") from None
    if width * height > max_pixels:
        raise InputFileError(
            f"image too large ({width}x{height} pixels; the station accepts up to "
            f"{max_pixels // 1_000_000} megapixels)"
        )
    return width, height


@dataclass(slots=True)
class BookletSource:
    """One uploaded file of a booklet: its name, the name the booklet report calls it by,
    and (for a single picture, not a PDF or multi-page TIFF) its size and display copy."""

    name: str
    source: str
    size: tuple[int, int] | None = None
    display_jpeg: bytes | None = None


@dataclass(slots=True)
class BookletResult:
    """A booklet screened whole: the ``booklet --json`` object and the uploaded files."""

    report: dict[str, Any]
    sources: list[BookletSource]


def booklet_screener() -> Any | None:
    """``screening.booklet.screen_booklet`` when installed (issue #12), else ``None``."""
    from screening.batch.booklets import booklet_screener as find

    return find()


def is_booklet_container(upload: Upload) -> bool:
    """A PDF or a multi-page TIFF: a whole booklet in one file."""
    if upload.data[:5] == b"%PDF-":
        return True
    try:
        with Image.open(io.BytesIO(upload.data)) as image:
            return int(getattr(image, "n_frames", 1)) > 1
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False


class Screener:
    def __init__(self, config: StationConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._session = ScreeningSession.open(
            config.settings,
            ScanOptions(check_viz=config.use_viz),
            SessionOptions(check_lists=config.check_lists, check_photo=config.check_photo),
        )
        self._tmp = tempfile.TemporaryDirectory(prefix="screening-web-")
        os.chmod(self._tmp.name, 0o700)

    @property
    def lists_store(self) -> Any:
        return self._session.lists_store

    def warm_up(self, sample: Path) -> None:
        """Load the models and touch the list store before the first officer waits."""
        if sample.is_file():
            self.screen_page(Upload(sample.name, sample.read_bytes()))

    def screen_page(self, upload: Upload) -> PageResult:
        name = display_name(upload.name)
        try:
            size = check_pixels(upload.data, self.config.max_pixels)
        except InputFileError as error:
            return PageResult({"file": name, "verdict": None, "error": f"{name}: {error}"})
        suffix = Path(name).suffix.lower()
        with self._lock:
            if not self.config.fixed_today:
                self._session.settings = replace(self._session.settings, today=date.today())
            fd, tmp = tempfile.mkstemp(
                suffix=suffix if suffix in _SAFE_SUFFIXES else ".img", dir=self._tmp.name
            )
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(upload.data)
                report = self._session.scan(tmp).to_dict()
            finally:
                os.unlink(tmp)
        report["file"] = name
        if report.get("error"):
            report["error"] = str(report["error"]).replace(tmp, name)
            return PageResult(report)
        bgr = decode_image(upload.data).bgr
        return PageResult(
            report,
            size=size,
            photo_box=_photo_box(bgr, report),
            display_jpeg=display_jpeg(bgr),
        )

    def screen_booklet(self, uploads: list[Upload]) -> BookletResult:
        """The uploads as one booklet, in upload order (``screening.booklet``)."""
        screen = booklet_screener()
        assert screen is not None, "screening.booklet is not installed"
        names = [display_name(u.name) for u in uploads]
        with self._lock, tempfile.TemporaryDirectory(dir=self._tmp.name) as folder:
            if not self.config.fixed_today:
                self._session.settings = replace(self._session.settings, today=date.today())
            if len(uploads) == 1:
                target = Path(folder) / _safe_file_name(0, names[0], uploads[0])
                target.write_bytes(uploads[0].data)
            else:
                target = Path(folder)
                for index, (name, upload) in enumerate(zip(names, uploads, strict=True)):
                    (target / _safe_file_name(index, name, upload)).write_bytes(upload.data)
            report = screen(self._session, target).to_dict()
        report["file"] = names[0] if len(uploads) == 1 else f"{len(uploads)} files"
        sources: list[BookletSource] = []
        for index, (name, upload) in enumerate(zip(names, uploads, strict=True)):
            source = BookletSource(name, _safe_file_name(index, name, upload))
            if not is_booklet_container(upload):  # one picture: shown with its outlines
                try:
                    loaded = decode_image(upload.data)
                    source.size, source.display_jpeg = loaded.size, display_jpeg(loaded.bgr)
                except InputFileError:
                    pass  # the booklet report says why it could not be read
            sources.append(source)
        return BookletResult(report, sources)

    def close(self) -> None:
        self._session.close()
        self._tmp.cleanup()


def _safe_file_name(index: int, name: str, upload: Upload) -> str:
    """The name a page is stored under for the booklet reader: its place in the upload
    order first (the reader sorts by name), then a harmless form of the original name."""
    suffix = Path(name).suffix.lower()
    if upload.data[:5] == b"%PDF-":
        suffix = ".pdf"
    elif suffix not in _SAFE_SUFFIXES:
        suffix = ".png"
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(name).stem)[:60]
    return f"{index:03d}-{stem or 'page'}{suffix}"


def display_jpeg(bgr: np.ndarray, max_side: int = 1400) -> bytes:
    """The page as a JPEG no larger than ``max_side`` (the overlay scales to it)."""
    height, width = bgr.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale < 1.0:
        bgr = cv2.resize(
            bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
        )
    ok, buffer = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:  # pragma: no cover - OpenCV encodes any 8-bit BGR array
        raise InputFileError("cannot encode the page for display")
    return buffer.tobytes()


def _photo_box(bgr: np.ndarray, report: dict[str, Any]) -> tuple[int, int, int, int] | None:
    """Where the portrait is: the photo check's box when it ran, else placed from the
    MRZ (passport and TD2 layouts; a TD1 card carries its MRZ on the back)."""
    document = report.get("document") or {}
    photo = (document.get("edition") or {}).get("photo") or {}
    if photo.get("region"):
        return tuple(int(v) for v in photo["region"])  # type: ignore[return-value]
    region = (report.get("mrz_region") or {}).get("box")
    if not region or document.get("format") not in ("TD3", "TD2"):
        return None
    from screening.documents.photo import photo_box_from_mrz

    rgb = np.ascontiguousarray(bgr[..., ::-1])
    return photo_box_from_mrz(rgb, region, document["format"])
