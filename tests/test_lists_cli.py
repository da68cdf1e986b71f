"""`screening lists import|status|check|gc` end to end on an SQLite store."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from screening.errors import ExitCode
from tests.cli_helpers import run
from tests.lists_helpers import BASE_ROWS, write_feed


def test_import_status_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/lists.db"
    feed = write_feed(tmp_path / "feed.csv", [*BASE_ROWS, "KGZ,X1,AB1,lost,,,"])
    code, out, _ = run(
        capsys,
        "lists",
        "import",
        str(feed),
        "--lists",
        url,
        "--json",
        "--max-rejects",
        "20%",
        "--rejects",
        str(tmp_path / "rejects.csv"),
    )
    report = json.loads(out)
    assert code == ExitCode.ok and report["version"] == 1 and report["rejected"] == 1
    assert report["rejects"] == [{"row": 9, "reason": "document_type 'X1' is not a document code"}]
    assert "row,reason" in (tmp_path / "rejects.csv").read_text()

    code, out, _ = run(capsys, "lists", "status", "--lists", url, "--json")
    status = json.loads(out)
    assert status["active_version"] == 1 and status["versions"][0]["records"] == 5

    code, out, _ = run(capsys, "lists", "check", "--json", "--lists", url, "KGZ", "AN1234567")
    result = json.loads(out)
    assert result["status"] == "hit" and result["matches"][0]["record"]["status"] == "lost"
    assert result["list_version"]["version"] == 1

    queries = b"KGZ AN1234567\nKGZ AN1234S67\n\nKGZ AB9\nbad\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(queries)))
    code, out, _ = run(capsys, "lists", "check", "--json", "--lists", url, "-")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["status"] for line in lines] == ["hit", "possible", "none", "error"]
    assert lines[1]["matches"][0]["matched_number"] == "AN1234567"

    code, out, _ = run(capsys, "lists", "check", "--lists", url, "KGZ", "AN2000500")
    assert code == 0 and out.startswith("HIT") and "stolen_blank" in out


def test_errors_have_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/lists.db"
    code, _, err = run(capsys, "lists", "status", "--lists", url)
    assert code == ExitCode.list_store and "no list store" in err
    bad = write_feed(tmp_path / "bad.csv", ["QQQ,P,AN1,lost,,,"])
    code, _, err = run(capsys, "lists", "import", str(bad), "--lists", url)
    assert code == ExitCode.import_rejected and "no usable row" in err
    code, _, err = run(capsys, "lists", "import", str(tmp_path / "none.csv"), "--lists", url)
    assert code == ExitCode.input_file
    code, _, err = run(capsys, "lists", "check", "--lists", "mysql://x", "KGZ", "A1")
    assert code == ExitCode.list_store and "unsupported" in err


def test_hashed_import_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/hashed.db"
    key = tmp_path / "key"
    key.write_text("a-long-enough-secret-key\n")
    feed = write_feed(tmp_path / "feed.csv", BASE_ROWS)
    code, _, _ = run(
        capsys, "lists", "import", str(feed), "--lists", url, "--hashed", "--key-file", str(key)
    )
    assert code == 0
    assert b"AN1234567" not in (tmp_path / "hashed.db").read_bytes()
    code, out, _ = run(
        capsys,
        "lists",
        "check",
        "--json",
        "--lists",
        url,
        "--key-file",
        str(key),
        "KGZ",
        "AN1234567",
    )
    assert json.loads(out)["status"] == "hit"
    code, _, err = run(capsys, "lists", "check", "--lists", url, "KGZ", "AN1234567")
    assert code == ExitCode.list_store and "key" in err


def test_export_round_trips_into_another_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, dst = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    rows = [*BASE_ROWS, 'KGZ,P,AB1000001,lost,,2031-05-01,"MVD, Bishkek"']
    run(capsys, "lists", "import", str(write_feed(tmp_path / "feed.csv", rows)), "--lists", src)
    code, _, _ = run(capsys, "lists", "export", str(tmp_path / "out.csv"), "--lists", src)
    assert code == 0
    code, out, _ = run(
        capsys, "lists", "import", str(tmp_path / "out.csv"), "--lists", dst, "--json"
    )
    report = json.loads(out)
    assert report["rejected"] == 0 and report["records_added"] == 6
    assert report["series_added"] == 2
    for url in (src, dst):
        code, out, _ = run(capsys, "lists", "check", "--json", "--lists", url, "KGZ", "AB1000001")
        (match,) = json.loads(out)["matches"]
        assert match["record"]["source"] == "MVD, Bishkek"
        assert match["record"]["review_on"] == "2031-05-01"
