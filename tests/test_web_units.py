"""Small pure parts of the web station: language choice, catalogues, roles data, the
login throttle, the result's checklist and field table."""

from __future__ import annotations

import pytest

from screening.documents.registry import load_registry
from screening.findings import catalog
from screening.web.i18n import LANGUAGES, Labels, catalogue, negotiate
from screening.web.result import checklist, checklists_for, combined_verdict, field_rows
from screening.web.roles import Role, permissions_by_role
from screening.web.throttle import LoginThrottle


def _keys(table: dict, prefix: str = "") -> set[str]:
    out = set()
    for key, value in table.items():
        name = f"{prefix}{key}"
        out |= _keys(value, name + ".") if isinstance(value, dict) else {name}
    return out


def test_every_label_exists_in_every_language() -> None:
    english = _keys(catalogue("en"))
    for lang in LANGUAGES:
        assert _keys(catalogue(lang)) == english, lang


@pytest.mark.parametrize("name", ["legacy", "photo"])
def test_russian_checklists_translate_every_registry_item(name: str) -> None:
    assert len(Labels("ru")[f"checklists.{name}"]) == len(load_registry().checklists[name])


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, "", "en"),
        (None, None, "ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
        (None, None, "de-DE, en;q=0.5, ru;q=0.7", "ru"),
        (None, "en", "ru", "en"),
        ("ru", "en", "en", "ru"),
        ("xx", None, "en", "en"),
        (None, None, "ru;q=0", "en"),
        (None, None, "ru;q=abc, en", "en"),
    ],
)
def test_language_negotiation(
    query: str | None, cookie: str | None, accept: str, expected: str
) -> None:
    assert negotiate(query, cookie, accept) == expected


def test_labels_fall_back_to_english_then_the_key() -> None:
    assert Labels("ru")["verdict.alert"] == "ТРЕВОГА"
    assert Labels("ru")["no.such.key"] == "no.such.key"


def test_every_role_has_permissions_and_only_admin_manages_accounts() -> None:
    table = permissions_by_role()
    assert set(table) == set(Role)
    assert [r for r in Role if "accounts" in table[r]] == [Role.ADMIN]
    assert table[Role.TRAINER] == {"specimens", "gallery", "checklists"}


def test_throttle_locks_after_allowed_failures_and_forgets_after_the_window() -> None:
    throttle = LoginThrottle(allowed=3, window=60)
    keys = ("account:a", "address:1")
    for t in (0, 1, 2):
        assert throttle.retry_after(keys, t) == 0
        throttle.failed(keys, t)
    assert throttle.retry_after(keys, 3) == 58
    assert throttle.retry_after(("address:1",), 30) > 0
    assert throttle.retry_after(keys, 61) == 0
    throttle.failed(keys, 62)
    throttle.succeeded("account:a")
    assert throttle.retry_after(("account:a",), 62) == 0


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["clear"], "clear"),
        (["clear", "refer"], "refer"),
        (["alert", None], "alert"),
        ([None], "refer"),
    ],
)
def test_the_worst_page_decides(verdicts: list[str | None], expected: str) -> None:
    assert combined_verdict({"verdict": v} for v in verdicts) == expected


def test_checklist_uses_the_catalogue() -> None:
    items = checklist([{"code": "DOC_EXPIRED", "severity": "alert", "message": "Expired."}])
    assert items == [
        {
            "number": 1,
            "code": "DOC_EXPIRED",
            "severity": "alert",
            "title": catalog()["DOC_EXPIRED"].title,
            "message": "Expired.",
            "action": catalog()["DOC_EXPIRED"].action,
        }
    ]
    assert checklists_for(["LEGACY_HANDFILLED", "X"]) == ["legacy"]


def test_field_rows_pair_the_mrz_with_the_printed_page() -> None:
    report = {
        "document": {"fields": {"surname": "A", "document_number": "N1", "sex": "F"}},
        "viz": {"surname": {"viz": "B", "mrz": "A", "match": False}},
    }
    assert field_rows(report) == [
        {"field": "document_number", "mrz": "N1", "printed": None, "match": None},
        {"field": "surname", "mrz": "A", "printed": "B", "match": False},
        {"field": "sex", "mrz": "F", "printed": None, "match": None},
    ]


def test_every_route_is_documented() -> None:
    from pathlib import Path

    from screening.web.app import ROUTES

    text = (Path(__file__).resolve().parents[1] / "docs" / "web.md").read_text("utf-8")
    for path, *_ in ROUTES:
        assert f"`{path}`" in text, path


def test_russian_finding_texts_name_only_catalogued_codes() -> None:
    from screening.web.result import translated_findings

    russian = translated_findings("ru")
    assert set(russian) <= set(catalog())
    assert all(entry["title"] and entry["action"] for entry in russian.values())
    item = checklist([{"code": "DOC_EXPIRED", "severity": "alert", "message": "m"}], "ru")[0]
    assert item["title"] == "Срок действия документа истёк"


def test_booklet_boxes_place_pages_stamps_and_findings_on_their_picture() -> None:
    from screening.report.overlay import booklet_boxes

    report = {
        "pages": [
            {
                "index": 0,
                "number": None,
                "kind": "data",
                "source": "a.png",
                "region": [0, 0, 100, 80],
            },
            {
                "index": 1,
                "number": 14,
                "kind": "stamps",
                "source": "b.png",
                "region": [0, 0, 50, 80],
            },
            {
                "index": 2,
                "number": 15,
                "kind": "stamps",
                "source": "b.png",
                "region": [50, 0, 50, 80],
            },
        ],
        "stamps": [{"id": 0, "source": "b.png", "region": [60, 10, 20, 20]}],
        "findings": [
            # The data page's own finding: in page pixels, the page is the whole picture.
            {
                "code": "VIZ_MRZ_MISMATCH",
                "severity": "alert",
                "evidence": {"source": "a.png", "page_index": 0, "region": [5, 5, 10, 10]},
            },
            # A page-level booklet finding on the second picture, in its pixels.
            {
                "code": "BOOKLET_PAGE_SUBSTITUTED",
                "severity": "alert",
                "evidence": {"source": "b.png", "page_index": 2, "region": [50, 0, 50, 80]},
            },
            # A data-page finding on a page cut from a spread: not drawn (page pixels).
            {
                "code": "MRZ_CHECK_DIGIT",
                "severity": "alert",
                "evidence": {"source": "b.png", "page_index": 1, "region": [1, 1, 2, 2]},
            },
        ],
    }
    on_a = [(b.kind, b.label) for b in booklet_boxes(report, "a.png", (100, 80))]
    on_b = [(b.kind, b.label, b.code) for b in booklet_boxes(report, "b.png", (100, 80))]
    assert on_a == [("page", "data"), ("alert", "1")]
    assert on_b == [
        ("page", "14", None),
        ("page", "15", None),
        ("stamp", "S1", None),
        ("alert", "2", "BOOKLET_PAGE_SUBSTITUTED"),
    ]
