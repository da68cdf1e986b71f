"""A country code read from an image as no ICAO code, one character from the other."""

from __future__ import annotations

from screening.imaging.mrz_image import ImageMrz, MrzStatus, country_misread
from screening.mrz import check_mrz
from screening.pipeline import _image_country_finding
from screening.settings import Settings

MISREAD = ["I<BGDUDDIN<<SHIRIN<<<<<<<<<<<<<<<<<<", "3181622117NGD8310095F3311307<<<<<<<4"]


def test_one_character_from_the_other_valid_code_is_a_likely_misread() -> None:
    assert country_misread({"issuing_country": "BGD", "nationality": "NGD"}, "nationality") == (
        "BGD",
        0,
    )
    assert country_misread({"issuing_country": "UZB", "nationality": "UZH"}, "nationality") == (
        "UZB",
        2,
    )
    # Both codes invalid, two characters apart, or the code is valid: nothing to say.
    assert country_misread({"issuing_country": "XQZ", "nationality": "NQZ"}, "nationality") is None
    assert country_misread({"issuing_country": "BGD", "nationality": "NGF"}, "nationality") is None
    assert country_misread({"issuing_country": "BGD", "nationality": "IND"}, "nationality") is None


def test_an_image_read_refers_instead_of_alerting_while_typed_text_still_alerts() -> None:
    report = check_mrz(MISREAD, Settings())
    [typed] = [f for f in report.findings if f.code.startswith("MRZ_COUNTRY")]
    assert typed.code == "MRZ_COUNTRY_CODE" and typed.severity.value == "alert"
    image = _image_country_finding(typed, report, ImageMrz(MrzStatus.FOUND))
    assert image.code == "MRZ_COUNTRY_CODE_MISREAD" and image.severity.value == "warning"
    assert (image.evidence.field, image.evidence.value, image.evidence.expected) == (
        "nationality",
        "NGD",
        "BGD",
    )
    assert image.evidence.positions == typed.evidence.positions
