"""Discovery of batch inputs: what is screened, what is skipped and why, booklets."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from screening.batch.discover import discover, natural_key
from screening.errors import BadArgumentsError

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _touch(path: Path, data: bytes = PNG) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _keys(root: Path, **kwargs: object) -> list[tuple[str, str]]:
    return [(i.key, i.kind) for i in discover(root, **kwargs).inputs]  # type: ignore[arg-type]


def _skipped(root: Path, **kwargs: object) -> dict[str, str]:
    found = discover(root, **kwargs)  # type: ignore[arg-type]
    return {s["file"]: s["reason"] for s in found.skipped}


def test_every_image_recursively_in_natural_order(tmp_path: Path) -> None:
    for name in ("p10.png", "p2.png", "a/p1.jpg", "b/c/deep.tif"):
        _touch(tmp_path / name)
    assert _keys(tmp_path) == [
        ("p2.png", "image"),
        ("p10.png", "image"),
        ("a/p1.jpg", "image"),
        ("b/c/deep.tif", "image"),
    ]


def test_natural_key_orders_page_numbers() -> None:
    assert sorted(["page10", "page2", "Page1"], key=natural_key) == ["Page1", "page2", "page10"]


def test_hidden_and_non_images_are_skipped_with_a_reason(tmp_path: Path) -> None:
    _touch(tmp_path / "ok.png")
    _touch(tmp_path / ".DS_Store")
    _touch(tmp_path / "._ok.png")  # AppleDouble file named like an image
    _touch(tmp_path / ".cache" / "x.png")
    _touch(tmp_path / "notes.txt", b"seized 2026-11-28\n")
    assert _keys(tmp_path) == [("ok.png", "image")]
    skipped = _skipped(tmp_path)
    assert skipped["notes.txt"] == "not an image"
    assert {skipped[k] for k in (".DS_Store", "._ok.png", ".cache")} == {"hidden"}


def test_image_found_by_its_bytes_and_a_fake_image_kept_for_its_error_row(tmp_path: Path) -> None:
    _touch(tmp_path / "scan0001", PNG)  # no extension, PNG signature
    _touch(tmp_path / "fake.jpg", b"not a jpeg at all")
    assert _keys(tmp_path) == [("fake.jpg", "image"), ("scan0001", "image")]


def test_symlink_loop_is_walked_once_and_a_file_seen_twice_is_screened_once(
    tmp_path: Path,
) -> None:
    _touch(tmp_path / "a" / "page.png")
    os.symlink("..", tmp_path / "a" / "up")
    os.symlink("page.png", tmp_path / "a" / "same.png")
    assert _keys(tmp_path) == [("a/page.png", "image")]
    skipped = _skipped(tmp_path)
    assert skipped["a/up"] == "folder already walked (symbolic link loop)"
    assert skipped["a/same.png"] == "same file as a/page.png"


def test_fifo_is_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")
    _touch(tmp_path / "ok.png")
    assert _keys(tmp_path) == [("ok.png", "image")]
    assert _skipped(tmp_path)["pipe.png"] == "not a regular file"


def test_dangling_link_named_like_an_image_becomes_an_error_row(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.png", tmp_path / "link.png")
    assert _keys(tmp_path) == [("link.png", "image")]


def test_output_folder_inside_the_input_is_not_an_input(tmp_path: Path) -> None:
    _touch(tmp_path / "ok.png")
    _touch(tmp_path / "out" / "thumb.png")
    assert _keys(tmp_path, exclude=tmp_path / "out") == [("ok.png", "image")]


def test_not_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadArgumentsError):
        discover(tmp_path / "missing")


def _booklet_tree(root: Path) -> None:
    for page in ("p1.jpg", "p2.jpg", "p3.jpg"):
        _touch(root / "passport-A" / page)
    _touch(root / "single" / "data-page.jpg")
    _touch(root / "loose.png")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (
            "auto",
            [("loose.png", "image"), ("passport-A", "booklet"), ("single/data-page.jpg", "image")],
        ),
        ("folders", [("loose.png", "image"), ("passport-A", "booklet"), ("single", "booklet")]),
        (
            "off",
            [
                ("loose.png", "image"),
                ("passport-A/p1.jpg", "image"),
                ("passport-A/p2.jpg", "image"),
                ("passport-A/p3.jpg", "image"),
                ("single/data-page.jpg", "image"),
            ],
        ),
    ],
)
def test_booklet_folders_when_booklet_screening_exists(
    tmp_path: Path, mode: str, expected: list[tuple[str, str]]
) -> None:
    _booklet_tree(tmp_path)
    assert _keys(tmp_path, booklets=mode, booklets_available=True) == expected
    members = {
        i.key: i.members for i in discover(tmp_path, booklets=mode, booklets_available=True).inputs
    }
    if mode != "off":
        assert members["passport-A"] == ("p1.jpg", "p2.jpg", "p3.jpg")


def test_without_booklet_screening_pages_are_screened_one_by_one(tmp_path: Path) -> None:
    _booklet_tree(tmp_path)
    kinds = {kind for _, kind in _keys(tmp_path, booklets="auto", booklets_available=False)}
    assert kinds == {"image"}


def test_multipage_tiff_is_a_booklet_when_booklet_screening_exists(tmp_path: Path) -> None:
    pages = [Image.fromarray(np.full((40, 40), v, np.uint8)) for v in (50, 200)]
    pages[0].save(tmp_path / "passport.tiff", save_all=True, append_images=pages[1:])
    pages[0].save(tmp_path / "one-page.tiff")
    assert _keys(tmp_path, booklets_available=True) == [
        ("one-page.tiff", "image"),
        ("passport.tiff", "booklet"),
    ]
    assert _keys(tmp_path, booklets_available=False) == [
        ("one-page.tiff", "image"),
        ("passport.tiff", "image"),
    ]
