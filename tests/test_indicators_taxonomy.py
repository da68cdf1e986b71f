"""Every finding code maps to a European document-fraud category or a non-fraud class."""

from __future__ import annotations

import pytest

from screening.findings import catalog
from screening.indicators.taxonomy import NO_FINDINGS, UNCLASSIFIED, classify, load_taxonomy

TAXONOMY = load_taxonomy()


@pytest.mark.parametrize("code", sorted(catalog()))
def test_every_catalogued_code_is_classified(code: str) -> None:
    entry = TAXONOMY.codes.get(code)
    assert entry is not None, f"{code}: add it to screening/indicators/data/taxonomy.toml"
    assert entry.category in (*TAXONOMY.fraud, *TAXONOMY.not_fraud)
    assert set(entry.also) <= set(TAXONOMY.fraud) | set(TAXONOMY.not_fraud)
    assert entry.basis


def test_taxonomy_knows_only_catalogued_codes() -> None:
    assert set(TAXONOMY.codes) <= set(catalog())


def test_the_six_european_categories_and_their_precedence() -> None:
    expected = {
        "counterfeit",
        "forged",
        "fraudulently_obtained",
        "impostor",
        "stolen_blank",
        "pseudo_document",
    }
    assert set(TAXONOMY.fraud) == expected
    assert set(TAXONOMY.precedence) == expected


@pytest.mark.parametrize(
    ("codes", "primary", "fraud"),
    [
        ((), NO_FINDINGS, False),
        (("MRZ_UNREADABLE",), "technical", False),
        (("IMAGE_BLUR", "EDITION_UNKNOWN"), "technical", False),
        (("DOC_EXPIRED",), "validity", False),
        (("LIST_STOLEN",), "impostor", True),
        (("LIST_STOLEN", "PHOTO_SUBSTITUTION_SUSPECTED"), "forged", True),
        (("LIST_STOLEN_BLANK_SERIES", "MRZ_CHECK_DIGIT"), "stolen_blank", True),
        (("MRZ_COUNTRY_CODE",), "pseudo_document", True),
        (("MRZ_CHECK_DIGIT",), "forged", True),
        # a misread check digit beside a blur finding is a technical event ...
        (("MRZ_CHECK_DIGIT", "IMAGE_BLUR"), "technical", False),
        # ... but a list hit beside it keeps every sign: an altered stolen document
        (("LIST_STOLEN", "MRZ_CHECK_DIGIT", "IMAGE_BLUR"), "forged", True),
        (("SOME_FOREIGN_CODE",), UNCLASSIFIED, False),
    ],
)
def test_classify(codes: tuple[str, ...], primary: str, fraud: bool) -> None:
    result = classify(codes)
    assert result.primary == primary
    assert result.is_fraud is fraud
