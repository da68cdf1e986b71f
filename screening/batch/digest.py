"""Content digests of inputs: what makes a resumed run screen a changed file again."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from screening.errors import InputFileError

CHUNK = 1 << 20


def read_regular_file(path: str | Path, *, limit: int | None = None) -> bytes:
    """The bytes of a regular file; never blocks on a FIFO or a device put in its place."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise InputFileError(f"{path}: cannot read file ({error.strerror or error})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{path}: not a regular file")
        if limit is not None and info.st_size > limit:
            raise InputFileError(f"{path}: file too large ({info.st_size} bytes)")
        chunks = []
        while chunk := os.read(fd, CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise InputFileError(f"{path}: cannot read file ({error.strerror or error})") from None
    finally:
        os.close(fd)


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: str | Path) -> str:
    """SHA-256 of a regular file, read in chunks (flat memory on large files)."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise InputFileError(f"{path}: cannot read file ({error.strerror or error})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputFileError(f"{path}: not a regular file")
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
    except OSError as error:
        raise InputFileError(f"{path}: cannot read file ({error.strerror or error})") from None
    finally:
        os.close(fd)
    return digest.hexdigest()


def members_digest(members: Iterable[tuple[str, str]]) -> str:
    """One digest for a booklet folder: its page names (in order) and their digests."""
    digest = hashlib.sha256()
    for name, member in members:
        digest.update(f"{name}\0{member}\n".encode())
    return digest.hexdigest()
