"""Visual zone vs MRZ: the comparison rules on words as the OCR returns them."""

from __future__ import annotations

from screening.imaging.viz import Word, compare_words

FIELDS = {
    "document_number": "470782113",
    "surname": "SAIDOVA",
    "given_names": "PARVINA",
    "birth_date_raw": "010818",
    "expiry_date_raw": "320121",
}


def _page(surname: str = "SAIDOVA", number: str = "470782113", birth: str = "18.08.2001",
          expiry: str = "21.01.2032") -> list[Word]:
    rows = [
        ["REPUBLIC", "OF", "TAJIKISTAN"],
        ["P", "TJK", number],
        ["CAUJOBA", "/", surname],
        ["NAPBUHA", "/", "PARVINA"],
        [birth],
        ["22.01.2022"],
        [expiry],
    ]
    return [
        Word(text, 95.0, 10.0 + 80 * i, 30.0 * row, 20.0)
        for row, texts in enumerate(rows)
        for i, text in enumerate(texts)
    ]


def _codes(outcome) -> list[tuple[str, str | None]]:
    return [(f.code, f.evidence.field) for f in outcome.findings]


def test_genuine_page_matches_every_field() -> None:
    outcome = compare_words(_page(), FIELDS, None)
    assert _codes(outcome) == []
    assert all(v["match"] for v in outcome.fields.values())


def test_reprinted_surname_is_a_mismatch_with_both_values() -> None:
    outcome = compare_words(_page(surname="KARIMOVA"), FIELDS, None)
    [finding] = outcome.findings
    assert finding.code == "VIZ_MRZ_MISMATCH"
    assert (finding.evidence.field, finding.evidence.value, finding.evidence.expected) == (
        "surname", "KARIMOVA", "SAIDOVA"
    )


def test_one_digit_changed_in_the_printed_number_is_a_mismatch() -> None:
    outcome = compare_words(_page(number="470782118"), FIELDS, None)
    assert ("VIZ_MRZ_MISMATCH", "document_number") in _codes(outcome)


def test_shifted_birth_date_is_a_mismatch() -> None:
    outcome = compare_words(_page(birth="18.08.2003"), FIELDS, None)
    assert ("VIZ_MRZ_MISMATCH", "birth_date") in _codes(outcome)


def test_an_unread_expiry_date_is_no_alert() -> None:
    words = [w for w in _page() if w.text != "21.01.2032"]
    outcome = compare_words(words, FIELDS, None)
    assert ("VIZ_UNREADABLE", None) in _codes(outcome)
    assert all(f.code != "VIZ_MRZ_MISMATCH" for f in outcome.findings)


def test_low_confidence_number_is_no_alert() -> None:
    words = [
        Word(w.text, 40.0, w.x, w.y, w.h) if w.text == "470782118" else w
        for w in _page(number="470782118")
    ]
    outcome = compare_words(words, FIELDS, None)
    assert all(f.code != "VIZ_MRZ_MISMATCH" for f in outcome.findings)
