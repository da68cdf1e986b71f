"""Pure rules of the lists package: normalisation, near-hit candidates, row validation,
feed readers (no store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.lists.candidates import confusable_map, near_candidates
from screening.lists.feeds import Feed, FeedError
from screening.lists.normalize import normalize_type, split_series_number
from screening.lists.validation import (
    ALL_COLUMNS,
    FeedEntry,
    HeaderError,
    RowError,
    check_header,
    make_fast_parser,
    make_validator,
)

COLUMNS = [
    "issuing_state",
    "document_type",
    "document_number",
    "status",
    "number_to",
    "review_on",
    "source",
]


def test_confusable_pairs_come_from_the_data_file_both_ways() -> None:
    pairs = confusable_map()
    for a, b in (("0", "O"), ("1", "I"), ("5", "S"), ("8", "B"), ("2", "Z")):
        assert b in pairs[a] and a in pairs[b]


def test_near_candidates_cover_confusables_and_single_digit_changes() -> None:
    cands = near_candidates("AN1234567")
    assert "AN1234567" not in cands
    # every digit position x 9 other digits + one swap for each confusable (1, 2, 5)
    assert len(cands) == 7 * 9 + 3
    assert cands["ANI234567"].kind == "confusable"
    assert cands["AN1234S67"].kind == "confusable"
    assert cands["AN1234587"].kind == "digit" and cands["AN1234587"].position == 8
    assert "BN1234567" not in cands  # letters are not changed except confusable swaps
    assert near_candidates("S0")["50"].kind == "confusable"


@given(st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True))
def test_every_candidate_differs_in_exactly_one_position(number: str) -> None:
    for cand, info in near_candidates(number).items():
        diffs = [i for i, (a, b) in enumerate(zip(number, cand, strict=True)) if a != b]
        assert diffs == [info.position - 1]
        assert number[diffs[0]] == info.original and cand[diffs[0]] == info.replacement


def test_document_type_is_compared_on_its_first_letter() -> None:
    assert normalize_type("PN") == normalize_type("P<") == normalize_type("p") == "P"
    assert normalize_type("") is None and normalize_type("<") is None


def test_series_numbers_keep_their_width() -> None:
    assert split_series_number("AN0001234") == ("AN", 1234, 7)
    assert split_series_number("A12") == ("A", 12, 2)
    assert split_series_number("AB12C") is None


def test_header_must_have_required_columns_and_no_unknown_ones() -> None:
    with pytest.raises(HeaderError, match="missing required column"):
        check_header(["issuing_state", "document_number", "status"])
    with pytest.raises(HeaderError, match="unknown column"):
        check_header([*COLUMNS[:4], "reviw_on"])


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (["QQQ", "P", "AN1", "lost", "", "", ""], "issuing_state"),
        (["KGZ", "1", "AN1", "lost", "", "", ""], "document_type"),
        (["KGZ", "P", "AN-1", "lost", "", "", ""], "document_number"),
        (["KGZ", "P", "", "lost", "", "", ""], "document_number"),
        (["KGZ", "P", "AN1", "missing", "", "", ""], "status"),
        (["KGZ", "P", "AN1", "lost", "", "2024-13-01", ""], "review_on"),
        (["KGZ", "P", "AN100", "stolen_blank", "AB199", "", ""], "prefix"),
        (["KGZ", "P", "AN100", "stolen_blank", "AN0199", "", ""], "number of digits"),
        (["KGZ", "P", "AN199", "stolen_blank", "AN100", "", ""], "before"),
        (["KGZ", "P", "AN1", "lost", ""], "expected 7 fields"),
    ],
)
def test_bad_rows_are_reported_with_row_and_reason(fields: list[str], reason: str) -> None:
    validate = make_validator(COLUMNS, allow_remove=False)
    result = validate(fields, 17)
    assert isinstance(result, RowError)
    assert result.row == 17 and reason in result.reason
    # The fast path never accepts what the validator rejects.
    assert make_fast_parser(COLUMNS)(",".join(fields) + "\n") is None


def test_removal_rows_only_in_deltas() -> None:
    columns = [*COLUMNS, "action"]
    row = ["KGZ", "P", "AN1", "", "", "", "", "remove"]
    assert isinstance(make_validator(columns, allow_remove=False)(row, 2), RowError)
    entry = make_validator(columns, allow_remove=True)(row, 2)
    assert isinstance(entry, FeedEntry) and entry.action == "remove" and entry.status is None


@given(
    st.sampled_from(["KGZ", "kgz", "D<<", "D", "KAZ ", "QQQ", "UTO"]),
    st.sampled_from(["P", "PN", "p", "I<", "1", ""]),
    st.sampled_from(["AN1234567", "an 123", "AN1<<", "A-1", "X" * 25, "0"]),
    st.sampled_from(["lost", "LOST", "stolen_blank", "gone"]),
    st.sampled_from(["", "2030-01-31", "2030-02-30", "20300131"]),
    st.sampled_from(["", "KG MVD", "src", "a,b"]),
)
def test_fast_path_agrees_with_the_validator(
    state: str, dtype: str, number: str, status: str, review: str, source: str
) -> None:
    fields = [state, dtype, number, status, "", review, source]
    slow = make_validator(COLUMNS, allow_remove=False)(fields, 2)
    fast = make_fast_parser(COLUMNS)(",".join(fields) + "\n")
    if fast is not None:  # whenever the fast path accepts, it agrees with the validator
        assert isinstance(slow, FeedEntry)
        assert fast[0].rstrip("<") == slow.issuing_state and fast[1] == slow.document_number
        assert fast[2] == slow.document_type and fast[3] == slow.status
        assert (fast[4] or "").split("\x1f")[4:5] == [slow.review_on or ""] or fast[4] is None


def test_csv_feed_streams_rows_with_line_numbers_and_quoted_fields(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        ",".join(COLUMNS) + '\nKGZ,P,AN1,lost,,,"multi\nline"\n\nKGZ,P,AN2,lost,,,plain\n',
        encoding="utf-8",
    )
    with Feed(path) as feed:
        rows = list(feed.lines())
        digest = feed.digest
    assert rows[0] == (2, ["KGZ", "P", "AN1", "lost", "", "", "multi\nline"])
    assert rows[1] == (5, "KGZ,P,AN2,lost,,,plain\n")
    import hashlib

    assert digest == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_json_array_and_json_lines_feeds(tmp_path: Path) -> None:
    objects = [
        {
            "issuing_state": "KGZ",
            "document_type": "P",
            "document_number": f"AN{i}",
            "status": "lost",
        }
        for i in range(3000)
    ]
    objects[5] = {"issuing_state": "KGZ", "colour": "red"}
    array = tmp_path / "feed.json"
    array.write_text(json.dumps(objects, indent=1), encoding="utf-8")
    lines = tmp_path / "feed.jsonl"
    lines.write_text("\n".join(json.dumps(o) for o in objects) + "\n{bad json\n", "utf-8")
    with Feed(array) as feed:
        rows = list(feed.rows())
    assert len(rows) == 3000 and feed.columns == list(ALL_COLUMNS)
    assert rows[5] == (6, "unknown field(s): 'colour'")
    assert rows[2999][1][2] == "AN2999"  # type: ignore[index]
    with Feed(lines) as feed:
        rows = list(feed.rows())
    assert len(rows) == 3001 and isinstance(rows[-1][1], str) and "JSON" in rows[-1][1]
    broken = tmp_path / "broken.json"
    broken.write_text('[{"issuing_state": "KGZ"}, {"issuing_', encoding="utf-8")
    with Feed(broken) as feed, pytest.raises(FeedError):
        list(feed.rows())
