"""The plausibility gate: what a read from an image must show before it is reported."""

from __future__ import annotations

import pytest

from screening.imaging.fuse import fuse
from screening.imaging.gate import plausible, uncovered_positions
from screening.mrz.formats import FORMATS_BY_NAME
from tests.imaging_helpers import GOOD, TD3, proba_lines, set_weights

TD1 = FORMATS_BY_NAME["TD1"]


def test_positions_no_check_digit_covers() -> None:
    free = uncovered_positions(TD3)
    assert {(0, i) for i in range(44)} <= free  # document code, issuer, name
    assert {(1, 10), (1, 11), (1, 12), (1, 20)} <= free  # nationality, sex
    assert len(free) == 44 + 4
    # TD1: the optional data of line 2 is under the composite; its names are not.
    assert (1, 20) not in uncovered_positions(TD1)
    assert {(2, i) for i in range(30)} <= uncovered_positions(TD1)


@pytest.mark.parametrize(("confidence", "reported"), [(0.45, False), (0.7, True)])
def test_a_name_letter_must_be_read_clearly(confidence: float, reported: bool) -> None:
    proba = proba_lines(GOOD)
    rest = 1 - confidence
    # ERIKSSON: the I
    set_weights(proba[0], 7, {"I": confidence, "T": 0.6 * rest, "L": 0.4 * rest}, 1e-6)
    assert plausible(fuse(proba, TD3)) is reported


@pytest.mark.parametrize(
    ("weights", "reported"),
    [
        ({"0": 0.97, "O": 0.028, "D": 0.002}, True),  # O the clear favourite
        ({"0": 0.88, "O": 0.05, "D": 0.04, "Q": 0.03}, False),  # O, D or Q: no way to tell
    ],
)
def test_a_digit_read_in_a_name_needs_a_clear_favourite(
    weights: dict[str, float], reported: bool
) -> None:
    proba = proba_lines(GOOD)
    set_weights(proba[0], 11, weights, 1e-6)  # ERIKSSON: the O
    fused = fuse(proba, TD3)
    assert fused.lines[0][11] == "O" if reported else True
    assert plausible(fused) is reported


@pytest.mark.parametrize(("weights", "reported"), [({"0": 0.9, "O": 0.1}, True),
                                                    ({"8": 0.9, "B": 0.1}, False)])  # fmt: skip
def test_a_country_code_completed_from_look_alikes_must_exist(
    weights: dict[str, float], reported: bool
) -> None:
    proba = proba_lines(GOOD)
    set_weights(proba[0], 4, weights, 1e-6)  # UTO read as UT0 (back to UTO) or UT8 (no UTB)
    assert plausible(fuse(proba, TD3)) is reported


def test_a_letter_left_in_a_date_is_no_mrz() -> None:
    read = [GOOD[0], GOOD[1][:13] + "X408122" + GOOD[1][20:]]  # 7 of 740812 read as X
    proba = proba_lines(read)
    assert not plausible(fuse(proba, TD3))


def test_an_unknown_country_code_counts_only_on_a_sharp_capture() -> None:
    read = [GOOD[0][:2] + "INO" + GOOD[0][5:], GOOD[1][:10] + "INO" + GOOD[1][13:]]  # IND
    fused = fuse(proba_lines(read), TD3)
    assert plausible(fused, sharp=True)  # reported: the MRZ rules judge the code
    assert not plausible(fused, sharp=False)  # smeared: a misread, rescan


def test_a_failing_check_digit_counts_only_on_a_sharp_capture() -> None:
    forged = [GOOD[0], GOOD[1][:9] + "7" + GOOD[1][10:]]  # document number check 6 -> 7
    fused = fuse(proba_lines(forged), TD3)
    assert plausible(fused, sharp=True)  # reported: MRZ_CHECK_DIGIT follows
    assert not plausible(fused, sharp=False)  # smeared: rescan
    assert plausible(fuse(proba_lines(GOOD), TD3), sharp=False)


def test_one_check_digit_vouches_for_one_doubtful_character_only() -> None:
    # Personal number ZE184226B: two 0s read as O at weights 7 and 3 would add 240 to the
    # 7-3-1 sum and still pass; so two doubtful characters under one check digit are a
    # rescan, however well the check digit looks.
    line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    proba = proba_lines([GOOD[0], line2])
    set_weights(proba[1], 30, {"1": 0.7, "I": 0.3}, 1e-6)  # one doubtful character: fine
    assert plausible(fuse(proba, TD3))
    set_weights(proba[1], 33, {"2": 0.75, "Z": 0.25}, 1e-6)  # a second one under the same check
    assert not plausible(fuse(proba, TD3))


@pytest.mark.parametrize(("smeared", "reported"), [(False, True), (True, False)])
def test_a_name_letter_on_a_smeared_band_needs_a_clearer_read(
    smeared: bool, reported: bool
) -> None:
    # SPECIMEX for SPECIMEN was read at 0.66 on a 9 px smear: no check digit covers it.
    proba = proba_lines(GOOD)
    set_weights(proba[0], 7, {"I": 0.66, "T": 0.2, "L": 0.14}, 1e-6)  # ERIKSSON: the I
    assert plausible(fuse(proba, TD3), sharp=not smeared, smeared=smeared) is reported


def test_a_blank_nationality_is_no_misread() -> None:
    # Some resident cards state no nationality ('<<<'): reported even where an unknown
    # code would be taken for a misread (low resolution, smear, glare).
    blank = [GOOD[0], GOOD[1][:10] + "<<<" + GOOD[1][13:]]
    assert plausible(fuse(proba_lines(blank), TD3), sharp=False)
    unknown = [GOOD[0], GOOD[1][:10] + "INO" + GOOD[1][13:]]
    assert not plausible(fuse(proba_lines(unknown), TD3), sharp=False)


def test_a_check_passing_once_look_alike_letters_are_read_as_digits_is_a_misread() -> None:
    # L898902C3 read L8989O2C3: the number's check fails, but passes with the O read as
    # 0: a misread (rescan), not a forgery (alert).
    read = [GOOD[0], GOOD[1][:4] + "9O2C3" + GOOD[1][9:]]
    assert read[1] != GOOD[1]
    assert not plausible(fuse(proba_lines(read), TD3))


@pytest.mark.parametrize(("smeared", "reported"), [(False, True), (True, False)])
def test_a_name_letter_taken_for_a_digit_on_a_smeared_band_is_a_failed_read(
    smeared: bool, reported: bool
) -> None:
    proba = proba_lines(GOOD)
    set_weights(proba[0], 9, {"5": 0.6, "S": 0.38, "B": 0.02}, 1e-6)  # ERIKSSON: an S
    fused = fuse(proba, TD3)
    assert fused.lines[0] == GOOD[0]  # the 5 became the S the name needs
    assert plausible(fused, smeared=smeared) is reported
