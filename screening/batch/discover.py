"""Find the inputs of a batch: every image under a folder, and booklets.

Rules (docs/batch.md):

- Every image file under the folder, recursively, in natural name order (``p2`` before
  ``p10``). An image is a file whose extension or first bytes say so; other files (notes,
  manifests) are listed as skipped, not screened. A file with an image extension that is
  not one becomes an ``error`` row.
- Hidden files and folders (``.name``) are skipped; so are FIFOs, devices and sockets
  (never opened: opening a FIFO would block the run).
- Symbolic links are followed; a folder reached twice (a link loop) is walked once, and a
  file reached under two names is screened once (the second name is listed as skipped).
- The output folder is never an input, even when it lies inside the input folder.
- Booklets, when booklet screening is available: a multi-page TIFF or a PDF is one
  booklet; with ``booklets="auto"`` a sub-folder holding 2 to ``MAX_BOOKLET_PAGES`` page
  images and no sub-folder of its own is one booklet, with ``"folders"`` every sub-folder
  holding images is, and ``"off"`` screens every image alone.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from screening.batch.items import InputKind
from screening.errors import BadArgumentsError

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".jp2", ".pdf"}
)
# First bytes of the formats Pillow reads (and PDF, for booklets).
MAGIC = (
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
    b"GIF87a",
    b"GIF89a",
    b"\x00\x00\x00\x0cjP  ",
    b"%PDF-",
)
MULTIPAGE_EXTENSIONS = frozenset({".tif", ".tiff", ".pdf"})
MAX_BOOKLET_PAGES = 64  # cover to cover with spreads; a bigger folder is a pile of pages
MAX_DEPTH = 64
BOOKLET_MODES = ("auto", "folders", "off")


@dataclass(frozen=True, slots=True)
class Input:
    key: str  # path relative to the input folder, POSIX form
    path: Path
    kind: InputKind
    members: tuple[str, ...] = ()  # a booklet folder's page files, in scan order


@dataclass(slots=True)
class Discovery:
    inputs: list[Input] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def skip(self, key: str, reason: str) -> None:
        self.skipped.append({"file": key, "reason": reason})


def natural_key(name: str) -> tuple[tuple[int, str | int], ...]:
    """Sort key putting ``page2`` before ``page10`` (scan order of page files)."""
    parts = re.split(r"(\d+)", name.casefold())
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in parts if p)


def _is_image(path: Path) -> bool:
    if path.suffix.lower() in IMAGE_EXTENSIONS:
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return head.startswith(MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _page_count(path: Path) -> int:
    """Pages in a TIFF (frames); a PDF counts as many. 1 when unreadable (the worker's
    error row then says why)."""
    if path.suffix.lower() == ".pdf":
        return 2
    try:
        with Image.open(path) as image:
            return int(getattr(image, "n_frames", 1))
    except Exception:  # any decoder failure: a single (bad) image, reported by its row
        return 1


class _Walker:
    def __init__(self, root: Path, exclude: Path | None, booklets: str) -> None:
        self.root = root
        self.exclude = exclude
        self.booklets = booklets
        self.found = Discovery()
        self.dirs_seen: set[tuple[int, int]] = set()
        self.files_seen: dict[tuple[int, int], str] = {}

    def key(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def walk(self, folder: Path, depth: int) -> None:
        try:
            info = folder.stat()
        except OSError as error:
            self.found.skip(self.key(folder) or ".", f"cannot open folder ({error.strerror})")
            return
        identity = (info.st_dev, info.st_ino)
        if identity in self.dirs_seen:
            self.found.skip(self.key(folder), "folder already walked (symbolic link loop)")
            return
        self.dirs_seen.add(identity)
        if depth > MAX_DEPTH:
            self.found.skip(self.key(folder), f"deeper than {MAX_DEPTH} folders")
            return
        try:
            entries = sorted(os.scandir(folder), key=lambda e: natural_key(e.name))
        except OSError as error:
            self.found.skip(self.key(folder), f"cannot list folder ({error.strerror})")
            return
        images: list[Path] = []
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                self.found.skip(self.key(path), "hidden")
                continue
            kind = self._classify(path)
            if kind == "folder":
                subfolders.append(path)
            elif kind == "image":
                images.append(path)
        self._add_images(folder, images, has_subfolders=bool(subfolders))
        for sub in subfolders:
            self.walk(sub, depth + 1)

    def _classify(self, path: Path) -> str | None:
        try:
            info = path.stat()  # follows symbolic links
        except OSError as error:
            if path.suffix.lower() in IMAGE_EXTENSIONS:
                return "image"  # a dangling link named like an image: its row says why
            self.found.skip(self.key(path), f"cannot read ({error.strerror})")
            return None
        if stat.S_ISDIR(info.st_mode):
            if self.exclude is not None and path.resolve() == self.exclude:
                self.found.skip(self.key(path), "the batch output folder")
                return None
            return "folder"
        if not stat.S_ISREG(info.st_mode):
            self.found.skip(self.key(path), "not a regular file")
            return None
        if not _is_image(path):
            self.found.skip(self.key(path), "not an image")
            return None
        identity = (info.st_dev, info.st_ino)
        if identity in self.files_seen:
            self.found.skip(self.key(path), f"same file as {self.files_seen[identity]}")
            return None
        self.files_seen[identity] = self.key(path)
        return "image"

    def _add_images(self, folder: Path, images: list[Path], *, has_subfolders: bool) -> None:
        if self._is_booklet_folder(folder, images, has_subfolders):
            self.found.inputs.append(
                Input(self.key(folder), folder, "booklet", tuple(p.name for p in images))
            )
            return
        for path in images:
            multipage = (
                self.booklets != "off"
                and path.suffix.lower() in MULTIPAGE_EXTENSIONS
                and _page_count(path) > 1
            )
            self.found.inputs.append(
                Input(self.key(path), path, "booklet" if multipage else "image")
            )

    def _is_booklet_folder(self, folder: Path, images: list[Path], has_subfolders: bool) -> bool:
        if folder == self.root or not images or self.booklets == "off":
            return False
        if self.booklets == "folders":
            return True
        return not has_subfolders and 2 <= len(images) <= MAX_BOOKLET_PAGES


def discover(
    input_dir: str | Path,
    *,
    exclude: str | Path | None = None,
    booklets: str = "auto",
    booklets_available: bool = False,
) -> Discovery:
    """Every input under ``input_dir`` (see the module docstring), in a stable order.

    Without booklet screening (``booklets_available`` false) every image is screened
    alone, whatever ``booklets`` says.
    """
    if booklets not in BOOKLET_MODES:
        raise BadArgumentsError(f"booklets must be one of {', '.join(BOOKLET_MODES)}")
    root = Path(input_dir)
    if not root.is_dir():
        raise BadArgumentsError(f"{root}: not a folder")
    walker = _Walker(
        root,
        Path(exclude).resolve() if exclude is not None else None,
        booklets if booklets_available else "off",
    )
    walker.walk(root, 0)
    return walker.found
