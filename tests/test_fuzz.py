"""Fuzzing: whatever comes in, the tool answers or refuses clearly, never with a traceback.

Targets (issue #17): the MRZ parser, ``check-mrz`` input (arguments and stdin), the feed
parsers (CSV, JSON, JSON Lines, through a real import into a real SQLite store) and
``lists check -`` input; also image bytes. Each property states what a correct outcome
is, so a wrong answer fails as well as an exception.

Bounded for ``make test`` (a few seconds per target; derandomized in CI by the profile
in tests/conftest.py). ``python -m benchmarks fuzz`` runs the same properties with
``SCREENING_FUZZ_EXAMPLES`` examples each.
"""

from __future__ import annotations

import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from screening.cli import main
from screening.errors import ExitCode, ImportRejectedError, InputFileError
from screening.imaging.load import decode_image
from screening.lists import open_store
from screening.lists.importer import import_feed
from screening.lists.validation import ALL_COLUMNS, REQUIRED_COLUMNS
from screening.mrz import check_mrz
from screening.settings import Settings
from tests.lists_helpers import BASE_ROWS, write_feed

EXAMPLES = int(os.environ.get("SCREENING_FUZZ_EXAMPLES", "0"))
SETTINGS = Settings(today=date(2026, 11, 28))
UTO = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
MRZ_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
NASTY = "\x00\n\r\t\x1b\x7f\x9b\u202e\u2028\ufeff\ufffd \"',;=@+-\\é\u0410"


def fuzz(default: int) -> settings:
    """A target's settings: ``default`` examples here, SCREENING_FUZZ_EXAMPLES in the
    benchmark; no deadline (the machine is shared: timing is the benchmark's job)."""
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- the MRZ parser ------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, line: str) -> str:
    """A genuine MRZ line with a few characters changed, removed or added."""
    chars = list(line)
    for _ in range(draw(st.integers(0, 4))):
        if not chars:
            break
        i = draw(st.integers(0, len(chars) - 1))
        op = draw(st.sampled_from(["set", "delete", "insert"]))
        new = draw(st.sampled_from(MRZ_CHARS + NASTY))
        if op == "set":
            chars[i] = new
        elif op == "delete":
            del chars[i]
        else:
            chars.insert(i, new)
    return "".join(chars)


mrz_like_lines = st.one_of(
    st.lists(st.one_of(*(mutated(line) for line in UTO + TD1)), min_size=1, max_size=4),
    st.lists(st.text(MRZ_CHARS, min_size=28, max_size=46), min_size=1, max_size=3),
    st.lists(st.text(max_size=60), max_size=5),
    st.text(max_size=200).map(lambda text: [text]),
)


@fuzz(200)
@given(mrz_like_lines)
def test_the_mrz_parser_reports_any_text(lines: list[str]) -> None:
    report = check_mrz(lines, SETTINGS)
    as_dict = report.to_dict()
    json.dumps(as_dict)
    assert as_dict["verdict"] in ("clear", "refer", "alert")
    assert report.format is not None or any(f.code == "MRZ_FORMAT" for f in report.findings)


# --- check-mrz input -----------------------------------------------------------------


def _check_mrz(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    code = main(["check-mrz", "--json", "--today", "2026-11-28", "--", *argv])
    out, _ = capsys.readouterr()
    return code, out


def _assert_json_or_usage_error(code: int, out: str) -> None:
    assert code in (ExitCode.ok, ExitCode.bad_args)
    if code == ExitCode.ok:
        out.encode("utf-8")  # no undecodable byte on its way out
        assert json.loads(out)["verdict"] in ("clear", "refer", "alert")
    else:
        assert out == ""


@fuzz(150)
@given(st.binary(max_size=3000) | st.sampled_from(UTO + TD1).map(str.encode))
def test_check_mrz_answers_any_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: bytes
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    _assert_json_or_usage_error(*_check_mrz(capsys, []))


mrz_arguments = st.binary(min_size=1, max_size=60) | st.sampled_from(UTO).map(str.encode)


@fuzz(150)
@given(st.lists(mrz_arguments, min_size=1, max_size=4))
def test_check_mrz_answers_any_arguments(
    capsys: pytest.CaptureFixture[str], args: list[bytes]
) -> None:
    # As the operating system hands them over: bytes decoded with surrogateescape.
    argv = [os.fsdecode(arg.replace(b"\x00", b"")) for arg in args]
    assume(all(argv))
    _assert_json_or_usage_error(*_check_mrz(capsys, argv))


# --- feeds, through a real import --------------------------------------------------------


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("fuzz-store")
    url = f"sqlite:///{folder}/lists.db"
    with open_store(url) as store:
        import_feed(store, write_feed(folder / "base.csv", BASE_ROWS))
    return url


GOOD_ROWS = [
    "KGZ,P,AN1234567,lost,,,KG-MVD",
    "KAZ,I,N05123456,revoked,,2031-01-01,",
    "TJK,P,400123456,stolen_blank,400123999,,",
]
csv_lines = st.one_of(
    st.sampled_from(GOOD_ROWS),
    st.lists(st.text(NASTY + MRZ_CHARS + "abc,", max_size=30), min_size=1, max_size=9).map(
        ",".join
    ),
    st.text(max_size=80),
)
csv_headers = st.one_of(
    st.just("issuing_state,document_type,document_number,status,number_to,review_on,source"),
    st.permutations(ALL_COLUMNS).map(",".join),
    st.lists(st.sampled_from([*ALL_COLUMNS, "colour", ""]), max_size=8).map(",".join),
    st.text(max_size=60),
)


@st.composite
def csv_feeds(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=2000))
    lines = [draw(csv_headers), *draw(st.lists(csv_lines, max_size=12))]
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return ending.join(lines).encode("utf-8", "surrogatepass")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(NASTY + "AZ09"),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from([*ALL_COLUMNS, "x"]), children, max_size=5)
    ),
    max_leaves=20,
)
json_records = st.fixed_dictionaries(
    {c: st.sampled_from(["KGZ", "P", "AN1234567", "lost"]) for c in REQUIRED_COLUMNS},
    optional={"number_to": st.text(max_size=12), "review_on": st.text(max_size=12)},
)


@st.composite
def json_feeds(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".json", ".jsonl"]))
    if draw(st.integers(0, 3)) == 0:
        return suffix, draw(st.binary(max_size=2000))
    items = draw(st.lists(json_records | json_values, max_size=10))
    if suffix == ".json":
        text = json.dumps(items)
        cut = draw(st.integers(0, len(text)))  # sometimes cut short
        text = text if draw(st.booleans()) else text[:cut]
    else:
        text = "\n".join(json.dumps(item) for item in items)
    return suffix, text.encode("utf-8", "surrogatepass")


def _import_outcome(store_url: str, path: Path) -> None:
    """An import either becomes the active version or is refused with the previous one
    still active; nothing else."""
    with open_store(store_url) as store:
        before = store.active_version()
        try:
            report = import_feed(store, path)
        except (ImportRejectedError, InputFileError) as error:
            assert error.message and "\n" not in error.message
            after = store.active_version()
            assert after is not None and before is not None and after.id == before.id
        else:
            after = store.active_version()
            assert after is not None and after.id == report.version
            assert report.rejected <= report.rows_read * 0.01 + 1e-9  # the default limit


@fuzz(60)
@given(csv_feeds())
def test_any_csv_feed_is_imported_or_refused(store_url: str, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(data)
    _import_outcome(store_url, path)


@fuzz(40)
@given(json_feeds())
def test_any_json_feed_is_imported_or_refused(
    store_url: str, tmp_path: Path, feed: tuple[str, bytes]
) -> None:
    suffix, data = feed
    path = tmp_path / f"feed{suffix}"
    path.write_bytes(data)
    _import_outcome(store_url, path)


# --- lists check - -----------------------------------------------------------------------


def _expected_answers(data: bytes) -> int:
    """How many answer lines ``lists check -`` owes: one per line that is not UTF-8 or
    not blank."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    count = 0
    for line in lines:
        try:
            blank = not line.decode("utf-8").split()
        except UnicodeDecodeError:
            blank = False
        count += not blank
    return count


query_input = st.lists(
    st.one_of(
        st.sampled_from(["KGZ AN1234567", "KGZ AN1234S67 P", "ZZZ 1", "KGZ", "a b c d"]),
        st.text(max_size=40).map(lambda t: t.replace("\n", " ")),
        st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" ").decode("latin-1")),
    ),
    max_size=8,
).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))


@fuzz(60)
@given(query_input | st.binary(max_size=3000))
def test_lists_check_stdin_answers_every_line(
    store_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
) -> None:
    assume(all(len(line) < 1024 for line in data.split(b"\n")))  # long lines: own test
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(["lists", "check", "--json", "--lists", store_url, "-"])
    out, _ = capsys.readouterr()
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == ExitCode.ok
    assert len(answers) == _expected_answers(data)
    assert all(a["status"] in ("hit", "possible", "none", "error") for a in answers)


# --- image bytes -----------------------------------------------------------------------------


image_bytes = st.one_of(
    st.binary(max_size=4000),
    st.sampled_from(
        [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"II*\x00", b"BM"]
    ).flatmap(lambda magic: st.binary(max_size=2000).map(lambda rest: magic + rest)),
)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow's own note on such bytes
@fuzz(100)
@given(image_bytes)
def test_any_bytes_are_an_image_or_a_clear_input_error(data: bytes) -> None:
    try:
        image = decode_image(data, "fuzz.bin")
    except InputFileError as error:
        assert error.message.startswith("fuzz.bin: ")
    else:
        assert image.gray.shape[:2] == image.bgr.shape[:2]
