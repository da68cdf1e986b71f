"""The borealis specimen family follows the family contract and draws what it says.

A dozen pages cover every kind, format and capture tier; each is rendered once per test
process and shared by the checks below (rendering is the slow part).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from fixtures.families import FAMILIES, family
from fixtures.families.contract import (
    CAPTURE_KEYS,
    CAPTURES,
    FORMATS,
    KINDS,
    VIZ_FIELDS,
    PageRequest,
    RenderedPage,
    check_truth,
)
from screening.mrz import check_mrz
from screening.settings import Settings
from tests.conftest import SCREENING_DATE

borealis = family("borealis")
SAMPLES = [
    PageRequest("genuine", 11, "TD1", "clean"),
    PageRequest("genuine", 12, "TD2", "mild"),
    PageRequest("genuine", 13, "TD3", "hard"),
    PageRequest("viz_altered", 14, "TD3", "clean", field="surname", subtle=True),
    PageRequest("viz_altered", 15, "TD1", "mild", field="birth_date"),
    PageRequest("viz_altered", 16, "TD2", "clean", field="document_number", subtle=True),
    PageRequest("mrz_recomputed", 17, "TD2", "clean", field="expiry_date"),
    PageRequest("wrong_check_digit", 18, "TD1", "hard"),
    PageRequest("photo_substituted", 19, "TD3", "mild", subtle=True),
    PageRequest("photo_substituted", 20, "TD1", "clean"),
    PageRequest("handfilled", 21, capture="clean"),
    PageRequest("handfilled", 22, capture="hard"),
    PageRequest("printed_no_mrz", 23, capture="mild"),
]
MRZ_KINDS = {"genuine", "viz_altered", "mrz_recomputed", "wrong_check_digit", "photo_substituted"}


def _ids() -> list[str]:
    return [f"{r.kind}-{r.format}-{r.capture}" for r in SAMPLES]


def _mrz_fields(lines: list[str]) -> dict[str, Any]:
    return check_mrz(lines, Settings(today=SCREENING_DATE)).fields


def test_samples_cover_every_kind_format_and_capture() -> None:
    assert {r.kind for r in SAMPLES} == set(KINDS)
    assert {r.format for r in SAMPLES if r.kind in MRZ_KINDS} == set(FORMATS)
    assert {r.capture for r in SAMPLES} == set(CAPTURES)
    assert "borealis" in FAMILIES and borealis.NAME == "borealis"


@pytest.mark.parametrize("request_", SAMPLES, ids=_ids())
def test_page(request_: PageRequest) -> None:
    """Each sample is rendered once and checked from every side (rendering is the slow part)."""
    page = borealis.render(request_)
    truth = page.truth
    _check_contract(page, request_)
    _check_boxes(truth)
    for name, lines in truth["viz_lines"].items():
        assert " / ".join(line["text"] for line in lines) == truth["viz"][name]
    if request_.kind in MRZ_KINDS:
        _check_check_digits(truth)
        _check_printed_values_against_mrz(truth)
    else:
        assert truth["mrz_lines"] == [] and truth["format"] is None
        assert truth["boxes"]["mrz"] is None
    if request_.kind == "handfilled":
        assert truth["handwriting"]["pen"] in {"blue", "violet", "black"}
        assert len(truth["handwriting"]["boxes"]) >= 6, "every written value has its box"
    if request_.kind == "printed_no_mrz":
        assert not (truth["handwriting"] or {}).get("boxes"), "nothing written by hand"
    photo = truth["photo"]
    if request_.kind == "photo_substituted":
        assert photo["substituted"] is True
        assert {"seal_broken", "glued_print", "texture"} & set(photo["signs"])
        assert ("ghost_mismatch" in photo["signs"]) == (photo["ghost_box"] is not None)
        assert photo["subtle"] is request_.subtle
    elif photo is not None:
        assert photo["substituted"] is False and photo["signs"] == []


def _check_contract(page: RenderedPage, request_: PageRequest) -> None:
    truth = page.truth
    assert check_truth(truth) == []
    assert (truth["family"], truth["kind"], truth["seed"]) == (
        "borealis",
        request_.kind,
        request_.seed,
    )
    assert set(CAPTURE_KEYS) <= set(truth["capture"])
    assert truth["capture"]["tier"] == request_.capture
    image = Image.open(io.BytesIO(page.image_bytes))
    assert image.format == {"png": "PNG", "jpg": "JPEG"}[page.extension]
    assert (image.width, image.height) == (truth["image"]["width"], truth["image"]["height"])
    assert truth["image"]["extension"] == page.extension
    assert (page.extension == "png") == (truth["capture"]["jpeg_quality"] is None)
    assert truth["fonts"], "the fonts used are reported"


def _check_boxes(truth: dict[str, Any]) -> None:
    width, height = truth["image"]["width"], truth["image"]["height"]
    boxes = [b for b in truth["boxes"].values() if b is not None]
    photo = truth["photo"] or {}
    boxes += [b for b in (photo.get("box"), photo.get("ghost_box")) if b is not None]
    hand = truth["handwriting"] or {}
    boxes += hand.get("boxes", []) + hand.get("signature_boxes", [])
    if truth["alteration"] and truth["alteration"].get("box"):
        boxes.append(truth["alteration"]["box"])
    boxes += [line["box"] for lines in truth["viz_lines"].values() for line in lines]
    assert truth["boxes"]["page"] is not None
    for x, y, w, h in boxes:
        assert x >= 0 and y >= 0 and w > 0 and h > 0
        assert x + w <= width and y + h <= height
    if truth["kind"] in MRZ_KINDS:
        assert truth["boxes"]["mrz"] is not None
        assert set(VIZ_FIELDS) <= set(truth["boxes"])


def _check_check_digits(truth: dict[str, Any]) -> None:
    """Every check digit holds, except the one a wrong_check_digit page breaks."""
    checks = check_mrz(truth["mrz_lines"], Settings(today=SCREENING_DATE)).check_digits
    failed = {(c["line"], c["position"]) for c in checks.values() if not c["valid"]}
    if truth["kind"] == "wrong_check_digit":
        wrong = truth["alteration"]
        line, index = wrong["line"] - 1, wrong["index"] - 1
        assert (wrong["line"], wrong["index"]) in failed
        assert truth["mrz_lines"][line][index] != truth["mrz_lines_genuine"][line][index]
        composite = next((c["line"], c["position"]) for n, c in checks.items() if n == "composite")
        assert failed <= {(wrong["line"], wrong["index"]), composite}
    else:
        assert failed == set()
    genuine = check_mrz(truth["mrz_lines_genuine"], Settings(today=SCREENING_DATE))
    assert all(check["valid"] for check in genuine.check_digits.values())


def _iso_from_mrz(fields: dict[str, Any]) -> dict[str, str]:
    keys = (
        "document_number",
        "surname",
        "given_names",
        "birth_date",
        "expiry_date",
        "nationality",
        "sex",
    )
    return {key: fields[key] for key in keys}


def _check_printed_values_against_mrz(truth: dict[str, Any]) -> None:
    """The printed values agree with the genuine MRZ, except the one a forger changed."""
    genuine = _iso_from_mrz(_mrz_fields(truth["mrz_lines_genuine"]))
    differing = {k for k in genuine if genuine[k] != truth["viz_iso"][k]}
    if truth["kind"] == "viz_altered":
        assert differing == {truth["alteration"]["field"]}
        assert truth["viz"][truth["alteration"]["field"]] == truth["alteration"]["printed_value"]
    else:
        assert differing == set()
    if truth["kind"] == "mrz_recomputed":
        altered = _iso_from_mrz(_mrz_fields(truth["mrz_lines"]))
        assert {k for k in genuine if genuine[k] != altered[k]} == {truth["alteration"]["field"]}


def test_mrz_is_printed_at_the_icao_pitch() -> None:
    """On a 300 dpi flat scan the MRZ's characters sit 2.54 mm (30 px) apart."""
    truth = borealis.render(PageRequest("genuine", 11, "TD3", "clean")).truth
    assert truth["capture"]["dpi"] == 300 and truth["capture"]["rotation_deg"] == 0
    for i, line in enumerate(truth["mrz_lines"], start=1):
        box = truth["parts"][f"mrz_line_{i}"]
        assert box[2] / len(line) == pytest.approx(2.54 / 25.4 * 300, abs=0.5)


def test_capture_overrides_are_applied_exactly() -> None:
    forced = {
        "motion_blur_px": 7,
        "motion_angle_deg": 30,
        "dpi": 140,
        "rotation_deg": 90,
        "jpeg_quality": 55,
        "glare": False,
        "shadow": True,
        "perspective": False,
    }
    page = borealis.render(PageRequest("genuine", 31, "TD3", "hard", capture_overrides=forced))
    capture = page.truth["capture"]
    assert {k: capture[k] for k in forced} == forced
    assert page.extension == "jpg"
    # Turned a quarter: the landscape page stands upright; 125 mm at 140 dpi wide -> tall.
    _, _, w, h = page.truth["boxes"]["page"]
    assert h > w
    assert h == pytest.approx(125 / 25.4 * 140, rel=0.12)


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown capture overrides"):
        borealis.render(PageRequest("genuine", 1, capture_overrides={"blur": 3}))


def test_rendering_is_deterministic() -> None:
    request_ = PageRequest("photo_substituted", 41, "TD2", "hard", subtle=True)
    first, again = borealis.render(request_), borealis.render(request_)
    assert again.image_bytes == first.image_bytes
    assert again.truth == first.truth


def test_requested_state_is_drawn() -> None:
    page = borealis.render(PageRequest("genuine", 11, "TD2", "clean", state="TJK"))
    assert page.truth["state"] == "TJK"
    assert page.truth["mrz_lines"][0][2:5] == "TJK"
