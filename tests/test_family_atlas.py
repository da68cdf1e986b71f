"""The atlas specimen family follows the family contract: every kind, format and capture
renders with a truth record that checks, MRZ and printed values agree exactly as the kind
says, boxes lie in the image, capture overrides are applied, and pages are reproducible.

Each case page is drawn once (drawing is the cost) and checked by the helpers below, so
one parametrized test per case carries all of its checks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
MRZ_KINDS = ("genuine", "viz_altered", "mrz_recomputed", "wrong_check_digit", "photo_substituted")
FIELDS = ("document_number", "surname", "given_names", "birth_date", "expiry_date", "sex")


def _id(request: PageRequest) -> str:
    return f"{request.kind}-{request.format}-{request.capture}"


def mrz_fields(lines: list[str]) -> dict[str, str]:
    """The MRZ's fields normalised like ``viz_iso`` (parsed by the screening MRZ rules)."""
    fields = check_mrz(lines, SETTINGS).fields
    return {key: fields[key] for key in (*FIELDS, "nationality")}


def check_image(rendered: RenderedPage, request: PageRequest) -> None:
    truth = rendered.truth
    assert check_truth(truth) == []
    assert (truth["family"], truth["kind"], truth["seed"]) == ("atlas", request.kind, request.seed)
    image = cv2.imdecode(np.frombuffer(rendered.image_bytes, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    assert (image.shape[1], image.shape[0]) == (truth["image"]["width"], truth["image"]["height"])
    assert truth["image"]["extension"] == rendered.extension
    assert rendered.extension == ("png" if truth["capture"]["jpeg_quality"] is None else "jpg")
    assert set(truth["capture"]) == set(CAPTURE_KEYS)
    assert truth["capture"]["tier"] == request.capture


def check_boxes(truth: dict[str, Any]) -> None:
    width, height = truth["image"]["width"], truth["image"]["height"]
    boxes = [b for b in truth["boxes"].values() if b is not None]
    photo = truth["photo"]
    if photo:
        boxes += [photo["box"]] + ([photo["ghost_box"]] if photo["ghost_box"] else [])
    if truth["handwriting"]:
        boxes += truth["handwriting"]["boxes"] + truth["handwriting"]["signature_boxes"]
    if truth["alteration"] and truth["alteration"].get("box"):
        boxes.append(truth["alteration"]["box"])
    for x, y, w, h in boxes:
        assert x >= 0 and y >= 0 and w > 0 and h > 0
        assert x + w <= width and y + h <= height
    assert truth["boxes"]["page"] is not None
    if truth["mrz_lines"]:
        assert truth["boxes"]["mrz"] is not None
        for key in FIELDS:
            assert truth["boxes"][key] is not None, key


def check_check_digits(truth: dict[str, Any], request: PageRequest) -> None:
    """Every check digit holds, except the one a wrong_check_digit page changed."""
    report = check_mrz(truth["mrz_lines"], SETTINGS)
    assert report.format == request.format == truth["format"]
    failed = {(c["line"], c["position"]) for c in report.check_digits.values() if not c["valid"]}
    if request.kind == "wrong_check_digit":
        wrong = (truth["alteration"]["line"], truth["alteration"]["index"])
        composite = report.check_digits["composite"]
        # The changed digit fails; the composite, which covers it, may fail with it.
        assert wrong in failed
        assert failed <= {wrong, (composite["line"], composite["position"])}
        changed = [
            (i + 1, j + 1)
            for i, (printed, genuine) in enumerate(
                zip(truth["mrz_lines"], truth["mrz_lines_genuine"], strict=True)
            )
            for j, (a, b) in enumerate(zip(printed, genuine, strict=True))
            if a != b
        ]
        assert changed == [wrong]
    else:
        assert failed == set()
    genuine = check_mrz(truth["mrz_lines_genuine"], SETTINGS)
    assert all(c["valid"] for c in genuine.check_digits.values())


def check_printed_against_mrz(truth: dict[str, Any], request: PageRequest) -> None:
    """The visual zone says what the MRZ says, except in the one altered field."""
    printed = {k: truth["viz_iso"][k] for k in (*FIELDS, "nationality")}
    mrz = mrz_fields(truth["mrz_lines"])
    differing = {k for k in printed if printed[k] != mrz[k]}
    if request.kind in ("viz_altered", "mrz_recomputed"):
        assert differing == {request.field}
        alteration = truth["alteration"]
        assert alteration["field"] == request.field
        assert alteration["printed_value"] == truth["viz"][request.field]
        assert alteration["subtle"] == request.subtle
    else:
        assert differing == set()
    if request.kind == "viz_altered" and request.subtle:  # one letter, digit or date digit
        genuine = mrz_fields(truth["mrz_lines_genuine"])[request.field]
        altered = truth["viz_iso"][request.field]
        assert len(altered) == len(genuine)
        assert sum(a != b for a, b in zip(altered, genuine, strict=True)) == 1


def check_photo(truth: dict[str, Any], request: PageRequest) -> None:
    photo = truth["photo"]
    if request.kind == "photo_substituted":
        assert photo["substituted"] and photo["signs"]
        assert set(photo["signs"]) <= set(PHOTO_SIGNS)
        assert photo["subtle"] == request.subtle
        assert ("ghost_mismatch" in photo["signs"]) == (photo["ghost_box"] is not None)
    elif photo is not None:
        assert not photo["substituted"] and photo["signs"] == []


def check_page_without_mrz(truth: dict[str, Any], request: PageRequest) -> None:
    assert truth["format"] is None and truth["mrz_lines"] == []
    if request.kind == "handfilled":
        assert truth["handwriting"]["pen"] in ("blue", "violet", "black")
        assert len(truth["handwriting"]["boxes"]) >= 6
        assert truth["photo"]["seal"] == "ink"
    elif truth["handwriting"]:  # printed pages carry at most a signature
        assert truth["handwriting"]["boxes"] == []


def test_the_family_is_registered() -> None:
    assert family("atlas") is atlas
    assert atlas.NAME == "atlas"


def test_the_cases_cover_every_kind_and_every_format_under_every_capture() -> None:
    assert {c.kind for c in CASES} == set(KINDS)
    covered = {(c.format, c.capture) for c in CASES if c.kind in MRZ_KINDS}
    assert covered == {(f, t) for f in FORMATS for t in CAPTURES}


@pytest.mark.parametrize("request_", CASES, ids=_id)
def test_a_page_follows_the_contract(request_: PageRequest) -> None:
    rendered = atlas.render(request_)
    check_image(rendered, request_)
    check_boxes(rendered.truth)
    check_photo(rendered.truth, request_)
    if request_.kind in MRZ_KINDS:
        check_check_digits(rendered.truth, request_)
        check_printed_against_mrz(rendered.truth, request_)
    else:
        check_page_without_mrz(rendered.truth, request_)


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
    # A quarter turn stands the landscape card on its side.
    page_box = truth["boxes"]["page"]
    assert page_box[3] > page_box[2]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (PageRequest("genuine", 5, capture_overrides={"zoom": 2}), "unknown capture override"),
        (PageRequest("genuine", 5, "TD4"), "unknown format"),
        (PageRequest("viz_altered", 5, field="height"), "unknown field"),
        (PageRequest("genuine", 5, state="XYZ"), "draws no documents of 'XYZ'"),
        (PageRequest("forged", 5), "unknown kind"),
    ],
    ids=["override", "format", "field", "state", "kind"],
)
def test_a_request_the_family_cannot_draw_is_refused(request_: PageRequest, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        atlas.render(request_)


def test_a_requested_state_is_drawn() -> None:
    truth = atlas.render(PageRequest("genuine", 6, "TD1", "hard", state="TJK")).truth
    assert truth["state"] == "TJK"
    assert check_mrz(truth["mrz_lines"], SETTINGS).fields["issuing_country"] == "TJK"


def test_the_same_request_renders_the_same_bytes() -> None:
    request = PageRequest("viz_altered", 8, "TD2", "hard", field="expiry_date")
    assert atlas.render(request).image_bytes == atlas.render(request).image_bytes
