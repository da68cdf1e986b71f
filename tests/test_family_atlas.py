"""The atlas specimen family follows the family contract: every kind, format and capture
renders with a truth record that checks, MRZ and printed values agree exactly as the kind
says, boxes lie in the image, capture overrides are applied, and pages are reproducible."""

from __future__ import annotations

from datetime import date

import cv2
import numpy as np
import pytest

from fixtures.families import atlas, family
from fixtures.families.contract import (
    CAPTURE_KEYS,
    CAPTURES,
    FORMATS,
    KINDS,
    PHOTO_SIGNS,
    PageRequest,
    RenderedPage,
    check_truth,
)
from screening.mrz.engine import check_mrz
from screening.settings import Settings

SETTINGS = Settings(today=date(2026, 11, 28))

# Every kind at least once; every format under every capture tier.
CASES = [
    PageRequest("genuine", 11, "TD3", "clean"),
    PageRequest("genuine", 12, "TD2", "hard"),
    PageRequest("viz_altered", 21, "TD2", "mild", field="document_number", subtle=True),
    PageRequest("viz_altered", 22, "TD1", "hard", field="birth_date"),
    PageRequest("mrz_recomputed", 31, "TD2", "clean", field="expiry_date"),
    PageRequest("mrz_recomputed", 32, "TD3", "hard", field="given_names"),
    PageRequest("wrong_check_digit", 41, "TD1", "mild"),
    PageRequest("photo_substituted", 51, "TD3", "mild", subtle=True),
    PageRequest("photo_substituted", 52, "TD1", "clean"),
    PageRequest("handfilled", 61, capture="mild"),
    PageRequest("printed_no_mrz", 71, capture="hard"),
]
MRZ_CASES = [c for c in CASES if c.kind not in ("handfilled", "printed_no_mrz")]
FIELDS = ("document_number", "surname", "given_names", "birth_date", "expiry_date", "sex")


def _id(request: PageRequest) -> str:
    return f"{request.kind}-{request.format}-{request.capture}"


_RENDERED: dict[str, RenderedPage] = {}


def page(request: PageRequest) -> RenderedPage:
    """Each case is drawn once per test process (the tests read it several ways)."""
    key = repr(request)
    if key not in _RENDERED:
        _RENDERED[key] = atlas.render(request)
    return _RENDERED[key]


def mrz_fields(lines: list[str]) -> dict[str, str]:
    """The MRZ's fields normalised like ``viz_iso`` (parsed by the screening MRZ rules)."""
    fields = check_mrz(lines, SETTINGS).fields
    return {
        "document_number": fields["document_number"],
        "surname": fields["surname"],
        "given_names": fields["given_names"],
        "birth_date": fields["birth_date"],
        "expiry_date": fields["expiry_date"],
        "sex": fields["sex"],
        "nationality": fields["nationality"],
    }


def test_the_family_is_registered() -> None:
    assert family("atlas") is atlas
    assert atlas.NAME == "atlas"


def test_the_cases_cover_every_kind_and_every_format_under_every_capture() -> None:
    assert {c.kind for c in CASES} == set(KINDS)
    assert {(c.format, c.capture) for c in MRZ_CASES} == {(f, t) for f in FORMATS for t in CAPTURES}


@pytest.mark.parametrize("request_", CASES, ids=_id)
def test_renders_an_image_whose_truth_follows_the_contract(request_: PageRequest) -> None:
    rendered = page(request_)
    truth = rendered.truth
    assert check_truth(truth) == []
    assert (truth["family"], truth["kind"], truth["seed"]) == (
        "atlas",
        request_.kind,
        request_.seed,
    )
    image = cv2.imdecode(np.frombuffer(rendered.image_bytes, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    assert (image.shape[1], image.shape[0]) == (truth["image"]["width"], truth["image"]["height"])
    assert truth["image"]["extension"] == rendered.extension
    assert rendered.extension == ("png" if truth["capture"]["jpeg_quality"] is None else "jpg")
    assert set(truth["capture"]) == set(CAPTURE_KEYS)
    assert truth["capture"]["tier"] == request_.capture


@pytest.mark.parametrize("request_", MRZ_CASES, ids=_id)
def test_mrz_check_digits_hold_except_the_one_made_wrong(request_: PageRequest) -> None:
    truth = page(request_).truth
    assert truth["format"] == request_.format
    report = check_mrz(truth["mrz_lines"], SETTINGS)
    assert report.format == request_.format
    failed = [(c["line"], c["position"]) for c in report.check_digits.values() if not c["valid"]]
    if request_.kind == "wrong_check_digit":
        wrong = truth["alteration"]
        composite = report.check_digits["composite"]
        # The changed digit fails; the composite, which covers it, may fail with it.
        assert (wrong["line"], wrong["index"]) in failed
        assert set(failed) <= {
            (wrong["line"], wrong["index"]),
            (composite["line"], composite["position"]),
        }
        lines, genuine_lines = truth["mrz_lines"], truth["mrz_lines_genuine"]
        changed = [
            (i + 1, j + 1)
            for i, (a, b) in enumerate(zip(lines, genuine_lines, strict=True))
            for j, (x, y) in enumerate(zip(a, b, strict=True))
            if x != y
        ]
        assert changed == [(wrong["line"], wrong["index"])]
    else:
        assert failed == []
    genuine = check_mrz(truth["mrz_lines_genuine"], SETTINGS)
    assert all(c["valid"] for c in genuine.check_digits.values())


@pytest.mark.parametrize("request_", MRZ_CASES, ids=_id)
def test_printed_values_agree_with_the_mrz_except_the_altered_field(
    request_: PageRequest,
) -> None:
    truth = page(request_).truth
    printed = {k: truth["viz_iso"][k] for k in (*FIELDS, "nationality")}
    mrz = mrz_fields(truth["mrz_lines"])
    differing = {k for k in printed if printed[k] != mrz[k]}
    if request_.kind in ("viz_altered", "mrz_recomputed"):
        assert differing == {request_.field}
        assert truth["alteration"]["field"] == request_.field
        assert truth["alteration"]["printed_value"] == truth["viz"][request_.field]
    else:
        assert differing == set()
    assert mrz_fields(truth["mrz_lines_genuine"])["surname"] == truth["viz_iso"]["surname"] or (
        request_.kind == "viz_altered" and request_.field == "surname"
    )


@pytest.mark.parametrize(
    "request_", [c for c in MRZ_CASES if c.subtle and c.kind == "viz_altered"], ids=_id
)
def test_a_subtle_alteration_changes_one_character(request_: PageRequest) -> None:
    truth = page(request_).truth
    printed = truth["viz_iso"][request_.field]
    genuine = mrz_fields(truth["mrz_lines_genuine"])[request_.field]
    assert len(printed) == len(genuine)
    assert sum(a != b for a, b in zip(printed, genuine, strict=True)) == 1


@pytest.mark.parametrize("request_", CASES, ids=_id)
def test_every_box_lies_inside_the_image(request_: PageRequest) -> None:
    truth = page(request_).truth
    width, height = truth["image"]["width"], truth["image"]["height"]
    boxes = [b for b in truth["boxes"].values() if b is not None]
    if truth["photo"]:
        boxes += [truth["photo"]["box"]] + (
            [truth["photo"]["ghost_box"]] if truth["photo"]["ghost_box"] else []
        )
    if truth["handwriting"]:
        boxes += truth["handwriting"]["boxes"] + truth["handwriting"]["signature_boxes"]
    if truth["alteration"] and truth["alteration"].get("box"):
        boxes.append(truth["alteration"]["box"])
    assert boxes
    for x, y, w, h in boxes:
        assert x >= 0 and y >= 0 and w > 0 and h > 0
        assert x + w <= width and y + h <= height
    assert truth["boxes"]["page"] is not None
    if truth["mrz_lines"]:
        assert truth["boxes"]["mrz"] is not None
        for key in FIELDS:
            assert truth["boxes"][key] is not None, key


def test_a_handfilled_page_has_handwritten_values_and_no_mrz() -> None:
    truth = page(next(c for c in CASES if c.kind == "handfilled")).truth
    assert truth["format"] is None and truth["mrz_lines"] == []
    assert truth["handwriting"]["pen"] in ("blue", "violet", "black")
    assert len(truth["handwriting"]["boxes"]) >= 6
    assert truth["photo"]["seal"] == "ink"


@pytest.mark.parametrize("request_", [c for c in CASES if c.kind == "photo_substituted"], ids=_id)
def test_a_substituted_photo_names_its_signs(request_: PageRequest) -> None:
    photo = page(request_).truth["photo"]
    assert photo["substituted"] and photo["signs"]
    assert set(photo["signs"]) <= set(PHOTO_SIGNS)
    assert photo["subtle"] == request_.subtle
    assert ("ghost_mismatch" in photo["signs"]) == (photo["ghost_box"] is not None)


def test_capture_overrides_are_applied_exactly() -> None:
    forced = {
        "motion_blur_px": 7,
        "motion_angle_deg": 30.0,
        "rotation_deg": 90.0,
        "jpeg_quality": 55,
        "glare": True,
        "shadow": False,
        "defocus_px": 0.0,
    }
    truth = atlas.render(PageRequest("genuine", 5, "TD2", "hard", capture_overrides=forced)).truth
    for key, value in forced.items():
        assert truth["capture"][key] == value
    # A 90-degree turn makes the landscape card's image taller than wide.
    page_box = truth["boxes"]["page"]
    assert page_box[3] > page_box[2]


def test_an_unknown_capture_override_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown capture override"):
        atlas.render(PageRequest("genuine", 5, capture_overrides={"zoom": 2}))


def test_the_same_request_renders_the_same_bytes() -> None:
    request = CASES[2]
    assert atlas.render(request).image_bytes == page(request).image_bytes
