"""Text from outside shown safely: escapes, excerpts, spreadsheet formulas, atomic outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.errors import OutputFileError
from screening.outputs import OutputFile
from screening.safe_text import excerpt, printable, valid_unicode


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain name.jpg", "plain name.jpg"),
        ("x.jpg\nx.jpg: CLEAR", "x.jpg\\nx.jpg: CLEAR"),
        ("\x1b]0;pwned\x07title", "\\x1b]0;pwned\\x07title"),
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
        ("csi\x9b31m", "csi\\x9b31m"),  # the 8-bit CSI
        ("rlo\u202etxt.exe", "rlo\\u202etxt.exe"),
        ("line\u2028sep", "line\\u2028sep"),
        ("not utf-8 \udcff", "not utf-8 \\xff"),
        ("Кыргызстан é", "Кыргызстан é"),
    ],
)
def test_printable_escapes_what_a_terminal_would_obey(raw: str, shown: str) -> None:
    out = printable(raw)
    assert out == shown
    out.encode("utf-8")  # always encodable
    assert "\n" not in out and "\x1b" not in out


def test_excerpt_is_short_and_says_the_length() -> None:
    assert excerpt("AB12") == "'AB12'"
    long = excerpt("9" * 10_000_000)
    assert len(long) < 100 and "10,000,000 characters" in long


def test_valid_unicode_replaces_undecodable_bytes() -> None:
    assert valid_unicode("a\udcffb\ud800") == "a\ufffdb\ufffd"
    assert valid_unicode("ordinary") == "ordinary"


def test_output_file_appears_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous\n")
    with pytest.raises(RuntimeError), OutputFile(target) as fh:
        fh.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary left
    with OutputFile(target) as fh:
        fh.write("complete\n")
    assert target.read_text() == "complete\n"


@pytest.mark.parametrize("path", ["/nonexistent-folder/out.csv", "/dev/full"])
def test_output_file_errors_are_typed(path: str) -> None:
    with pytest.raises(OutputFileError, match="cannot write"), OutputFile(path) as fh:
        fh.write("x" * 100_000)
