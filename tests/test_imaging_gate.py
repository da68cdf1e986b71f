"""The plausibility gate: what a read from an image must show before it is reported."""

from __future__ import annotations

import numpy as np
import pytest

from screening.imaging.fuse import fuse
from screening.imaging.gate import plausible, uncovered_positions
from screening.imaging.ocrb import ALPHABET
from screening.mrz.formats import FORMATS_BY_NAME

TD3 = FORMATS_BY_NAME["TD3"]
TD1 = FORMATS_BY_NAME["TD1"]
GOOD = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def _proba(lines: list[str], confidence: float = 0.995) -> list[np.ndarray]:
    out = []
    for line in lines:
        p = np.full((len(line), len(ALPHABET)), (1 - confidence) / (len(ALPHABET) - 1))
        for i, ch in enumerate(line):
            p[i, ALPHABET.index(ch)] = confidence
        out.append(p)
    return out


def _set(p: np.ndarray, index: int, weights: dict[str, float]) -> None:
    p[index] = 1e-6
    for ch, w in weights.items():
        p[index, ALPHABET.index(ch)] = w
    p[index] /= p[index].sum()


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
    proba = _proba(GOOD)
    rest = 1 - confidence
    _set(proba[0], 7, {"I": confidence, "T": 0.6 * rest, "L": 0.4 * rest})  # ERIKSSON
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
    proba = _proba(GOOD)
    _set(proba[0], 11, weights)  # ERIKSSON: the O
    fused = fuse(proba, TD3)
    assert fused.lines[0][11] == "O" if reported else True
    assert plausible(fused) is reported


@pytest.mark.parametrize(("weights", "reported"), [({"0": 0.9, "O": 0.1}, True),
                                                    ({"8": 0.9, "B": 0.1}, False)])  # fmt: skip
def test_a_country_code_completed_from_look_alikes_must_exist(
    weights: dict[str, float], reported: bool
) -> None:
    proba = _proba(GOOD)
    _set(proba[0], 4, weights)  # UTO -> UT0 (back to UTO) or UT8 (-> UTB, no such state)
    assert plausible(fuse(proba, TD3)) is reported


def test_a_letter_left_in_a_date_is_no_mrz() -> None:
    read = [GOOD[0], GOOD[1][:13] + "X408122" + GOOD[1][20:]]  # 7 of 740812 read as X
    proba = _proba(read)
    assert not plausible(fuse(proba, TD3))


def test_a_failing_check_digit_counts_only_on_a_sharp_capture() -> None:
    forged = [GOOD[0], GOOD[1][:9] + "7" + GOOD[1][10:]]  # document number check 6 -> 7
    fused = fuse(_proba(forged), TD3)
    assert plausible(fused, checks_are_evidence=True)  # reported: MRZ_CHECK_DIGIT follows
    assert not plausible(fused, checks_are_evidence=False)  # smeared: rescan
    assert plausible(fuse(_proba(GOOD), TD3), checks_are_evidence=False)


def test_one_check_digit_vouches_for_one_doubtful_character_only() -> None:
    # Personal number ZE184226B: two 0s read as O at weights 7 and 3 would add 240 to the
    # 7-3-1 sum and still pass; so two doubtful characters under one check digit are a
    # rescan, however well the check digit looks.
    line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    proba = _proba([GOOD[0], line2])
    _set(proba[1], 30, {"1": 0.7, "I": 0.3})  # one doubtful character: vouched for
    assert plausible(fuse(proba, TD3))
    _set(proba[1], 33, {"2": 0.75, "Z": 0.25})  # a second one under the same check
    assert not plausible(fuse(proba, TD3))
