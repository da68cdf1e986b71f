"""The synthetic specimen generator: MRZ correctness, defects, seeds, boxes, capture tiers.

Renders are small (150-200 dpi) and few; the Tesseract sanity check runs on one clean
300 dpi page to prove the MRZ is genuine OCR-B that a stock OCR engine reads.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from fixtures.catalog import layouts, states
from fixtures.specimens import (
    CAPTURE_TIERS,
    FORMATS,
    Specimen,
    SpecimenSpec,
    generate_set,
    random_spec,
    render_specimen,
)
from screening.cli import main as cli_main
from screening.errors import BadArgumentsError
from screening.mrz import check_mrz
from screening.mrz.checkdigit import compute_check_digit
from screening.mrz.formats import FORMATS_BY_NAME
from screening.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"


def spec_for(
    fmt: str = "TD3", state: str = "KGZ", seed: int = 1, dpi: int = 150, **overrides: object
) -> SpecimenSpec:
    return random_spec(np.random.default_rng(seed), format=fmt, state=state, dpi=dpi, **overrides)


@cache
def rendered(
    fmt: str, state: str, capture: str, defects: tuple[str, ...], seed: int, dpi: int = 150
) -> Specimen:
    return render_specimen(
        spec_for(fmt, state, seed, dpi), capture=capture, defects=list(defects), seed=seed
    )


def invalid_checks(lines: list[str], fmt: str) -> list[str]:
    """Names of the check digits that do not match, computed here from the format table."""
    bad = []
    for check in FORMATS_BY_NAME[fmt].checks:
        text = "".join(lines[line][start:end] for line, start, end in check.spans)
        actual = lines[check.line][check.index]
        if check.may_be_filler_when_empty and actual == "<" and not text.strip("<"):
            continue
        if check.name == "document_number" and actual == "<" and fmt in ("TD1", "TD2"):
            # Long number (ICAO 9303 Part 5/6): the rest of it and its check digit open
            # the optional data.
            optional = FORMATS_BY_NAME[fmt].field("optional_data")
            overflow = lines[optional.line][optional.start : optional.end].split("<")[0]
            text, actual = text + overflow[:-1], overflow[-1:]
        if actual != compute_check_digit(text):
            bad.append(check.name)
    return bad


def diff_positions(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    return [
        (n, i)
        for n, (x, y) in enumerate(zip(a, b, strict=True))
        for i, (p, q) in enumerate(zip(x, y, strict=True))
        if p != q
    ]


# --- MRZ text -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("state", sorted(states()))
def test_genuine_mrz_is_valid_icao(fmt: str, state: str, settings: Settings) -> None:
    for seed in range(3):
        spec = spec_for(fmt, state, seed)
        lines = spec.mrz_lines()
        assert invalid_checks(lines, fmt) == []
        report = check_mrz(lines, settings)
        assert report.format == fmt
        assert report.mrz_valid, [f.code for f in report.findings]
        assert all(c["valid"] for c in report.check_digits.values()), report.check_digits
        # The MRZ carries the VIZ data: dates, number and name agree with the spec.
        assert report.fields["birth_date"] == spec.birth_date.isoformat()
        assert report.fields["expiry_date"] == spec.expiry_date.isoformat()
        assert report.fields["document_number"] == spec.document_number
        assert report.fields["issuing_country"] == state


def test_cyrillic_names_are_transliterated_by_the_icao_table() -> None:
    spec = spec_for(
        "TD3",
        "RUS",
        3,
        surname_local="ФЁДОРОВА",
        surname="FEDOROVA",
        given_names_local="ЮЛИЯ",
        given_names="IULIIA",
    )
    assert spec.mrz_lines()[0].startswith("P<RUSFEDOROVA<<IULIIA<")


def test_random_specs_are_valid_on_the_reference_date(settings: Settings) -> None:
    rng = np.random.default_rng(5)
    for _ in range(30):
        spec = random_spec(rng)
        assert spec.issue_date <= settings.today < spec.expiry_date
        assert spec.birth_date < spec.issue_date


# --- rendered specimens ----------------------------------------------------------------


@pytest.mark.parametrize("capture", CAPTURE_TIERS)
def test_every_capture_tier_renders_with_valid_truth(capture: str) -> None:
    specimen = rendered("TD3", "KAZ", capture, (), 11)
    truth = specimen.truth
    assert specimen.image.dtype == np.uint8 and specimen.image.ndim == 3
    assert invalid_checks(truth["mrz_lines"], "TD3") == []
    assert truth["capture"]["tier"] == capture
    assert truth["expected"] == {
        "mrz_present": True,
        "check_digits_valid": True,
        "viz_matches_mrz": True,
        "genuine": True,
    }
    # The truth is plain JSON, and the saved image decodes to the returned array.
    json.loads(json.dumps(truth))
    decoded = cv2.imdecode(np.frombuffer(specimen.encoded(1), np.uint8), cv2.IMREAD_COLOR)
    assert np.array_equal(decoded, specimen.image)


@pytest.mark.parametrize("capture", CAPTURE_TIERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_boxes_lie_inside_the_image(fmt: str, capture: str) -> None:
    truth = rendered(fmt, "UZB", capture, (), 21).truth
    height, width = truth["image"]["height"], truth["image"]["width"]
    quads = [
        truth["boxes"]["page"]["quad"],
        truth["boxes"]["mrz_text"]["quad"],
        truth["boxes"]["photo"]["quad"],
    ]
    quads += [c["quad"] for c in truth["boxes"]["mrz_cells"]]
    quads += [f["quad"] for f in truth["boxes"]["fields"].values()]
    for quad in quads:
        for x, y in quad:
            assert -0.5 <= x <= width + 0.5 and -0.5 <= y <= height + 0.5, (quad, width, height)
    for cell in truth["boxes"]["mrz_cells"]:
        x, y, w, h = cell["bbox"]
        assert w > 0 and h > 0 and x + w <= width and y + h <= height
    assert len(truth["boxes"]["mrz_cells"]) == sum(len(line) for line in truth["mrz_lines"])


def test_boxes_follow_the_capture_transform() -> None:
    truth = rendered("TD3", "PAK", "hard", (), 31).truth
    matrix = np.asarray(truth["capture"]["matrix"])
    cell = truth["clean"]["mrz_cells"][50]
    x, y, w, h = cell["box"]
    corners = np.array([[x, y, 1], [x + w, y, 1], [x + w, y + h, 1], [x, y + h, 1]], float)
    mapped = corners @ matrix.T
    mapped = mapped[:, :2] / mapped[:, 2:]
    assert np.allclose(mapped, truth["boxes"]["mrz_cells"][50]["quad"], atol=0.05)


def test_mrz_cells_hold_the_printed_characters_in_dark_ink() -> None:
    specimen = rendered("TD1", "KGZ", "clean", (), 41, dpi=200)
    gray = cv2.cvtColor(specimen.image, cv2.COLOR_BGR2GRAY)
    for cell in specimen.truth["boxes"]["mrz_cells"]:
        x, y, w, h = cell["bbox"]
        darkest = int(gray[y : y + h, x : x + w].min())
        assert darkest < 90, cell  # every cell, fillers included, carries a glyph
        assert cell["char"] == specimen.truth["mrz_lines"][cell["line"]][cell["index"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_mrz_geometry_follows_icao(fmt: str) -> None:
    dpi = 150  # one pixel is 0.17 mm: tolerances below allow for rounding
    specimen = rendered(fmt, "UZB", "clean", (), 21, dpi=dpi)
    layout = layouts()[fmt]
    px_per_mm = dpi / 25.4
    cells = specimen.truth["clean"]["mrz_cells"]
    first = [c["box"] for c in cells if c["index"] == 0]
    line0 = [c["box"] for c in cells if c["line"] == 0]
    pitch_mm = (line0[-1][0] - line0[0][0]) / (len(line0) - 1) / px_per_mm
    assert pitch_mm == pytest.approx(2.54, abs=0.01)  # 10 characters per inch
    assert first[0][0] / px_per_mm == pytest.approx(layout.mrz_left, abs=0.2)
    spacing_mm = (first[1][1] - first[0][1]) / px_per_mm
    assert spacing_mm == pytest.approx(4.23, abs=0.2)
    page_h = specimen.truth["clean"]["page"][3]
    band_mm = specimen.truth["clean"]["mrz_band"][3] / px_per_mm
    assert band_mm == pytest.approx(layout.mrz_band_height, abs=2 / px_per_mm)
    assert first[-1][1] + first[-1][3] < page_h


def test_same_seed_same_image_other_seed_other_image() -> None:
    spec = spec_for("TD2", "TJK", 61)
    one = render_specimen(spec, capture="hard", defects=["viz_altered"], seed=61)
    two = render_specimen(spec, capture="hard", defects=["viz_altered"], seed=61)
    three = render_specimen(spec, capture="hard", defects=["viz_altered"], seed=62)
    assert np.array_equal(one.image, two.image)
    assert one.truth == two.truth
    assert one.image.shape != three.image.shape or not np.array_equal(one.image, three.image)


# --- defects ---------------------------------------------------------------------------


@pytest.mark.parametrize("check", ["document_number", "birth_date", "expiry_date", "composite"])
def test_wrong_check_digit_breaks_exactly_that_digit(check: str) -> None:
    specimen = rendered("TD3", "IND", "clean", (f"wrong_check_digit:{check}",), 71)
    truth = specimen.truth
    (record,) = truth["defects"]
    assert record["check"] == check
    assert invalid_checks(truth["mrz_lines"], "TD3") == [check]
    # The digit itself, plus the composite recomputed over it (so no second digit fails).
    recomputed = [(c["line"], c["index"]) for c in record["composite_recomputed"]]
    assert diff_positions(truth["mrz_lines"], truth["mrz_lines_genuine"]) == sorted(
        [(record["line"], record["index"]), *recomputed]
    )
    assert truth["viz"]["document_number"] == truth["spec"]["document_number"]
    assert truth["expected"]["check_digits_valid"] is False


def test_wrong_check_digit_is_reported_by_the_mrz_engine(settings: Settings) -> None:
    truth = rendered("TD1", "KAZ", "clean", ("wrong_check_digit:birth_date",), 72).truth
    report = check_mrz(truth["mrz_lines"], settings)
    assert report.check_digits["birth_date"]["valid"] is False
    assert not report.mrz_valid


@pytest.mark.parametrize("field", ["document_number", "birth_date", "expiry_date", "surname"])
def test_mrz_recomputed_changes_the_field_keeps_digits_valid(field: str) -> None:
    clean = rendered("TD3", "KGZ", "clean", (), 81).truth
    truth = rendered("TD3", "KGZ", "clean", (f"mrz_recomputed:{field}",), 81).truth
    (record,) = truth["defects"]
    assert invalid_checks(truth["mrz_lines"], "TD3") == []
    assert truth["mrz_lines"] != truth["mrz_lines_genuine"]
    assert truth["mrz_lines_genuine"] == clean["mrz_lines"]
    assert truth["viz"] == clean["viz"]  # the visual zone is untouched
    mrz_field = "name" if field == "surname" else field
    assert record["mrz_value_before"] != record["mrz_value_after"]
    assert record["mrz_value_after"] in truth["mrz_fields"][mrz_field]
    assert record["mrz_value_before"] in clean["mrz_fields"][mrz_field]
    # Only the altered field and the check digits over it moved.
    moved = {i for _line, i in diff_positions(truth["mrz_lines"], clean["mrz_lines"])}
    spec = FORMATS_BY_NAME["TD3"].field(mrz_field)
    checks = {c.index for c in FORMATS_BY_NAME["TD3"].checks}
    assert moved <= set(range(spec.start, spec.end)) | checks
    assert truth["expected"]["viz_matches_mrz"] is False


def _union(boxes: list[list[int]]) -> list[int]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return [x0, y0, x1 - x0, y1 - y0]


@pytest.mark.parametrize(
    ("field", "level"),
    [
        ("surname", "crude"),
        ("birth_date", "shifted"),
        ("document_number", "lighter"),
        ("surname", "erased_patch"),
        ("expiry_date", "erased_patch"),
        ("given_names", "shifted"),
    ],
)
def test_viz_altered_changes_only_that_field(field: str, level: str) -> None:
    clean = rendered("TD3", "KGZ", "clean", (), 91)
    forged = rendered("TD3", "KGZ", "clean", (f"viz_altered:{field}:{level}",), 91)
    (record,) = forged.truth["defects"]
    assert (record["field"], record["level"]) == (field, level)
    assert forged.truth["mrz_lines"] == clean.truth["mrz_lines"]  # MRZ untouched
    changed = {k for k, v in forged.truth["viz"].items() if clean.truth["viz"][k] != v}
    assert changed == set(record["changes"]) and field in changed
    # Pixels differ only inside the altered field's old and new boxes (and any patch).
    boxes = [forged.truth["boxes"]["fields"][n]["bbox"] for n in changed]
    boxes += [clean.truth["boxes"]["fields"][n]["bbox"] for n in changed]
    boxes.append(record["region"])
    x, y, w, h = _union(boxes)
    diff = np.abs(forged.image.astype(int) - clean.image.astype(int)).max(axis=2)
    assert diff[y : y + h, x : x + w].max() > 40  # the change is there
    diff[max(0, y - 2) : y + h + 2, max(0, x - 2) : x + w + 2] = 0
    assert diff.max() == 0


def test_defects_compose() -> None:
    truth = rendered(
        "TD3",
        "RUS",
        "mild",
        ("mrz_recomputed:birth_date", "wrong_check_digit:expiry_date", "viz_altered:surname:crude"),
        95,
    ).truth
    kinds = [r["kind"] for r in truth["defects"]]
    assert kinds == ["mrz_recomputed", "wrong_check_digit", "viz_altered"]
    assert invalid_checks(truth["mrz_lines"], "TD3") == ["expiry_date"]
    assert all(r["region"] is not None for r in truth["defects"])


def test_no_mrz_page_has_no_mrz() -> None:
    spec = spec_for("TD3", "KGZ", 99, page_kind="no_mrz")
    truth = render_specimen(spec, capture="mild", seed=99).truth
    assert truth["mrz_lines"] == [] and "mrz_cells" not in truth["boxes"]
    assert "mrz_band" not in truth["clean"]
    assert truth["expected"]["mrz_present"] is False
    assert any(name.startswith("stamp_") for name in truth["clean"])


# --- bad options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capture": "blurry"}, "unknown capture"),
        ({"defects": ["smudge"]}, "unknown defect"),
        ({"defects": ["viz_altered:eye_colour"]}, "cannot target"),
        ({"defects": ["viz_altered:surname:bold"]}, "only for viz_altered"),
        ({"defects": ["wrong_check_digit:composite:crude"]}, "only for viz_altered"),
        ({"defects": ["wrong_check_digit", "wrong_check_digit"]}, "more than once"),
        ({"defects": ["a:b:c:d"]}, "expected kind"),
    ],
)
def test_bad_render_options_raise_clear_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(BadArgumentsError, match=message):
        render_specimen(spec_for(), **{"seed": 1, **kwargs})


def test_bad_spec_values_raise_clear_errors() -> None:
    rng = np.random.default_rng(1)
    with pytest.raises(BadArgumentsError, match="unknown format"):
        random_spec(rng, format="TD4")
    with pytest.raises(BadArgumentsError, match="unknown issuing state"):
        random_spec(rng, state="XYZ")
    with pytest.raises(BadArgumentsError, match="dpi"):
        spec_for(dpi=1200)
    with pytest.raises(BadArgumentsError, match="no 'optional_data' check digit"):
        render_specimen(spec_for("TD2"), defects=["wrong_check_digit:optional_data"], seed=1)
    with pytest.raises(BadArgumentsError, match="no_mrz"):
        render_specimen(spec_for(page_kind="no_mrz"), defects=["wrong_check_digit"], seed=1)


# --- batch, CLI, committed samples ------------------------------------------------------


def test_generate_set_writes_images_truth_and_manifest(tmp_path: Path) -> None:
    manifest = generate_set(
        tmp_path,
        3,
        seed=3,
        captures=["clean", "mild"],
        dpis=[150],
        defects_mix={"none": 1, "wrong_check_digit": 1},
    )
    assert len(manifest) == 3
    index = json.loads((tmp_path / "manifest.json").read_text())
    assert [item["stem"] for item in index["items"]] == [m["stem"] for m in manifest]
    for item in manifest:
        assert (tmp_path / item["image"]).is_file()
        truth = json.loads((tmp_path / item["truth"]).read_text())
        broken = invalid_checks(truth["mrz_lines"], truth["format"])
        assert (broken != []) == (item["kind"] == "wrong_check_digit")
    with pytest.raises(BadArgumentsError):
        generate_set(tmp_path, 1, seed=1, defects_mix={"teleport": 1})


def test_cli_writes_a_specimen_and_rejects_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_main(
        [
            "specimen",
            "--format",
            "TD1",
            "--state",
            "kgz",
            "--capture",
            "mild",
            "--defect",
            "viz_altered:surname:shifted",
            "--dpi",
            "150",
            "--seed",
            "7",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    (truth_path,) = tmp_path.glob("*.json")
    truth = json.loads(truth_path.read_text())
    assert truth["format"] == "TD1" and truth["state"] == "KGZ"
    assert truth["defects"][0]["level"] == "shifted"
    assert (tmp_path / truth["image_file"]).is_file()
    assert cli_main(["specimen", "--state", "XXX", "--out", str(tmp_path)]) == 2
    assert "unknown issuing state" in capsys.readouterr().err


def sample_truths() -> list[Path]:
    return sorted(SAMPLES.glob("*.json"))


def test_committed_samples_are_complete() -> None:
    truths = sample_truths()
    assert len(truths) >= 16
    formats = set()
    kinds = set()
    for path in truths:
        truth = json.loads(path.read_text())
        assert (SAMPLES / truth["image_file"]).is_file()
        if truth.get("legacy"):  # 1994-style pages from fixtures.legacy: no MRZ format
            assert truth["expected"]["mrz_present"] is False
            continue
        formats.add(truth["format"])
        kinds |= {r["kind"] for r in truth["defects"]}
        if truth["page_kind"] == "no_mrz":
            kinds.add("no_mrz")
            continue
        expect_valid = truth["expected"]["check_digits_valid"]
        assert (invalid_checks(truth["mrz_lines"], truth["format"]) == []) == expect_valid
    assert formats == set(FORMATS)
    assert kinds >= {"wrong_check_digit", "mrz_recomputed", "viz_altered", "no_mrz"}


def test_committed_samples_reproduce() -> None:
    from fixtures.make_samples import SAMPLES as PLAN
    from fixtures.make_samples import render_sample

    for sample in (PLAN[0], PLAN[3]):  # one PNG, one JPEG
        fresh = render_sample(sample)
        stored = cv2.imread(str(SAMPLES / f"{sample.stem}.{fresh.extension}"))
        assert stored is not None and stored.shape == fresh.image.shape
        # PNG is lossless; a JPEG decoder of another build may differ by a level or two.
        assert np.abs(stored.astype(int) - fresh.image.astype(int)).mean() < 0.5


# --- a stock OCR engine reads the MRZ ------------------------------------------------------


def test_tesseract_reads_a_clean_mrz() -> None:
    pytesseract = pytest.importorskip("pytesseract")
    try:
        pytesseract.get_tesseract_version()
    except pytesseract.TesseractNotFoundError:
        pytest.skip("tesseract binary not installed")
    specimen = rendered("TD3", "KGZ", "clean", (), 111, dpi=300)
    x, y, w, h = specimen.truth["boxes"]["mrz_text"]["bbox"]
    crop = cv2.cvtColor(
        specimen.image[y - 10 : y + h + 10, x - 10 : x + w + 10], cv2.COLOR_BGR2GRAY
    )
    config = "--psm 6 -c tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
    text = pytesseract.image_to_string(crop, config=config)
    read = [line.replace(" ", "") for line in text.splitlines() if line.strip()]
    assert len(read) == 2, read
    for got, want in zip(read, specimen.truth["mrz_lines"], strict=True):
        # Tesseract's stock model miscounts long filler runs (it reads some '<' as 'K');
        # everything up to the last data character must be read.
        head = want.rstrip("<")
        ratio = difflib.SequenceMatcher(None, got[: len(head)], head).ratio()
        assert ratio >= 0.9, (got, want)


def test_missing_font_is_a_clear_dependency_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from fixtures import fonts
    from screening.errors import MissingDependencyError

    monkeypatch.setitem(fonts.FONT_FILES, "ocrb", ("/nonexistent/OCRB.otf", "fonts-ocr-b"))
    with pytest.raises(MissingDependencyError, match="fonts-ocr-b"):
        fonts.font_path("ocrb")


def test_truth_spec_round_trips_and_rerenders_the_same_image() -> None:
    specimen = rendered("TD2", "AFG", "mild", ("mrz_recomputed:surname",), 131)
    spec = SpecimenSpec.from_dict(specimen.truth["spec"])
    again = render_specimen(
        spec, capture="mild", defects=specimen.truth["defects_requested"], seed=131
    )
    assert np.array_equal(again.image, specimen.image)


def test_python_m_fixtures_is_the_specimen_command() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "fixtures", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "--defect" in result.stdout and "--capture" in result.stdout
