"""Edition registry: the data file validates, editions are identified, withdrawal rules."""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from screening.cli import main as cli_main
from screening.documents.legacy import HandfilledAssessment, HandwrittenRegion, legacy_findings
from screening.documents.registry import (
    ILLUSTRATIVE,
    REQUIRED_KEYS,
    SOURCED_FACTS,
    EditionRegistryError,
    PageEvidence,
    identify_from_mrz,
    identify_from_page,
    load_registry,
    parse_registry,
)
from screening.documents.stage import screen_documents
from screening.settings import Settings
from tests.conftest import REPO

REGISTRY = load_registry()
EDITION_FILE = REPO / "screening" / "documents" / "data" / "editions.toml"
MACHINE_READABLE = [e for e in REGISTRY.editions if e.machine_readable]


def test_every_edition_has_required_facts_with_provenance() -> None:
    for edition in REGISTRY.editions:
        for key in REQUIRED_KEYS:
            assert getattr(edition, key, None) is not None, (edition.id, key)
        for fact in SOURCED_FACTS:
            origin = edition.provenance.get(fact)
            if fact in ("issued_until", "last_valid") and getattr(edition, fact) is None:
                continue
            if fact == "mrz_formats" and not edition.mrz_formats:
                continue
            assert origin == ILLUSTRATIVE or origin in REGISTRY.sources, (edition.id, fact)


def test_sources_are_cited_and_used() -> None:
    used = {o for e in REGISTRY.editions for o in e.provenance.values()} - {ILLUSTRATIVE}
    assert used, "no fact cites a source"
    for source_id in used:
        assert REGISTRY.sources[source_id].url.startswith(("http", "file:"))
    # The facts the issue states from public reports cite a source, not "illustrative".
    kgz_1994 = REGISTRY.get("KGZ-P-1994")
    for fact in ("issued_from", "validity_years", "fill_method", "last_valid"):
        assert kgz_1994.provenance[fact] != ILLUSTRATIVE, fact
    assert REGISTRY.get("SUN-PN-1974").last_valid == date(2005, 12, 31)
    assert REGISTRY.non_machine_readable_expired_by == date(2015, 11, 24)


def test_seeded_states_are_present() -> None:
    states = {e.issuing_state for e in REGISTRY.editions}
    assert {"KGZ", "SUN", "KAZ", "TJK", "UZB", "RUS", "AFG", "BGD", "PAK", "IND"} <= states


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda t: t.replace('fill_method = "illustrative"\n', "", 1), "no provenance"),
        (
            lambda t: t.replace('last_valid = "rusnews-2005-extension"', 'last_valid = "nowhere"'),
            "unknown source",
        ),
        (
            lambda t: t.replace('number_pattern = "^N[0-9]{8}$"', 'number_pattern = "^N[0-9"'),
            "bad number_pattern",
        ),
        (
            lambda t: t.replace('fill_method = "handwritten"', 'fill_method = "pencil"', 1),
            "fill_method",
        ),
        (lambda t: t.replace('name = "Kyrgyz passport, 2006"\n', "", 1), "missing keys"),
        (lambda t: t + "\n[[editions]\n", "not valid TOML"),
    ],
)
def test_invalid_registry_is_refused(mutation, message: str) -> None:
    text = EDITION_FILE.read_text("utf-8")
    broken = mutation(text)
    assert broken != text
    with pytest.raises(EditionRegistryError, match=message):
        parse_registry(broken)


@pytest.mark.parametrize("edition", MACHINE_READABLE, ids=lambda e: e.id)
@hyp_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_identify_from_mrz_each_edition(edition, data) -> None:
    number = data.draw(st.from_regex(re.compile(edition.number_pattern), fullmatch=True))
    last_year = edition.issued_until or 2025
    issue_year = data.draw(st.integers(edition.issued_from, last_year))
    fields = {
        "issuing_country": edition.issuing_state,
        "document_type": edition.document_type,
        "document_number": number,
        "expiry_date": f"{issue_year + edition.validity_years}-06-15",
    }
    result = identify_from_mrz(fields, today=date(2026, 11, 28))
    # Another edition of the same state may fit equally well (overlapping patterns and
    # years); the right one must then be among the best, never below them.
    scores = dict(result.candidates)
    assert scores[edition.id] == max(scores.values()), (number, issue_year, scores)
    if result.edition is not None and result.edition.id == edition.id:
        assert result.confidence > 0.4


def test_identify_from_mrz_unknown_state() -> None:
    result = identify_from_mrz(
        {"issuing_country": "ZZZ", "document_number": "1"}, today=date(2026, 1, 1)
    )
    assert result.edition is None and result.confidence == 0.0


def test_kgz_editions_told_apart_by_number_and_dates() -> None:
    today = date(2026, 11, 28)
    old = identify_from_mrz(
        {
            "issuing_country": "KGZ",
            "document_type": "P",
            "document_number": "A1234567",
            "expiry_date": "2015-03-01",
        },
        today=today,
    )
    new = identify_from_mrz(
        {
            "issuing_country": "KGZ",
            "document_type": "P",
            "document_number": "PE6955059",
            "expiry_date": "2033-08-07",
        },
        today=today,
    )
    assert old.edition is not None and old.edition.id == "KGZ-P-2004"
    assert new.edition is not None and new.edition.id == "KGZ-P-2021"


def test_identify_from_page_handfilled_and_printed() -> None:
    handfilled = identify_from_page(PageEvidence(has_mrz=False, handwritten_probability=0.9))
    assert handfilled.edition is not None and handfilled.edition.handwritten
    assert handfilled.edition.id == "KGZ-P-1994"
    hinted = identify_from_page(
        PageEvidence(has_mrz=False, handwritten_probability=0.9, state_hint="KAZ")
    )
    assert hinted.edition is not None and hinted.edition.id == "KAZ-P-1995"
    assert hinted.confidence > handfilled.confidence
    printed = identify_from_page(PageEvidence(has_mrz=False, handwritten_probability=0.1))
    assert printed.edition is None  # no printed edition without MRZ in the registry


def _assessment(handfilled: bool) -> HandfilledAssessment:
    return HandfilledAssessment(
        score=0.9 if handfilled else 0.1,
        threshold=0.6,
        regions=(HandwrittenRegion(box=(10, 20, 100, 30), probability=0.9),),
        region_count=12,
    )


def _codes(findings) -> list[str]:
    return sorted(f.code for f in findings)


def test_withdrawn_and_icao_rules_follow_the_screening_date() -> None:
    identification = identify_from_page(PageEvidence(has_mrz=False, handwritten_probability=0.9))
    before = legacy_findings(
        _assessment(True),
        identification,
        has_mrz=False,
        settings=Settings(today=date(2011, 12, 31)),
    )
    after = legacy_findings(
        _assessment(True), identification, has_mrz=False, settings=Settings(today=date(2012, 1, 1))
    )
    assert _codes(before) == ["LEGACY_HANDFILLED", "LEGACY_NOT_ICAO"]
    assert _codes(after) == ["EDITION_WITHDRAWN", "LEGACY_HANDFILLED", "LEGACY_NOT_ICAO"]
    not_icao_2010 = next(f for f in before if f.code == "LEGACY_NOT_ICAO")
    assert not_icao_2010.evidence.extra["past_icao_deadline"] is False
    now = legacy_findings(
        _assessment(True),
        identification,
        has_mrz=False,
        settings=Settings(today=date(2026, 11, 28)),
    )
    not_icao_now = next(f for f in now if f.code == "LEGACY_NOT_ICAO")
    assert not_icao_now.evidence.extra["past_icao_deadline"] is True
    handfilled = next(f for f in now if f.code == "LEGACY_HANDFILLED")
    extra = handfilled.evidence.extra
    assert extra["edition"] == "KGZ-P-1994"
    assert extra["handwritten_regions"][0]["region"] == [10, 20, 100, 30]
    assert any("Binding" in item for item in extra["checklist"])
    assert any("Photo" in item for item in extra["checklist"])


def test_soviet_passport_withdrawn_after_2005() -> None:
    soviet = identify_from_page(
        PageEvidence(has_mrz=False, handwritten_probability=0.9, state_hint="SUN")
    )
    assert soviet.edition is not None and soviet.edition.id == "SUN-PN-1974"
    on_last_day = legacy_findings(
        None, soviet, has_mrz=False, settings=Settings(today=date(2005, 12, 31))
    )
    next_day = legacy_findings(
        None, soviet, has_mrz=False, settings=Settings(today=date(2006, 1, 1))
    )
    assert "EDITION_WITHDRAWN" not in _codes(on_last_day)
    assert "EDITION_WITHDRAWN" in _codes(next_day)


def test_mrz_document_of_current_edition_has_no_edition_findings(settings: Settings) -> None:
    outcome = screen_documents(
        None,  # type: ignore[arg-type]  # no image needed with MRZ fields and no photo check
        settings=settings,
        mrz_fields={
            "issuing_country": "KAZ",
            "document_type": "P",
            "document_number": "N12345678",
            "expiry_date": "2030-01-01",
        },
        check_photo=False,
    )
    assert outcome.findings == []
    assert outcome.edition["id"] == "KAZ-P-2009"
    # Without a known photo position the photo is not scored (no alert from a guess).
    blank = np.full((200, 300, 3), 230, np.uint8)
    unplaced = screen_documents(
        blank,
        settings=settings,
        mrz_fields={
            "issuing_country": "KAZ",
            "document_type": "P",
            "document_number": "N12345678",
            "expiry_date": "2030-01-01",
        },
    )
    assert unplaced.edition["photo"] == {"checked": False, "reason": "photo position unknown"}
    unknown = screen_documents(
        None,
        settings=settings,  # type: ignore[arg-type]
        mrz_fields={"issuing_country": "XXA", "document_number": "1"},
        check_photo=False,
    )
    assert _codes(unknown.findings) == ["EDITION_UNKNOWN"]


def test_cli_editions(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["editions", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert {e["id"] for e in listing["editions"]} == {e.id for e in REGISTRY.editions}
    assert cli_main(["editions", "--state", "kgz"]) == 0
    text = capsys.readouterr().out
    assert "KGZ-P-1994" in text and "KAZ-P-2009" not in text
    assert "(illustrative)" in text and "[wikipedia-kgz-passport]" in text


def _sample_mrz(stem: str, settings: Settings):
    from screening.mrz import check_mrz

    truth = json.loads((REPO / "fixtures" / "samples" / f"{stem}.json").read_text("utf-8"))
    return check_mrz(truth["mrz_lines"], settings)


@pytest.mark.parametrize(
    ("stem", "fmt", "code"),
    [("td1-kgz-mild", "TD1", "ID"), ("td2-uzb-clean", "TD2", "I")],
)
def test_card_mrz_is_no_passport_edition(
    stem: str, fmt: str, code: str, settings: Settings
) -> None:
    """An ID card's MRZ (TD1 ``ID``, TD2 ``I<``) is never identified as the state's
    passport edition: no edition, EDITION_UNKNOWN (info) with the reason."""
    report = _sample_mrz(stem, settings)
    assert report.format == fmt and report.fields["document_type"] == code
    passports = [
        e.id for e in REGISTRY.by_state(report.fields["issuing_country"]) if e.machine_readable
    ]
    assert passports, "the state has passport editions the card must not be taken for"
    outcome = screen_documents(
        None,
        settings=settings,  # type: ignore[arg-type]
        mrz_fields=report.fields,
        mrz_format=report.format,
        check_photo=False,
    )
    assert outcome.edition["id"] is None and outcome.edition["confidence"] == 0.0
    assert _codes(outcome.findings) == ["EDITION_UNKNOWN"]
    reasons = outcome.findings[0].evidence.extra["reasons"]
    assert any(f"not {code}" in r for r in reasons), reasons
    # The document code alone (format unknown) already rules the passports out.
    alone = identify_from_mrz(report.fields, today=settings.today)
    assert alone.edition is None and alone.candidates == ()


def test_passport_mrz_still_finds_its_edition(settings: Settings) -> None:
    report = _sample_mrz("td3-kgz-clean", settings)
    assert report.format == "TD3" and report.fields["document_type"] == "P"
    outcome = screen_documents(
        None,
        settings=settings,  # type: ignore[arg-type]
        mrz_fields=report.fields,
        mrz_format=report.format,
        check_photo=False,
    )
    assert outcome.edition["id"] is not None and outcome.edition["id"].startswith("KGZ-P-")
    assert "EDITION_UNKNOWN" not in _codes(outcome.findings)
    # The same passport fields read as a TD1 card MRZ fit no passport edition.
    as_card = identify_from_mrz(report.fields, today=settings.today, mrz_format="TD1")
    assert as_card.edition is None


@pytest.mark.parametrize(
    ("code", "fmt", "expected"),
    [
        ("P", "TD3", "KGZ-P-2021"),
        ("P", None, "KGZ-P-2021"),
        ("PE", "TD3", "KGZ-P-2021"),
        ("I", "TD1", None),
        ("AC", "TD2", None),
        ("V", "MRVA", None),
        ("P", "TD2", None),
    ],
)
def test_document_family_and_format_gate_the_candidates(
    code: str, fmt: str | None, expected: str | None
) -> None:
    fields = {
        "issuing_country": "KGZ",
        "document_type": code,
        "document_number": "PE6955059",
        "expiry_date": "2033-08-07",
    }
    result = identify_from_mrz(fields, today=date(2026, 11, 28), mrz_format=fmt)
    assert (result.edition.id if result.edition else None) == expected


def test_registry_refuses_unknown_mrz_format() -> None:
    text = EDITION_FILE.read_text("utf-8")
    broken = text.replace('mrz_formats = ["TD3"]', 'mrz_formats = ["TD9"]', 1)
    assert broken != text
    with pytest.raises(EditionRegistryError, match="unknown mrz_formats"):
        parse_registry(broken)
