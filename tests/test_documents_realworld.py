"""Real specimen documents (../shared/realworld): none is given a photo alert by a
default scan, and none is taken for a hand-filled legacy page even when its MRZ is
ignored (issue 11: a French card whose MRZ was not found was reported as the withdrawn
1994 edition)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from screening.documents.stage import screen_documents
from screening.documents.upright import mrz_geometry
from screening.imaging.load import load_image
from screening.imaging.mrz_image import MrzStatus, read_image_mrz
from screening.session import SessionOptions
from screening.settings import Settings
from tests.conftest import REPO, SCREENING_DATE, realworld_dir

ANNOTATIONS = REPO / "benchmarks" / "data" / "realworld_portraits.json"
FILES = [r["file"] for r in json.loads(ANNOTATIONS.read_text("utf-8"))["images"]]
LEGACY_CODES = {"LEGACY_HANDFILLED", "LEGACY_NOT_ICAO", "EDITION_WITHDRAWN"}
# A few run with every `make test` (a French card, a Swiss card, a passport); the rest
# (seconds each: Tesseract) with the slow tests.
FAST = {
    "more/images/arg0s__resident_cards__France.png",
    "images/passporteye__100_id-che.jpg",
    "images/passporteye__passport-td3.png",
}
# Known errors of the committed models, kept visible (strict: fixed means remove the mark;
# benchmarks/results/documents.md lists them too).
KNOWN_ERRORS: dict[str, str] = {}


def _marks(file: str) -> list[pytest.MarkDecorator]:
    marks = [] if file in FAST else [pytest.mark.slow]
    if file in KNOWN_ERRORS:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_ERRORS[file]))
    return marks


CASES = [pytest.param(f, id=Path(f).stem, marks=_marks(f)) for f in FILES]


@pytest.mark.realworld
@pytest.mark.parametrize("file", CASES)
def test_genuine_real_document_is_not_flagged(file: str) -> None:
    image = load_image(realworld_dir() / file)
    rgb = np.ascontiguousarray(image.bgr[..., ::-1])
    mrz = read_image_mrz(image.gray, use_tesseract=True)
    settings = Settings(today=SCREENING_DATE)
    scanned = screen_documents(
        rgb,
        settings=settings,
        mrz_geometry=mrz_geometry(mrz),
        check_legacy=mrz.status is MrzStatus.NOT_FOUND,
        check_photo=SessionOptions().check_photo,  # as a default scan
    )
    codes = {f.code for f in scanned.findings}
    assert "PHOTO_SUBSTITUTION_SUSPECTED" not in codes, scanned.edition.get("photo")
    assert not codes & LEGACY_CODES
    # The same page as if its MRZ had not been found: still no legacy edition.
    ignored = screen_documents(rgb, settings=settings, check_legacy=True, check_photo=False)
    assert not {f.code for f in ignored.findings} & LEGACY_CODES, ignored.edition
