"""Look-alikes in the document number judged against the page's own print, and the first
character of the MRZ held to the document codes: the rules on synthetic reads."""

from __future__ import annotations

import numpy as np
import pytest

from screening.imaging.calibrate import calibrate, discriminated, letter_digit_pairs
from screening.imaging.fuse import check_states, confusable_pairs, field_map, fuse
from screening.imaging.gate import plausible
from screening.mrz.checkdigit import compute_check_digit
from tests.imaging_helpers import GOOD, TD3, proba_lines, set_weights

NAME_LINE = GOOD[0]  # P<UTOERIKSSON<<...: letter Os in a country code and a name


def _line2(number: str) -> str:
    """A TD3 second line with ``number`` and every check digit right."""
    number_part = number + compute_check_digit(number) + "UTO"
    birth = "740812" + compute_check_digit("740812") + "F"
    expiry = "1204159" + "<" * 14 + "0"  # expiry 120415 (check 9), empty optional data
    line = number_part + birth + expiry
    composite = line[0:10] + line[13:20] + line[21:43]
    return line + compute_check_digit(composite)


def _page_where_zeros_read_as_o(lines: list[str], zero_as_o: float = 0.97) -> list[np.ndarray]:
    """Every 0 of the page read as O at ``zero_as_o``; every printed O read clearly."""
    proba = proba_lines(lines)
    for li, line in enumerate(lines):
        for i, ch in enumerate(line):
            if ch == "0":
                set_weights(proba[li], i, {"O": zero_as_o, "0": 1 - zero_as_o}, 1e-6)
            elif ch == "O":
                set_weights(proba[li], i, {"O": 0.99999, "0": 1e-5}, 1e-6)
    return proba


def test_line_helper_builds_a_valid_mrz() -> None:
    assert all(check_states([NAME_LINE, _line2("A30201772")], TD3))


def test_zeros_of_the_number_read_as_o_are_settled_by_the_pages_own_zeros() -> None:
    truth = [NAME_LINE, _line2("A30201772")]  # 0s at weights 1 and 7: the check tells
    fused = fuse(_page_where_zeros_read_as_o(truth), TD3)
    assert fused.lines == truth
    calibrated = [
        (c.index, c.old, c.new) for c in fused.corrections if c.reason == "page_calibrated"
    ]
    assert calibrated == [(2, "O", "0"), (4, "O", "0")]
    assert plausible(fused)


def test_calibration_the_check_digit_cannot_tell_apart_is_undone() -> None:
    # 0s at number positions 3 and 4 (weights 7 and 3): reading both as O changes the
    # 7-3-1 sum by 240, so the check passes either way and cannot vouch for the change.
    truth = [NAME_LINE, _line2("A32001772")]
    fused = fuse(_page_where_zeros_read_as_o(truth), TD3)
    assert all(c.reason != "page_calibrated" for c in fused.corrections)
    assert fused.lines != truth
    assert not plausible(fused)


def test_a_letter_o_in_the_number_stays_a_letter() -> None:
    # The page's 0s read as O at 0.97, its letter Os at 0.99999: a number cell read like
    # the letters is a letter.
    truth = [NAME_LINE, _line2("AO0201772")]
    proba = _page_where_zeros_read_as_o(truth)
    fused = fuse(proba, TD3)
    assert fused.lines[1][1] == "O"
    assert fused.lines == truth


def test_a_calibrated_cell_under_a_failing_check_is_no_evidence_of_forgery() -> None:
    genuine = _line2("A30201772")
    forged = genuine[:9] + str((int(genuine[9]) + 1) % 10) + genuine[10:]
    fused = fuse(_page_where_zeros_read_as_o([NAME_LINE, forged]), TD3)
    assert any(c.reason == "page_calibrated" for c in fused.corrections)
    assert not plausible(fused)  # rescan, not an alert on a guess


@pytest.mark.parametrize(
    ("x_cell", "digits", "letters", "expected"),
    [
        (-3.5, [-3.5, -4.0], [-11.5], "0"),  # between the classes, on the digits' side
        (-10.0, [-3.5, -4.0], [-11.5], "O"),  # on the letters' side
        (-3.8, [-3.5, -4.0], [], "0"),  # within the range of the only class printed
        (-6.0, [-3.5, -4.0], [], "O"),  # outside it: no decision, the read stays
        (-3.5, [-3.5, -12.0], [-11.5], "O"),  # the classes overlap: no decision
    ],
)
def test_side_of_the_references(
    x_cell: float, digits: list[float], letters: list[float], expected: str
) -> None:
    chars = [["O"] + ["0"] * len(digits) + ["O"] * len(letters)]
    kinds = ["number"] + ["date"] * len(digits) + ["name"] * len(letters)
    proba = np.full((1, len(chars[0]), 37), 1e-9)[0]
    from screening.imaging.ocrb import ALPHABET

    for i, x in enumerate([x_cell, *digits, *letters]):
        p_digit = 1 / (1 + np.exp(-x))
        proba[i, ALPHABET.index("0")] = p_digit
        proba[i, ALPHABET.index("O")] = 1 - p_digit
    from screening.mrz.formats import FieldKind

    changes = calibrate(
        [proba], chars, lambda li, i: FieldKind(kinds[i]), letter_digit_pairs(confusable_pairs())
    )
    got = changes[0][2] if changes else chars[0][0]
    assert got == expected


def test_discrimination_tries_every_part_of_the_changes() -> None:
    lines = [NAME_LINE, _line2("A30201772")]
    spans = [(check.spans, (check.line, check.index)) for check in TD3.checks]
    passes = lambda t: check_states(t, TD3)  # noqa: E731
    assert discriminated(lines, [(1, 2, "O", "0"), (1, 4, "O", "0")], spans, passes)
    lines = [NAME_LINE, _line2("A32001772")]
    assert not discriminated(lines, [(1, 3, "O", "0"), (1, 4, "O", "0")], spans, passes)


def test_first_character_is_held_to_the_document_codes() -> None:
    misread = ["B" + GOOD[0][1:], GOOD[1]]  # P read as B: no document code starts so
    proba = proba_lines(misread)
    set_weights(proba[0], 0, {"B": 0.88, "P": 0.12}, 1e-6)
    fused = fuse(proba, TD3)
    assert fused.lines == GOOD
    assert [(c.old, c.new, c.reason) for c in fused.corrections] == [("B", "P", "field_type")]
    assert plausible(fused)


def test_field_map_first_cell_is_the_document_code() -> None:
    assert field_map(TD3)[0][0][0] == "document_type"
