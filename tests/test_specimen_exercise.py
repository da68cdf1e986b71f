"""``screening specimen`` for trainers: a page of a chosen edition, a hand-filled page, a
substituted photo with a chosen sign (fixtures/exercise.py)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from screening.cli import main


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (
            ["--edition", "KGZ-P-1994", "--capture", "mild"],
            {"edition": "KGZ-P-1994", "handwritten": True},
        ),
        (["--kind", "typed_legacy"], {"edition": "KGZ-P-1994", "handwritten": False}),
        (
            ["--state", "KAZ", "--defect", "photo_substituted:seal_redrawn"],
            {"state": "KAZ", "substituted": True},
        ),
    ],
)
def test_trainer_specimen(tmp_path: Path, args: list[str], expect: dict) -> None:
    assert main(["specimen", *args, "--dpi", "150", "--seed", "4", "--out", str(tmp_path)]) == 0
    (truth_file,) = tmp_path.glob("*.json")
    truth = json.loads(truth_file.read_text("utf-8"))
    assert {k: truth.get(k) for k in expect} == expect
    if "substituted" in expect:
        assert truth["substitution"]["signs"] == ["seal_redrawn"]
    assert cv2.imread(str(tmp_path / truth["image_file"])) is not None


@pytest.mark.parametrize(
    "args",
    [
        ["--edition", "SUN-PN-1974"],  # no generator draws it
        ["--edition", "XXX-P-2000"],
        ["--kind", "handfilled", "--defect", "wrong_check_digit"],
        ["--defect", "photo_substituted:smudge"],
        ["--defect", "photo_substituted", "--defect", "viz_altered"],
    ],
)
def test_trainer_specimen_bad_requests(tmp_path: Path, args: list[str]) -> None:
    assert main(["specimen", *args, "--out", str(tmp_path)]) == 2
    assert not list(tmp_path.glob("*"))
