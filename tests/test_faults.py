"""Faults of the environment: Tesseract missing or broken, a model file missing or not
the one its card describes, the disk filling up during an import or an export.

Each fault is real: a PATH without Tesseract (or with a stand-in that fails, the way
OCRmyPDF tests a crashing engine), a model file truncated on disk, a process whose file
size limit (RLIMIT_FSIZE) makes every write past it fail as on a full disk.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from screening.errors import ExitCode, MissingDependencyError
from screening.imaging import ocrb
from screening.lists import open_store
from screening.model_integrity import CARD_NAME, file_sha256, verified_card
from tests.cli_helpers import console, console_command, run
from tests.conftest import REPO
from tests.lists_helpers import BASE_ROWS, write_feed

SAMPLE = REPO / "fixtures" / "samples" / "td3-ind-mild-wrong-composite.jpg"


# --- Tesseract ---------------------------------------------------------------------------


def _scan_with_path(path_dir: Path) -> dict:
    env = {**os.environ, "PATH": str(path_dir)}
    done = console("scan", "--json", "--no-lists", "--today", "2026-11-28", str(SAMPLE), env=env)
    assert done.returncode == ExitCode.ok, done.stderr
    assert b"OCR_ENGINE_UNAVAILABLE" in done.stderr  # said once, up front
    return json.loads(done.stdout)


def _assert_read_by_our_reader_alone(report: dict, why: str) -> None:
    codes = {f["code"]: f for f in report["findings"]}
    assert why in codes["OCR_ENGINE_UNAVAILABLE"]["evidence"]["reason"]
    # The page's MRZ (its composite check digit fails) is read and judged all the same.
    assert report["document"]["fields"]["document_number"] == "U7040045"
    assert "MRZ_COMPOSITE_CHECK_DIGIT" in codes and report["verdict"] == "alert"
    assert report["engines"]["tesseract_ran"] is False


def test_without_tesseract_the_scan_goes_on_with_our_own_reader(tmp_path: Path) -> None:
    _assert_read_by_our_reader_alone(_scan_with_path(tmp_path), "not installed")


def test_a_broken_tesseract_is_reported_not_trusted(tmp_path: Path) -> None:
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n")
    fake.chmod(0o755)
    _assert_read_by_our_reader_alone(_scan_with_path(tmp_path), "does not start")


# --- model files ---------------------------------------------------------------------------


def _model_copy(tmp_path: Path) -> Path:
    for name in (ocrb.MODEL_FILE.name, CARD_NAME):
        shutil.copy(ocrb.MODEL_FILE.with_name(name), tmp_path / name)
    return tmp_path / ocrb.MODEL_FILE.name


def test_a_model_matching_its_card_is_accepted(tmp_path: Path) -> None:
    card = verified_card(_model_copy(tmp_path), what="OCR-B", rebuild="models.train_ocrb")
    assert card["model_sha256"] == file_sha256(ocrb.MODEL_FILE)


@pytest.mark.parametrize("damage", ["truncated", "replaced", "missing", "card without digest"])
def test_a_damaged_model_refuses_the_scan_before_any_image(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    model = _model_copy(tmp_path)
    if damage == "truncated":
        model.write_bytes(model.read_bytes()[:1000])
    elif damage == "replaced":
        shutil.copy(REPO / "models" / "photo_substitution" / "model.joblib", model)
    elif damage == "missing":
        model.unlink()
    else:
        card = json.loads((tmp_path / CARD_NAME).read_text())
        del card["model_sha256"]
        (tmp_path / CARD_NAME).write_text(json.dumps(card))
    monkeypatch.setattr(ocrb, "MODEL_FILE", model)
    code, out, err = run(capsys, "scan", "--no-lists", str(SAMPLE))
    assert code == ExitCode.missing_dependency and out == ""
    assert "OCR-B model" in err and "models.train_ocrb" in err
    with pytest.raises(MissingDependencyError):
        verified_card(model, what="OCR-B", rebuild="models.train_ocrb")


@pytest.mark.parametrize("card", sorted((REPO / "models").glob(f"*/{CARD_NAME}")))
def test_every_committed_model_is_the_one_its_card_describes(card: Path) -> None:
    (model,) = card.parent.glob("*.joblib")
    assert json.loads(card.read_text())["model_sha256"] == file_sha256(model)


# --- a full disk ---------------------------------------------------------------------------


def _disk_full_after(limit_bytes: int):
    """preexec_fn: writes beyond ``limit_bytes`` in any file fail (EFBIG), as on a
    full disk, instead of killing the process (SIGXFSZ ignored)."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return limit


def _console_limited(limit_bytes: int, *argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*console_command(), *argv],
        capture_output=True,
        timeout=300,
        check=False,
        preexec_fn=_disk_full_after(limit_bytes),
    )


def test_a_full_disk_during_an_import_leaves_the_previous_list_answering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/lists.db"
    feed = write_feed(tmp_path / "base.csv", BASE_ROWS)
    assert run(capsys, "lists", "import", str(feed), "--lists", url)[0] == ExitCode.ok
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write("issuing_state,document_type,document_number,status\n")
        fh.writelines(f"KGZ,P,AB{i:07d},lost\n" for i in range(200_000))
    done = _console_limited(2 << 20, "lists", "import", str(big), "--lists", url)
    assert done.returncode == ExitCode.list_store, done.stderr
    assert b"Traceback" not in done.stderr
    with open_store(url, create=False) as store:
        active = store.active_version()
        assert active is not None and active.id == 1 and active.records == 5
        assert store.versions()[0].state in ("failed", "interrupted")
    code, out, _ = run(capsys, "lists", "check", "--lists", url, "KGZ", "AN1234567")
    assert code == ExitCode.ok and out.startswith("HIT")
    # The next import (no limit now) cleans up and succeeds.
    assert run(capsys, "lists", "import", str(big), "--lists", url)[0] == ExitCode.ok


def test_a_full_disk_during_an_export_leaves_no_truncated_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/lists.db"
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write("issuing_state,document_type,document_number,status\n")
        fh.writelines(f"KGZ,P,AB{i:07d},lost\n" for i in range(100_000))
    assert run(capsys, "lists", "import", str(big), "--lists", url)[0] == ExitCode.ok
    export = tmp_path / "export.csv"
    export.write_text("the previous export\n")
    done = _console_limited(256 << 10, "lists", "export", str(export), "--lists", url)
    assert done.returncode == ExitCode.output_file, done.stderr
    assert export.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".export")) == []
