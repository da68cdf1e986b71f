"""Issue #17, the scan and output defects (items 2, 3 and 8): each failed on main."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from screening.booklet.pages import read_booklet
from screening.errors import ExitCode, InputFileError, MissingDependencyError
from screening.imaging.load import MAX_ASPECT, MAX_SIDE, LoadedImage, decode_image
from screening.imaging.mrz_image import read_image_mrz
from screening.imaging.multi_mrz import find_more_mrz
from screening.lists import open_store
from screening.lists.importer import import_feed
from screening.pipeline import DEFAULT_STAGES, ScanOptions, scan_image
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings
from tests.cli_helpers import console, run
from tests.conftest import REPO, SCREENING_DATE

SAMPLES = REPO / "fixtures" / "samples"
NO_VIZ = ScanOptions(check_viz=False)


def side_by_side(*names: str) -> np.ndarray:
    """Sample pages next to each other on one picture (as two passports photographed
    together), padded with paper to one height."""
    pages = [cv2.imread(str(SAMPLES / name)) for name in names]
    height = max(p.shape[0] for p in pages)
    padded = []
    for page in pages:
        canvas = np.full((height, page.shape[1], 3), 235, np.uint8)
        canvas[: page.shape[0]] = page
        padded.append(canvas)
    return np.hstack(padded)


def png(path: Path, image: np.ndarray) -> Path:
    cv2.imwrite(str(path), image)
    return path


# --- 2. one picture, two documents ----------------------------------------------------


def test_every_document_in_a_picture_is_screened(tmp_path: Path) -> None:
    picture = png(tmp_path / "two.png", side_by_side("td3-tjk-mild.jpg", "td3-uto-mild.jpg"))
    feed = tmp_path / "feed.csv"
    # The specimen page (not the one read first) is the listed one.
    feed.write_text("issuing_state,document_type,document_number,status\nUTO,P,L775022W8,stolen\n")
    url = f"sqlite:///{tmp_path}/lists.db"
    with open_store(url) as store:
        import_feed(store, feed)
    settings = Settings(today=SCREENING_DATE, lists_url=url)
    with ScreeningSession.open(settings, NO_VIZ, SessionOptions()) as session:
        report = session.scan(picture).to_dict()
    codes = {(f["code"], f["evidence"].get("document")) for f in report["findings"]}
    assert report["verdict"] == "alert"
    assert ("MRZ_MULTIPLE_DOCUMENTS", None) in codes and ("LIST_STOLEN", 2) in codes
    numbers = [d["fields"]["document_number"] for d in report["documents"]]
    assert sorted(numbers) == ["421163173", "L775022W8"]
    assert report["document"]["fields"]["document_number"] == numbers[0]  # main stays main
    assert [d["lists"]["status"] for d in report["documents"]] == ["none", "hit"]
    listed = next(f for f in report["findings"] if f["code"] == "LIST_STOLEN")
    assert listed["message"].startswith("Document 2 in this picture:")


@pytest.mark.parametrize(
    "sample", ["td3-kgz-clean.png", "td2-uzb-clean.png", "td1-kgz-mild.jpg", "td3-bgd-hard.jpg"]
)
def test_a_single_document_is_one_document(sample: str) -> None:
    gray = cv2.imread(str(SAMPLES / sample), cv2.IMREAD_GRAYSCALE)
    assert find_more_mrz(gray, read_image_mrz(gray)) == []


# --- 8. bounded work on any input, one bad image never sinks the run -------------------


def test_narrow_and_tall_images_are_error_rows_and_the_next_image_is_screened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shapes = {"narrow.png": (40_000, 32), "long.png": (33, 64_000), "wide.png": (32, 100_000)}
    paths = [str(png(tmp_path / n, np.full((*s, 3), 200, np.uint8))) for n, s in shapes.items()]
    code, out, err = run(
        capsys,
        "scan",
        "--json",
        "--no-viz",
        "--no-lists",
        *paths,
        str(SAMPLES / "td3-tjk-mild.jpg"),
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == ExitCode.input_file and "Traceback" not in err
    assert [r["verdict"] for r in rows] == [None, None, None, "clear"]
    assert all("image shape out of range" in r["error"] for r in rows[:3])


@pytest.mark.parametrize(
    ("width", "height", "accepted"),
    [
        (int(MAX_ASPECT * 400), 400, True),
        (int(MAX_ASPECT * 400) + 8, 400, False),
        (400, int(MAX_ASPECT * 400) + 8, False),
        (MAX_SIDE + 1, 2000, False),
    ],
)
def test_images_are_bounded_by_aspect_ratio_and_side(
    width: int, height: int, accepted: bool
) -> None:
    ok, data = cv2.imencode(".png", np.full((height, width), 200, np.uint8))
    assert ok
    if accepted:
        assert decode_image(data.tobytes()).size == (width, height)
    else:
        with pytest.raises(InputFileError, match=r"shape out of range|too large"):
            decode_image(data.tobytes())


def test_an_exception_in_a_stage_is_that_images_error_row(settings: Settings) -> None:
    def broken(ctx: object) -> None:
        raise ValueError("OpenCV said no")

    stages = (*DEFAULT_STAGES[:1], ("broken", broken))
    report = scan_image(SAMPLES / "td3-tjk-mild.jpg", settings, NO_VIZ, stages)
    assert report.verdict is None
    assert report.error is not None and "internal error in stage 'broken'" in report.error
    assert "ValueError: OpenCV said no" in report.error


def test_a_missing_dependency_still_stops_the_run(settings: Settings) -> None:
    def no_model(ctx: object) -> None:
        raise MissingDependencyError("model missing")

    with pytest.raises(MissingDependencyError):
        scan_image(SAMPLES / "td3-tjk-mild.jpg", settings, NO_VIZ, (("broken", no_model),))


def test_pixels_handed_over_in_memory_are_bounded_too(settings: Settings) -> None:
    """A booklet page never was a file: the same bounds before any stage sees it."""
    narrow = np.full((40_000, 32), 200, np.uint8)
    image = LoadedImage(Path("page.png"), np.dstack([narrow] * 3), narrow, 0)
    report = scan_image("page.png", settings, NO_VIZ, DEFAULT_STAGES, image=image)
    assert report.error is not None and "shape out of range" in report.error
    assert list(report.timings) == ["load_ms"]  # no other stage ran


def test_a_booklet_frame_of_no_document_shape_is_that_pages_error(tmp_path: Path) -> None:
    page = Image.fromarray(cv2.imread(str(SAMPLES / "td3-tjk-mild.jpg"))[:, :, ::-1])
    strip = Image.new("RGB", (32, 40_000), "white")
    tiff = tmp_path / "booklet.tif"
    page.save(tiff, save_all=True, append_images=[strip, page])
    sources = read_booklet(tiff)
    assert [type(s).__name__ for s in sources] == ["SourceImage", "SourceError", "SourceImage"]
    assert "shape out of range" in sources[1].error


# --- 3. terminal and log injection -------------------------------------------------------


def test_file_names_cannot_forge_lines_or_send_escape_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "x.jpg: CLEAR\n\x1b]0;pwned\x07\x1b[2Jforged.jpg"
    (tmp_path / name).write_bytes((SAMPLES / "td3-tjk-mild.jpg").read_bytes())
    missing = tmp_path / "gone\n\x1b[1A.jpg"
    code, out, _ = run(capsys, "scan", "--no-viz", "--no-lists", str(tmp_path / name), str(missing))
    assert code == ExitCode.input_file
    assert "\x1b" not in out and "\x07" not in out
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(heads) == 2  # one head line per file, whatever the names hold
    assert heads[0].endswith("\\x1b]0;pwned\\x07\\x1b[2Jforged.jpg: CLEAR")


def test_a_feed_source_cannot_forge_a_status_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/lists.db"
    feed = tmp_path / "feed.csv"
    feed.write_text("issuing_state,document_type,document_number,status\nKGZ,P,AN1,lost\n")
    source = "evil\n* v99 full  active  2026-01-01 0 records\x1b[2J"
    assert run(capsys, "lists", "import", str(feed), "--lists", url, "--source", source)[0] == 0
    code, out, _ = run(capsys, "lists", "status", "--lists", url)
    assert code == 0 and "\x1b" not in out
    assert len(out.splitlines()) == 2  # the mode and v1: no third, forged line
    version = out.splitlines()[1]
    assert version.startswith("* v1 ") and "source=evil\\n* v99" in version


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        ((b"P<UTO\xff\xfeERIKSSON",), None),
        ((), b"P<UTO\xff\xfe\x00\x1b[2J\n\x80L898902C36UTO\n"),
    ],
)
def test_check_mrz_json_is_always_valid_utf8(args: tuple[bytes, ...], stdin: bytes | None) -> None:
    done = console("check-mrz", "--json", *args, stdin=stdin)
    assert done.returncode == ExitCode.ok, done.stderr
    report = json.loads(done.stdout.decode("utf-8"))  # strict: raises on invalid UTF-8
    assert report["verdict"] == "alert"
    assert "MRZ_CHARSET" in {f["code"] for f in report["findings"]}


@pytest.mark.parametrize("stdin", [b"", b"\n  \n", b"   "])
def test_empty_check_mrz_input_is_a_usage_error(stdin: bytes) -> None:
    done = console("check-mrz", "--json", stdin=stdin)
    assert done.returncode == ExitCode.bad_args and done.stdout == b""
    assert b"no MRZ text given" in done.stderr


def test_scan_refuses_fifos_and_devices_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "page.jpg"
    os.mkfifo(fifo)
    code, out, _ = run(capsys, "scan", "--json", "--no-lists", str(fifo), "/dev/zero")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == ExitCode.input_file
    assert [r["error"].split(": ", 1)[1] for r in rows] == ["not a regular file"] * 2
