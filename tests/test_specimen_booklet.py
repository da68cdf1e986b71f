"""``screening specimen booklet``: a trainer's booklet exercise with chosen defects, its
truth beside it; the generator's own tables reject what it cannot make."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.cli import main
from screening.errors import ExitCode


def test_booklet_with_chosen_defects_and_its_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["specimen", "booklet", "--out", str(tmp_path), "--seed", "4", "--dpi", "150"]
    args += ["--pulled", "1", "--stub", "--substituted", "1", "--substitution-sign", "number"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    folder = Path(summary["booklet"])
    truth = json.loads(folder.with_name(folder.name + ".truth.json").read_text("utf-8"))
    assert sorted(p.name for p in folder.iterdir()) == [im["file"] for im in truth["images"]]
    assert len(truth["pulled"]) == 1 and truth["pulled"][0]["stub"] is True
    assert any(im["stub"] for im in truth["images"]), "the stub shows on a spread"
    assert [leaf["signs"] for leaf in truth["substituted"]] == [["number"]]
    assert summary["pages_missing"] == truth["pages_missing"] != []
    assert summary["screening_date"] == truth["screening_date"]


@pytest.mark.parametrize(
    "bad",
    [["--model", "KGZ-1066"], ["--route-defect", "teleport"], ["--style", "baroque"]],
)
def test_what_the_generator_cannot_make_is_a_bad_argument(
    tmp_path: Path, bad: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["specimen", "booklet", "--out", str(tmp_path), *bad]) == ExitCode.bad_args
    assert bad[1] in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
