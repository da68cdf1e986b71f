"""The bulk import path (whole blocks, optionally parsed in a helper process) must store
exactly what the careful row-by-row path stores and report the same bad rows."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.errors import ImportRejectedError
from screening.lists import feeds, open_store
from screening.lists.bulk import BulkBlocks
from screening.lists.feeds import Feed
from screening.lists.importer import ImportReport, import_feed
from screening.lists.safeguards import NO_LIMITS
from screening.lists.store import ListStore
from screening.lists.validation import make_block_parser, make_fast_parser
from tests.lists_helpers import BASE_ROWS, store_url_for, write_feed
from tests.pg_server import pg_schema_url, postgres_url  # noqa: F401 - fixtures

COLUMNS = ["issuing_state", "document_type", "document_number", "status", "review_on", "source"]
LINE_VALUES = (
    st.sampled_from(["KGZ", "D<<", "D", "QQQ", "kgz"]),
    st.sampled_from(["P", "PN", "I<", "1"]),
    st.sampled_from(["AN1234567", "AN1<<", "A-1", "0"]),
    st.sampled_from(["lost", "stolen_blank", "LOST"]),
    st.sampled_from(["", "2030-01-31", "2030-02-30"]),
    st.sampled_from(["", "KG-MVD", 'q"uote', "back\\slash"]),
)


@given(st.lists(st.tuples(*LINE_VALUES), min_size=1, max_size=6), st.booleans())
def test_a_block_is_taken_whole_exactly_when_every_line_passes_the_line_parser(
    rows: list[tuple[str, ...]], crlf: bool
) -> None:
    end = "\r\n" if crlf else "\n"
    lines = [",".join(row) + end for row in rows]
    one_line = make_fast_parser(COLUMNS)
    expected = [one_line(line) for line in lines]
    block = make_block_parser(COLUMNS)("".join(lines))
    if any(row is None for row in expected):
        assert block is None
        return
    assert block is not None
    extras = block.extras or [None] * len(lines)
    got = list(zip(block.states, block.numbers, block.types, block.statuses, extras, strict=True))
    assert got == expected


def test_blank_lines_and_quotes_send_a_block_line_by_line() -> None:
    parse = make_block_parser(COLUMNS)
    assert parse("KGZ,P,AN1,lost,,\nKGZ,P,AN2,lost,,\n") is not None
    assert parse("KGZ,P,AN1,lost,,\n\nKGZ,P,AN2,lost,,\n") is None
    assert parse('KGZ,P,AN1,lost,,"src"\n') is None
    assert parse("KGZ,P,AN1,lost,,\rKGZ,P,AN2,lost,,\n") is None  # bare CR line end


def _mixed_feed(path: Path, rows: int, seed: int) -> Path:
    """Clean rows with bad rows, quoted fields, series, blank lines, CRLF
    lines and optional fields sprinkled in: every kind of block, synthetic numbers."""
    rng = random.Random(seed)
    states = ["KGZ", "KAZ", "TJK", "D", "UZB"]
    statuses = ["lost", "stolen", "revoked", "invalid"]
    out = [",".join([*COLUMNS[:4], "number_to", *COLUMNS[4:]])]
    for i in range(rows):
        state = rng.choice(states)
        number = f"{rng.choice('ABCN')}{rng.choice('NKX')}{rng.randrange(10**7):07d}"
        kind = rng.random()
        if kind < 0.01:
            out.append(f"QQQ,P,{number},lost,,,")  # bad state
        elif kind < 0.02:
            out.append(f"{state},P,{number},lost,,2030-02-30,")  # bad date
        elif kind < 0.03:
            out.append(f'{state},P,{number},stolen,,,"source, with a comma {i}"')
        elif kind < 0.04:
            out.append(f"{state},P,{number[:2]}{i:05d}00,stolen_blank,{number[:2]}{i:05d}99,,")
        elif kind < 0.05:
            out.append("")
        elif kind < 0.06:
            out.append(f"{state},P,{number},lost,,,src-{i}\r")
        elif kind < 0.2:
            out.append(
                f"{state},I,{number},{rng.choice(statuses)},,2031-0{rng.randrange(1, 9)}-15,"
            )
        else:
            out.append(f"{state},{rng.choice('PPPI')},{number},{rng.choice(statuses)},,,")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _as_jsonl(csv_path: Path, out: Path) -> Path:
    """The same rows as a JSON Lines feed: JSON goes through the careful path only."""
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        lines = [json.dumps(row) for row in reader if any(row.values())]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _stored(store: ListStore) -> list[tuple]:
    version = store.active_version()
    assert version is not None
    rows = [
        {k: v for k, v in asdict(r).items() if k != "added_in"} for r in store.iter_records(version)
    ]
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in rows)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return store_url_for(request, tmp_path)


@pytest.mark.parametrize("helper", [False, True], ids=["in-process", "helper-process"])
@pytest.mark.parametrize("hashed", [False, True], ids=["clear", "hashed"])
def test_bulk_import_stores_what_the_careful_path_stores(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: bool, hashed: bool
) -> None:
    monkeypatch.setattr(feeds, "BLOCK_CHARS", 2048)  # many blocks, some bad, some clean
    feed = _mixed_feed(tmp_path / "feed.csv", 3000, seed=7)
    key = b"k" * 32 if hashed else None
    bulk = open_store(store_url)
    report = import_feed(
        bulk, feed, key=key, parallel_min_bytes=0 if helper else 1 << 40, limits=NO_LIMITS
    )
    careful_url = f"sqlite:///{tmp_path}/careful.db"
    careful = open_store(careful_url)
    reference = import_feed(
        careful, _as_jsonl(feed, tmp_path / "feed.jsonl"), key=key, limits=NO_LIMITS
    )

    assert report.records_added == reference.records_added > 2500
    assert report.series_added == reference.series_added
    assert report.active_records + report.active_series == (
        reference.active_records + reference.active_series
    )
    assert report.rejected == reference.rejected > 0
    assert report.reject_reasons == reference.reject_reasons
    assert report.status_counts == reference.status_counts
    assert _stored(bulk) == _stored(careful)
    # Bad rows carry their CSV line numbers, across block boundaries.
    lines = feed.read_text(encoding="utf-8").split("\n")
    for reject in report.rejects:
        line = lines[reject.row - 1]
        assert line.startswith("QQQ,") or "2030-02-30" in line, (reject, line)
    assert report.digest == "sha256:" + hashlib.sha256(feed.read_bytes()).hexdigest()
    bulk.close()
    careful.close()


def test_helper_and_in_process_give_the_same_digest(tmp_path: Path) -> None:
    feed = _mixed_feed(tmp_path / "feed.csv", 500, seed=3)
    digests = []
    for helper in (False, True):
        with Feed(feed) as opened, BulkBlocks(opened, None, helper=helper) as blocks:
            for _ in blocks:
                pass
            digests.append(blocks.digest)
    assert digests[0] == digests[1] == "sha256:" + hashlib.sha256(feed.read_bytes()).hexdigest()


@pytest.mark.parametrize("helper", [False, True], ids=["in-process", "helper-process"])
def test_an_undecodable_feed_is_rejected_and_the_previous_list_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: bool
) -> None:
    monkeypatch.setattr(feeds, "BLOCK_CHARS", 256)
    store = open_store(f"sqlite:///{tmp_path}/lists.db")
    base = import_feed(store, write_feed(tmp_path / "base.csv", BASE_ROWS))
    good = _mixed_feed(tmp_path / "good.csv", 2000, seed=5).read_bytes()
    broken = tmp_path / "broken.csv"
    broken.write_bytes(good + b"KGZ,P,AN\xff\xfe1,lost,,,\n" + b"KGZ,P,AN7654321,lost,,,\n")
    with pytest.raises(ImportRejectedError, match="not UTF-8 text"):
        import_feed(store, broken, parallel_min_bytes=0 if helper else 1 << 40)
    active = store.active_version()
    assert active is not None and active.id == base.version
    store.close()


def test_progress_is_reported_per_million_rows(tmp_path: Path) -> None:
    rows = io.StringIO()
    rows.write("issuing_state,document_type,document_number,status\n")
    for i in range(2_100_000):
        rows.write(f"KGZ,P,AN{i:07d},lost\n")
    feed = tmp_path / "big.csv"
    feed.write_text(rows.getvalue(), encoding="utf-8")
    seen: list[int] = []

    def progress(report: ImportReport) -> None:
        seen.append(report.rows_read)

    store = open_store(f"sqlite:///{tmp_path}/lists.db")
    report = import_feed(store, feed, progress=progress, parallel_min_bytes=0)
    assert report.records_added == 2_100_000 and report.rejected == 0
    assert len(seen) == 2 and 1_000_000 <= seen[0] < seen[1] < 2_100_000
    store.close()


def test_without_a_helper_process_the_import_parses_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-such-python"))
    feed = _mixed_feed(tmp_path / "feed.csv", 300, seed=9)
    store = open_store(f"sqlite:///{tmp_path}/lists.db")
    report = import_feed(store, feed, parallel_min_bytes=0, limits=NO_LIMITS)
    assert report.records_added > 250 and report.rejected > 0
    assert report.digest == "sha256:" + hashlib.sha256(feed.read_bytes()).hexdigest()
    store.close()
