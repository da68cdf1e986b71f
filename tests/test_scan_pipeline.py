"""`screening scan` on the committed sample set (fixtures/samples/) and on broken input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screening.cli import cli
from screening.pipeline import ScanOptions, scan_image
from screening.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
CHECK_DIGIT_CODES = {"MRZ_CHECK_DIGIT", "MRZ_COMPOSITE_CHECK_DIGIT"}


def _samples() -> list[tuple[Path, dict]]:
    out = []
    for truth_file in sorted(SAMPLES.glob("*.json")):
        truth = json.loads(truth_file.read_text("utf-8"))
        if not isinstance(truth, dict) or "mrz_lines" not in truth:
            continue
        images = [p for p in truth_file.parent.glob(truth_file.stem + ".*") if p.suffix != ".json"]
        if images:
            out.append((images[0], truth))
    return out


SAMPLE_CASES = _samples()


def _scan(path: Path, settings: Settings, **options: bool):
    return scan_image(path, settings, ScanOptions(**options))


def _params(keep: Callable[[dict], bool]) -> list[Any]:
    """One test id per matching sample, or one skipped placeholder when there is none."""
    chosen = [pytest.param(c, id=c[0].stem) for c in SAMPLE_CASES if keep(c[1])]
    if chosen:
        return chosen
    skip = pytest.mark.skip(reason="no such sample in fixtures/samples/")
    return [pytest.param(None, marks=skip)]


def _has_defect(truth: dict, kind: str) -> bool:
    return any(kind in d for d in truth.get("defects_requested", []))


@pytest.mark.parametrize("case", _params(lambda t: bool(t["mrz_lines"])))
def test_sample_mrz_read_exactly(case: tuple[Path, dict], settings: Settings) -> None:
    path, truth = case
    report = _scan(path, settings, check_viz=False)
    assert report.error is None
    assert report.document is not None, [f.code for f in report.findings]
    assert report.document["mrz_lines"] == truth["mrz_lines"]
    assert report.mrz_region is not None and len(report.mrz_region["quad"]) == 4
    assert report.timings["mrz_ms"] > 0


@pytest.mark.parametrize("case", _params(lambda t: not t["mrz_lines"]))
def test_page_without_mrz_gives_mrz_not_found_and_no_text(
    case: tuple[Path, dict], settings: Settings
) -> None:
    path, _ = case
    report = _scan(path, settings, check_viz=False)
    codes = {f.code for f in report.findings}
    assert "MRZ_NOT_FOUND" in codes
    assert report.document is None
    assert str(report.verdict) == "refer"


@pytest.mark.parametrize("case", _params(lambda t: _has_defect(t, "wrong_check_digit")))
def test_printed_wrong_check_digit_is_reported_not_repaired(
    case: tuple[Path, dict], settings: Settings
) -> None:
    path, truth = case
    report = _scan(path, settings, check_viz=False)
    assert report.document is not None
    assert report.document["mrz_lines"] == truth["mrz_lines"]  # as printed, wrong digit kept
    codes = {f.code for f in report.findings}
    assert codes & CHECK_DIGIT_CODES
    assert str(report.verdict) == "alert"


def test_cli_json_batch_goes_on_after_a_bad_file(tmp_path: Path) -> None:
    if not SAMPLE_CASES:
        pytest.skip("fixtures/samples/ not generated")
    good = next(path for path, truth in SAMPLE_CASES if truth["mrz_lines"])
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 definitely not a JPEG")
    result = CliRunner().invoke(
        cli,
        ["scan", "--json", "--today", "2026-11-28", "--no-viz", str(bad), str(good)],
        standalone_mode=False,
    )
    records = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert len(records) == 2
    assert records[0]["verdict"] is None and "error" in records[0]
    assert records[1]["document"]["mrz_lines"]
    for key in ("file", "verdict", "document", "findings", "elapsed_ms", "timings"):
        assert key in records[1]
    assert "mrz_ms" in records[1]["timings"]
    assert result.return_value == 3


def test_blank_image_is_mrz_not_found(tmp_path: Path, settings: Settings) -> None:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(3)
    noise = (200 + rng.normal(0, 12, (600, 900))).clip(0, 255).astype(np.uint8)
    path = tmp_path / "paper.png"
    Image.fromarray(noise).save(path)
    report = _scan(path, settings)
    assert report.document is None
    assert "MRZ_NOT_FOUND" in {f.code for f in report.findings}


def _first_clean_sample() -> tuple[Path, dict]:
    for path, truth in SAMPLE_CASES:
        if truth["mrz_lines"] and truth.get("capture", {}).get("tier") == "clean":
            return path, truth
    pytest.skip("no clean sample in fixtures/samples/")


def test_tiny_image_asks_for_a_rescan_instead_of_a_wrong_read(
    tmp_path: Path, settings: Settings
) -> None:
    import cv2

    source, _ = _first_clean_sample()
    image = cv2.imread(str(source))
    small = cv2.resize(image, None, fx=0.2, fy=0.2, interpolation=cv2.INTER_AREA)
    path = tmp_path / "small.png"
    cv2.imwrite(str(path), small)
    report = _scan(path, settings)
    codes = {f.code for f in report.findings}
    assert report.document is None  # no invented text from 5-pixel characters
    assert codes & {"MRZ_UNREADABLE", "MRZ_NOT_FOUND"}
    assert "IMAGE_LOW_RESOLUTION" in codes
    assert str(report.verdict) == "refer"


def test_blurred_page_gets_image_blur(tmp_path: Path, settings: Settings) -> None:
    import cv2

    source, _ = _first_clean_sample()
    blurred = cv2.GaussianBlur(cv2.imread(str(source)), (0, 0), 5)
    path = tmp_path / "blurred.png"
    cv2.imwrite(str(path), blurred)
    report = _scan(path, settings)
    codes = {f.code for f in report.findings}
    assert report.document is None
    assert "IMAGE_BLUR" in codes
