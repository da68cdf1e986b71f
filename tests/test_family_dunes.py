"""The `dunes` specimen family follows the family contract (fixtures/families/contract.py)."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pytest
from PIL import Image

from fixtures.families import FAMILIES, family
from fixtures.families.contract import (
    CAPTURE_KEYS,
    CAPTURES,
    FORMATS,
    KINDS,
    PHOTO_SIGNS,
    VIZ_FIELDS,
    PageRequest,
    RenderedPage,
    check_truth,
)
from screening.mrz.checkdigit import compute_check_digit

MRZ_KINDS = ("genuine", "viz_altered", "mrz_recomputed", "wrong_check_digit", "photo_substituted")
# (kind, format, capture) drawn once each and shared by the tests: every kind meets every
# format (MRZ kinds) and every capture tier; pages without MRZ ignore the format
MATRIX = [
    (k, f, ("clean", "mild", "hard")[(i + j) % 3])
    for i, k in enumerate(MRZ_KINDS)
    for j, f in enumerate(FORMATS)
] + [
    ("handfilled", "TD3", "clean"),
    ("handfilled", "TD3", "hard"),
    ("printed_no_mrz", "TD3", "clean"),
    ("printed_no_mrz", "TD3", "mild"),
]


@cache
def page(
    kind: str,
    fmt: str = "TD3",
    capture: str = "clean",
    seed: int = 5,
    subtle: bool = False,
    field: str | None = None,
) -> RenderedPage:
    return family("dunes").render(
        PageRequest(kind=kind, seed=seed, format=fmt, capture=capture, subtle=subtle, field=field)
    )


def checks(lines: list[str]) -> dict[str, bool]:
    """Each check digit of the MRZ (ICAO 9303 positions): does it hold?"""

    def ok(data: str, digit: str) -> bool:
        return compute_check_digit(data) == digit

    if len(lines) == 3:  # TD1
        l1, l2 = lines[0], lines[1]
        return {
            "document_number": ok(l1[5:14], l1[14]),
            "birth_date": ok(l2[0:6], l2[6]),
            "expiry_date": ok(l2[8:14], l2[14]),
            "composite": ok(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]),
        }
    l2 = lines[1]
    end = len(l2) - 1
    return {
        "document_number": ok(l2[0:9], l2[9]),
        "birth_date": ok(l2[13:19], l2[19]),
        "expiry_date": ok(l2[21:27], l2[27]),
        "composite": ok(l2[0:10] + l2[13:20] + l2[21:end], l2[end]),
    }


def mrz_fields(lines: list[str]) -> dict[str, str]:
    """The MRZ's fields normalised like ``viz_iso``."""
    if len(lines) == 3:
        number, birth, sex, expiry, nat, names = (
            lines[0][5:14],
            lines[1][0:6],
            lines[1][7],
            lines[1][8:14],
            lines[1][15:18],
            lines[2],
        )
    else:
        l2 = lines[1]
        number, nat, birth, sex, expiry, names = (
            l2[0:9],
            l2[10:13],
            l2[13:19],
            l2[20],
            l2[21:27],
            lines[0][5:],
        )
    surname, _, given = names.partition("<<")

    def words(text: str) -> str:
        return " ".join(w for w in text.split("<") if w)

    def date(yymmdd: str, birth: bool) -> str:
        year = int(yymmdd[:2])
        century = 1900 if (birth and year > 26) or (not birth and year > 70) else 2000
        return f"{century + year}-{yymmdd[2:4]}-{yymmdd[4:6]}"

    return {
        "document_number": number.rstrip("<"),
        "surname": words(surname),
        "given_names": words(given),
        "birth_date": date(birth, True),
        "expiry_date": date(expiry, False),
        "nationality": nat,
        "sex": sex,
    }


def inside(box: list[int], truth: dict) -> bool:
    x, y, w, h = box
    W, H = truth["image"]["width"], truth["image"]["height"]
    return x >= 0 and y >= 0 and x + w <= W and y + h <= H and w > 0 and h > 0


def test_registered() -> None:
    assert FAMILIES["dunes"] == "fixtures.families.dunes"
    assert family("dunes").NAME == "dunes"


def test_matrix_covers_every_kind_format_and_tier() -> None:
    assert {k for k, _, _ in MATRIX} == set(KINDS)
    assert {(k, f) for k, f, _ in MATRIX} >= {(k, f) for k in MRZ_KINDS for f in FORMATS}
    assert {(k, c) for k, _, c in MATRIX if k in MRZ_KINDS} == {
        (k, c) for k in MRZ_KINDS for c in CAPTURES
    }


@pytest.mark.parametrize(("kind", "fmt", "capture"), MATRIX)
def test_every_kind_and_format_renders_to_contract(kind: str, fmt: str, capture: str) -> None:
    rendered = page(kind, fmt, capture)
    truth = rendered.truth
    assert check_truth(truth) == []
    image = Image.open(io.BytesIO(rendered.image_bytes))
    assert image.size == (truth["image"]["width"], truth["image"]["height"])
    assert (
        truth["image"]["extension"]
        == rendered.extension
        == ("png" if capture == "clean" else "jpg")
    )
    assert truth["capture"]["tier"] == capture
    boxes = [b for b in truth["boxes"].values() if b is not None]
    photo = truth["photo"] or {}
    boxes += [b for b in (photo.get("box"), photo.get("ghost_box")) if b is not None]
    hand = truth["handwriting"] or {}
    boxes += hand.get("boxes", []) + hand.get("signature_boxes", [])
    assert all(inside(b, truth) for b in boxes), truth["boxes"]
    assert set(truth["viz"]) <= set(truth["boxes"])
    if kind in MRZ_KINDS:
        assert truth["format"] == fmt and truth["boxes"]["mrz"] is not None
        assert [len(line) for line in truth["mrz_lines"]] == {
            "TD1": [30] * 3,
            "TD2": [36] * 2,
            "TD3": [44] * 2,
        }[fmt]


def tier(kind: str, fmt: str) -> str:
    return next(c for k, f, c in MATRIX if (k, f) == (kind, fmt))


@pytest.mark.parametrize("kind", ["genuine", "viz_altered", "mrz_recomputed", "photo_substituted"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_check_digits_hold_except_the_wrong_one(kind: str, fmt: str) -> None:
    assert all(checks(page(kind, fmt, tier(kind, fmt)).truth["mrz_lines"]).values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_check_digit_breaks_exactly_the_named_check(fmt: str) -> None:
    truth = page("wrong_check_digit", fmt, tier("wrong_check_digit", fmt)).truth
    result = checks(truth["mrz_lines"])
    named = truth["alteration"]["check"]
    # everything else is genuine, the composite digit too: it covers the altered digit, so
    # it no longer holds either (unless the composite itself is the one altered)
    assert {k for k, good in result.items() if not good} == {named, "composite"}
    line, index = truth["alteration"]["line"], truth["alteration"]["index"]
    assert truth["mrz_lines"][line][index] != truth["mrz_lines_genuine"][line][index]


@pytest.mark.parametrize("kind", ["genuine", "photo_substituted", "wrong_check_digit"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_visual_zone_agrees_with_the_mrz_on_genuine_text(kind: str, fmt: str) -> None:
    truth = page(kind, fmt, tier(kind, fmt)).truth
    assert truth["viz_iso"] == mrz_fields(truth["mrz_lines_genuine"])


@pytest.mark.parametrize(
    ("field", "subtle"),
    [(f, i % 2 == 0) for i, f in enumerate(VIZ_FIELDS)] + [(VIZ_FIELDS[0], False)],
)
def test_viz_alteration_changes_exactly_one_printed_field(field: str, subtle: bool) -> None:
    fmt = FORMATS[VIZ_FIELDS.index(field) % 3]
    rendered = page("viz_altered", fmt, "mild", subtle=subtle, field=field)
    truth = rendered.truth
    differing = {k for k, v in mrz_fields(truth["mrz_lines"]).items() if truth["viz_iso"][k] != v}
    assert differing == {field}
    assert truth["mrz_lines"] == truth["mrz_lines_genuine"]
    assert truth["viz"][field] == truth["alteration"]["printed_value"]
    assert truth["alteration"]["subtle"] is subtle and inside(truth["alteration"]["box"], truth)


@pytest.mark.parametrize("field", VIZ_FIELDS)
def test_mrz_recomputed_changes_exactly_one_mrz_field(field: str) -> None:
    truth = page("mrz_recomputed", FORMATS[VIZ_FIELDS.index(field) % 3], "mild", field=field).truth
    differing = {k for k, v in mrz_fields(truth["mrz_lines"]).items() if truth["viz_iso"][k] != v}
    assert differing == {field}
    assert truth["viz_iso"] == mrz_fields(truth["mrz_lines_genuine"])
    assert all(checks(truth["mrz_lines"]).values())


@pytest.mark.parametrize(
    ("fmt", "subtle"), [("TD1", True), ("TD2", False), ("TD3", True), ("TD3", False)]
)
def test_photo_substitution_shows_its_signs(fmt: str, subtle: bool) -> None:
    photo = page("photo_substituted", fmt, "mild", seed=11, subtle=subtle).truth["photo"]
    assert photo["substituted"] and set(photo["signs"]) <= set(PHOTO_SIGNS)
    assert ("ghost_mismatch" in photo["signs"]) == (photo["ghost_box"] is not None)
    own = [s for s in photo["signs"] if s != "ghost_mismatch"]
    assert (len(own) == 1) if subtle else (len(own) >= 2)
    assert photo["seal"] is not None or "seal_broken" not in photo["signs"]


def test_genuine_portrait_is_not_substituted() -> None:
    photo = page("genuine", "TD3", tier("genuine", "TD3")).truth["photo"]
    assert photo["substituted"] is False and photo["signs"] == []


def test_handfilled_page_has_handwriting_and_no_mrz() -> None:
    truth = page("handfilled", "TD3", "clean").truth
    assert truth["mrz_lines"] == [] and truth["format"] is None
    assert truth["handwriting"]["pen"] in ("blue", "violet", "black")
    assert len(truth["handwriting"]["boxes"]) >= 5


@pytest.mark.parametrize(("kind", "fmt", "capture"), [m for m in MATRIX if m[2] != "clean"])
def test_captures_stay_in_their_tier(kind: str, fmt: str, capture: str) -> None:
    rendered = page(kind, fmt, capture)
    applied = rendered.truth["capture"]
    assert set(CAPTURE_KEYS) <= set(applied) and applied["tier"] == capture
    assert rendered.extension == "jpg"
    if capture == "mild":
        assert 150 <= applied["dpi"] <= 250 and abs(applied["rotation_deg"]) <= 3
        assert 75 <= applied["jpeg_quality"] <= 90
    else:
        assert 120 <= applied["dpi"] <= 175 and 50 <= applied["jpeg_quality"] <= 80
        assert 0 <= applied["motion_blur_px"] <= 10


def test_capture_overrides_are_honoured() -> None:
    overrides = {
        "motion_blur_px": 7,
        "motion_angle_deg": 30,
        "rotation_deg": 90,
        "dpi": 140,
        "jpeg_quality": 55,
        "glare": True,
        "shadow": False,
        "perspective": False,
    }
    rendered = family("dunes").render(
        PageRequest(
            kind="genuine", seed=9, format="TD3", capture="hard", capture_overrides=overrides
        )
    )
    applied = rendered.truth["capture"]
    assert {k: applied[k] for k in overrides} == overrides
    # a quarter turn: the landscape TD3 page now stands upright
    _x, _y, w, h = rendered.truth["boxes"]["page"]
    assert h > w and abs(h - 125 / 25.4 * 140) < 8


def test_same_request_same_bytes() -> None:
    kind, fmt, capture = next(m for m in MATRIX if m[0] == "photo_substituted" and m[2] == "hard")
    again = family("dunes").render(PageRequest(kind=kind, seed=5, format=fmt, capture=capture))
    assert again.image_bytes == page(kind, fmt, capture).image_bytes
    assert again.truth == page(kind, fmt, capture).truth


def test_mrz_box_holds_dark_ocr_b_characters() -> None:
    rendered = page("viz_altered", "TD3", "clean")
    assert rendered.truth["capture"]["dpi"] == 300
    image = np.asarray(Image.open(io.BytesIO(rendered.image_bytes)).convert("L"))
    x, y, w, h = rendered.truth["boxes"]["mrz"]
    band = image[y : y + h, x : x + w]
    assert band.min() < 60 and (band < 100).mean() > 0.05
    # 2.54 mm pitch at 300 dpi: 44 characters span 44 * 30 px
    assert abs(w - 44 * 2.54 / 25.4 * 300) < 12
