"""The visual zone of real document designs (../shared/realworld, both indexes): no
false alert on a genuine image, and altered copies of real pages caught (one image, one
test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import realworld_viz
from screening.imaging.load import decode_image
from screening.pipeline import DEFAULT_STAGES, ScanContext, ScanOptions, scan_image
from screening.settings import Settings
from tests.conftest import SCREENING_DATE, realworld_dir

SETTINGS = Settings(today=SCREENING_DATE)
RECORDS = list(realworld_viz.records())


def _mismatches(report) -> set[str]:
    return {f.evidence.field for f in report.findings if f.code == "VIZ_MRZ_MISMATCH"}


@pytest.mark.realworld
@pytest.mark.parametrize(
    ("path", "record"),
    RECORDS or [(None, None)],
    ids=[p.stem for p, _ in RECORDS] or ["realworld-absent"],
)
def test_no_visual_zone_alert_on_a_genuine_real_image(
    path: Path | None, record: dict | None
) -> None:
    realworld_dir()
    assert path is not None and record is not None
    report = scan_image(path, SETTINGS, ScanOptions())
    if report.document is None or report.document["mrz_lines"] != record["mrz_lines"]:
        # Compared with a misread MRZ the page would differ: the MRZ reader's matter
        # (tests/test_imaging_realworld.py), not the visual zone's.
        pytest.skip("the MRZ of this image is not read exactly")
    # A real discrepancy of a specimen's own print (realworld_viz.KNOWN_DISCREPANCIES) may
    # rightly be reported, and only on its field.
    known = realworld_viz.KNOWN_DISCREPANCIES.get(path.stem)
    assert _mismatches(report) <= ({known} if known else set())


# Altered copies of the ICAO Utopia passport page (a clean render): a digit of the number,
# a digit of the birth and expiry dates, a letter of the surname, each replaced by a glyph
# cut from the same page.
UTOPIA = "passporteye__passport-td3"


def _altered(field: str):
    realworld_dir()
    for case in realworld_viz.cases():
        if case.image is not None and case.path.stem == f"{UTOPIA}-altered-{field}":
            return case
    pytest.fail(f"no altered copy of {UTOPIA} for {field}")


@pytest.mark.realworld
@pytest.mark.parametrize("field", ["document_number", "birth_date", "expiry_date", "surname"])
def test_an_altered_real_page_is_caught(field: str) -> None:
    case = _altered(field)
    image = decode_image(case.image, case.path.name)

    def load(ctx: ScanContext) -> None:
        ctx.image = image

    report = scan_image(case.path, SETTINGS, ScanOptions(), (("load", load), *DEFAULT_STAGES[1:]))
    assert field in _mismatches(report), [f.to_dict() for f in report.findings]
