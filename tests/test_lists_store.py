"""The list store on both backends (SQLite file, real PostgreSQL server): import, exact,
series and near hits, bad rows, deltas, versions, review dates, hashed mode, atomicity."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from screening.errors import ImportRejectedError, ListStoreError
from screening.findings import Verdict, derive_verdict
from screening.lists import open_lists_for_screening, open_store, screen_document
from screening.lists.importer import import_feed
from screening.lists.matcher import find_matches
from screening.lists.safeguards import NO_LIMITS
from screening.lists.store import ListStore
from screening.settings import Settings
from tests.lists_helpers import BASE_ROWS, HEADER, store_url_for, write_feed
from tests.pg_server import pg_schema_url, postgres_url  # noqa: F401 - fixtures

TODAY = date(2026, 11, 28)
KEY = b"test-key-0123456789abcdef"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return store_url_for(request, tmp_path)


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[ListStore]:
    s = open_store(store_url)
    import_feed(s, write_feed(tmp_path / "base.csv", BASE_ROWS))
    yield s
    s.close()


def check(store: ListStore, state: str, number: str, dtype: str | None = "P", **kw: object):
    return find_matches(store, state, dtype, number, today=TODAY, **kw)  # type: ignore[arg-type]


def test_exact_hits_carry_record_source_and_version(store: ListStore) -> None:
    result = check(store, "KGZ", "AN1234567")
    assert result.status == "hit"
    (match,) = result.matches
    assert match.record.status.label == "lost" and match.record.source == "KG-MVD"
    assert match.version == store.active_version().id  # type: ignore[union-attr]
    # PN on the document, P in the feed (and the other way round): still a hit.
    assert check(store, "KGZ", "AC7654321", "PN").status == "hit"
    assert check(store, "KAZ", "N05123456", "I<").status == "hit"
    assert check(store, "KGZ", "AN7654321").status == "none"
    assert check(store, "KAZ", "AN1234567").status == "none"  # another issuing state


def test_series_match_ranges_with_leading_zeros(store: ListStore) -> None:
    for number in ("AN2000000", "AN2000500", "AN2000999", "AN0000100", "AN0000199"):
        result = check(store, "KGZ", number)
        assert result.status == "hit", number
        assert result.matches[0].record.is_series
    assert check(store, "KGZ", "AN2001999").status != "hit"
    assert check(store, "KGZ", "AN000150").status == "none"  # same value, other width
    assert check(store, "KGZ", "AN00000150").status == "none"


def test_near_hits_are_possible_matches_never_hits(store: ListStore) -> None:
    confusable = check(store, "KGZ", "AN1234S67")
    assert confusable.status == "possible"
    assert "confusable" in confusable.matches[0].reason
    assert confusable.matches[0].matched_number == "AN1234567"
    altered = check(store, "KGZ", "AN1234667")
    assert altered.status == "possible" and "digit" in altered.matches[0].reason
    near_series = check(store, "KGZ", "AN2010500")  # one digit off a stolen blank series
    assert near_series.status == "possible" and near_series.matches[0].record.is_series
    assert check(store, "KGZ", "AN1234S67", near=False).status == "none"
    other_type = check(store, "KAZ", "N05123456", "P")
    assert other_type.status == "possible" and "document type" in other_type.matches[0].reason


def test_screen_document_findings_and_verdicts(store: ListStore) -> None:
    settings = Settings(today=TODAY)
    cases = {
        "AN1234567": ("LIST_LOST", Verdict.ALERT),
        "AN2000123": ("LIST_STOLEN_BLANK_SERIES", Verdict.ALERT),
        "AN1234S67": ("LIST_POSSIBLE_MATCH", Verdict.REFER),
        "AN9999999": (None, Verdict.CLEAR),
    }
    for number, (code, verdict) in cases.items():
        screening = screen_document(store, "KGZ", "P", number, settings)
        assert [f.code for f in screening.findings][:1] == ([code] if code else [])
        assert derive_verdict(screening.findings) == verdict
        (checked,) = screening.versions_checked
        assert checked["version"] == store.active_version().id  # type: ignore[union-attr]
        assert checked["digest"].startswith("sha256:")
    hit = screen_document(store, "TJK", "P", "400123456", settings).findings[0]
    assert hit.code == "LIST_INVALID" and hit.evidence.extra["record"]["source"] == "TJ-MVD"
    assert hit.evidence.extra["list_version"]["version"] >= 1


def test_records_past_review_date_drop_out(store: ListStore) -> None:
    assert check(store, "UZB", "FA8123456").status == "none"
    assert find_matches(store, "UZB", "P", "FA8123456", today=date(2019, 1, 1)).status == "hit"


def test_bad_rows_rejected_good_rows_kept(store_url: str, tmp_path: Path) -> None:
    rows = [*BASE_ROWS, "QQQ,P,AN1,lost,,,", "KGZ,P,AN 2,vanished,,,", "KGZ,P,AN3"]
    with open_store(store_url) as s:
        report = import_feed(s, write_feed(tmp_path / "mixed.csv", rows), limits=NO_LIMITS)
        assert report.rejected == 3 and report.records_added + report.series_added == 7
        assert [(e.row, e.reason.split()[0]) for e in report.rejects] == [
            (9, "issuing_state"),
            (10, "status"),
            (11, "expected"),
        ]
        assert check(s, "KGZ", "AN1234567").status == "hit"
        with pytest.raises(ImportRejectedError, match="--strict"):
            import_feed(s, write_feed(tmp_path / "strict.csv", rows), strict=True)
        with pytest.raises(ImportRejectedError, match="no usable row"):
            import_feed(s, write_feed(tmp_path / "bad.csv", rows[-3:]))
        with pytest.raises(ImportRejectedError, match="missing required column"):
            import_feed(s, write_feed(tmp_path / "hdr.csv", rows, header="state,number"))
        assert s.active_version().id == report.version  # type: ignore[union-attr]
        states = [v.state for v in s.versions()]
        assert states.count("active") == 1 and states.count("failed") == 2


def test_full_replacement_and_deltas(store: ListStore, tmp_path: Path) -> None:
    first = store.active_version()
    assert first is not None and first.records == 5 and first.series == 2
    delta = write_feed(
        tmp_path / "delta.csv",
        [
            "KGZ,P,AN1234567,,,,,remove",
            "KGZ,P,AN2000000,,AN2000999,,,remove",
            "KGZ,P,AC7654321,revoked,,,KG-MVD,add",  # status change = replace
            "KGZ,P,AB5555555,stolen,,,KG-MVD,",
            "KGZ,P,ZZ0000000,,,,,remove",  # not listed: counted, not an error
        ],
        header=HEADER + ",action",
    )
    report = import_feed(store, delta, kind="delta")
    assert (report.removed, report.not_found, report.records_added) == (3, 1, 2)
    version = store.active_version()
    assert version is not None and version.chain == (first.id, report.version)
    assert (version.records, version.series) == (5 - 1 - 1 + 1 + 1, 2 - 1)
    assert check(store, "KGZ", "AN1234567").status == "none"
    assert check(store, "KGZ", "AN2000500").status == "none"
    assert check(store, "KGZ", "AB5555555").status == "hit"
    (match,) = check(store, "KGZ", "AC7654321").matches
    assert match.record.status.label == "revoked"
    full = import_feed(
        store, write_feed(tmp_path / "full.csv", ["KGZ,P,AB1111111,lost,,,"]), limits=NO_LIMITS
    )
    assert store.active_version().records == 1  # type: ignore[union-attr]
    assert check(store, "KGZ", "AB5555555").status == "none"
    assert check(store, "KGZ", "AB1111111").matches[0].version == full.version
    # Removals make no sense in a full replacement: those rows are rejected.
    replaced = import_feed(store, delta, limits=NO_LIMITS)
    assert replaced.rejected == 3 and "only allowed in a delta" in replaced.rejects[0].reason


def test_failed_import_leaves_previous_version_in_use(store: ListStore, tmp_path: Path) -> None:
    before = store.active_version()
    broken = tmp_path / "broken.json"
    good = [
        {
            "issuing_state": "KGZ",
            "document_type": "P",
            "document_number": f"AB{i:07d}",
            "status": "lost",
        }
        for i in range(60_000)
    ]
    broken.write_text(json.dumps(good)[:-1] + ', {"issuing_state": "KG', encoding="utf-8")
    with pytest.raises(ImportRejectedError, match="previous list stays active"):
        import_feed(store, broken)
    assert store.active_version() == before
    assert check(store, "KGZ", "AB0000001").status == "none"
    assert check(store, "KGZ", "AN1234567").status == "hit"
    assert store.versions()[0].state == "failed"


def test_hashed_store_matches_without_keeping_numbers(store_url: str, tmp_path: Path) -> None:
    rows = [*BASE_ROWS, "KGZ,P,AB7777777,stolen,,2030-01-01,KG-MVD"]
    with open_store(store_url) as s:
        feed = write_feed(
            tmp_path / "base.csv", [r + ",CASE-42" for r in rows], header=HEADER + ",reference"
        )
        report = import_feed(s, feed, key=KEY)
        assert report.rejected == 0
        assert s.mode()[0] == "hashed"
        version = s.active_version()
        assert version is not None and version.series == 0  # series expanded to hashes
        assert version.records == 6 + 1000 + 100
        dumped = " ".join(repr(r) for r in s.iter_records(version))
        assert "AN1234567" not in dumped and "KGZ" not in dumped and "CASE-42" not in dumped
        assert "2030-01-01" in dumped  # the review date still works
        result = find_matches(s, "KGZ", "PN", "AN1234567", today=TODAY, key=KEY)
        assert result.status == "hit" and result.matches[0].record.key_hash
        assert find_matches(s, "KGZ", "P", "AN2000777", today=TODAY, key=KEY).status == "hit"
        near = find_matches(s, "KGZ", "P", "AN1234S67", today=TODAY, key=KEY)
        assert near.status == "possible" and near.matches[0].matched_number == "AN1234567"
        with pytest.raises(ListStoreError, match="key"):
            find_matches(s, "KGZ", "P", "AN1234567", today=TODAY)
        with pytest.raises(ImportRejectedError, match="key does not match"):
            import_feed(s, write_feed(tmp_path / "b2.csv", BASE_ROWS), key=b"another-key-xxxxxxxx")
        with pytest.raises(ImportRejectedError, match="hashed records"):
            import_feed(s, write_feed(tmp_path / "b3.csv", BASE_ROWS))


def test_not_checked_is_a_warning_never_a_silent_clear(tmp_path: Path) -> None:
    settings = Settings(today=TODAY)
    cases = [
        screen_document(None, "KGZ", "P", "AN1234567", settings),
        screen_document(open_store(f"sqlite:///{tmp_path}/empty.db"), "KGZ", "P", "AN1", settings),
        screen_document(open_store(f"sqlite:///{tmp_path}/e2.db"), "KGZ", "P", None, settings),
    ]
    missing = Settings(today=TODAY, lists_url=f"sqlite:///{tmp_path}/missing.db")
    store, reason = open_lists_for_screening(missing)
    assert store is None and reason and "no list store" in reason
    cases.append(screen_document(store, "KGZ", "P", "AN1", missing, unavailable_reason=reason))
    assert "no list store" in cases[-1].findings[0].message
    for screening in cases:
        assert screening.status == "not_checked" and screening.versions_checked == ()
        assert [f.code for f in screening.findings] == ["LIST_NOT_CHECKED"]
        assert derive_verdict(screening.findings) == Verdict.REFER


def test_gc_drops_old_generations_and_failed_delta_rows(store: ListStore, tmp_path: Path) -> None:
    first = store.active_version()
    delta = write_feed(
        tmp_path / "delta.csv",
        ["KGZ,P,AB2222222,lost,,,,", "KGZ,P,AN1234567,,,,,remove", "QQQ,P,AB1,lost,,,,"],
        header=HEADER + ",action",
    )
    with pytest.raises(ImportRejectedError, match="--strict"):
        import_feed(store, delta, kind="delta", strict=True)
    # The failed delta's rows are in the tables but invisible, its removal undone.
    assert check(store, "KGZ", "AB2222222").status == "none"
    assert check(store, "KGZ", "AN1234567").status == "hit"
    assert store.gc(keep=1) == {"tables_dropped": 0, "rows_purged": 1}
    assert store.gc(keep=1) == {"tables_dropped": 0, "rows_purged": 0}  # done once
    assert store.versions()[0].state == "discarded"
    import_feed(
        store, write_feed(tmp_path / "full.csv", ["KGZ,P,AB3333333,lost,,,"]), limits=NO_LIMITS
    )
    import_feed(
        store, write_feed(tmp_path / "full2.csv", ["KGZ,P,AB4444444,lost,,,"]), limits=NO_LIMITS
    )
    states = {v.id: v.state for v in store.versions()}
    assert states[first.id] == "collected"  # type: ignore[union-attr]
    assert store.gc(keep=0)["tables_dropped"] == 2
    assert check(store, "KGZ", "AB4444444").status == "hit"


def test_one_import_at_a_time(store: ListStore, store_url: str, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "next.csv", ["KGZ,P,AB1111111,lost,,,"])
    with open_store(store_url) as other:
        session = other.begin_import(
            "full", source="x", feed_name="x", mode="clear", fingerprint=None
        )
        with pytest.raises(ListStoreError, match="another import is running"):
            import_feed(store, feed)
        session.abort("test")
    import_feed(store, feed, limits=NO_LIMITS)
    assert check(store, "KGZ", "AB1111111").status == "hit"


def test_json_lines_feed_import(store: ListStore, tmp_path: Path) -> None:
    feed = tmp_path / "delta.jsonl"
    objects = [
        {
            "issuing_state": "KGZ",
            "document_type": "P",
            "document_number": "AB1212121",
            "status": "stolen",
            "reported_on": "2026-10-01",
            "source": "KG-MVD",
        },
        {
            "issuing_state": "KGZ",
            "document_type": "P",
            "document_number": "AN1234567",
            "action": "remove",
        },
        {"issuing_state": "KGZ", "document_type": "P", "document_number": "AB3", "status": 7},
    ]
    feed.write_text("\n".join(json.dumps(o) for o in objects) + "\n", encoding="utf-8")
    report = import_feed(store, feed, kind="delta")
    assert (report.records_added, report.removed, report.rejected) == (1, 1, 1)
    assert report.rejects[0].row == 3 and "status" in report.rejects[0].reason
    (match,) = check(store, "KGZ", "AB1212121").matches
    assert match.record.reported_on == "2026-10-01" and match.kind == "hit"
    assert check(store, "KGZ", "AN1234567").status == "none"


def test_screen_document_takes_the_key_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(today=TODAY)
    with open_store(f"sqlite:///{tmp_path}/h.db") as s:
        import_feed(s, write_feed(tmp_path / "base.csv", BASE_ROWS), key=KEY)
        monkeypatch.delenv("SCREENING_LISTS_KEY", raising=False)
        missing = screen_document(s, "KGZ", "P", "AN1234567", settings)
        assert [f.code for f in missing.findings] == ["LIST_NOT_CHECKED"]
        assert "key" in missing.findings[0].message
        monkeypatch.setenv("SCREENING_LISTS_KEY", KEY.decode())
        found = screen_document(s, "KGZ", "P", "AN1234567", settings)
        assert [f.code for f in found.findings] == ["LIST_LOST"]
