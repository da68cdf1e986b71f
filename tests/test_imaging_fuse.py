"""Check digits are evidence, not an eraser: the fusion/correction rules on synthetic reads."""

from __future__ import annotations

from screening.imaging.fuse import check_states, fuse
from tests.imaging_helpers import GOOD, TD3, proba_lines, set_weights


def test_clean_read_is_untouched() -> None:
    fused = fuse(proba_lines(GOOD), TD3)
    assert fused.lines == GOOD
    assert fused.corrections == []
    assert all(check_states(fused.lines, TD3))


def test_confidently_printed_wrong_check_digit_is_never_repaired() -> None:
    forged = [GOOD[0], GOOD[1][:9] + "7" + GOOD[1][10:]]  # document number check 6 -> 7
    fused = fuse(proba_lines(forged), TD3)
    assert fused.lines == forged
    assert fused.corrections == []
    assert not all(check_states(fused.lines, TD3))


def test_uncertain_digit_is_corrected_by_its_check_digit_and_recorded() -> None:
    misread = [GOOD[0], GOOD[1][:3] + "3" + GOOD[1][4:]]  # 8 read as 3 in the number
    proba = proba_lines(misread)
    set_weights(proba[1], 3, {"3": 0.55, "8": 0.4, "B": 0.05}, 1e-4)
    fused = fuse(proba, TD3)
    assert fused.lines == GOOD
    assert [(c.old, c.new, c.reason, c.field) for c in fused.corrections] == [
        ("3", "8", "check_digit", "document_number")
    ]


def test_letter_in_a_date_becomes_its_digit_look_alike() -> None:
    misread = [GOOD[0], GOOD[1][:15] + "O" + GOOD[1][16:]]  # birth 740812: 0 read as O
    proba = proba_lines(misread, 0.99)
    set_weights(proba[1], 15, {"O": 0.9, "0": 0.08, "Q": 0.02}, 1e-4)
    fused = fuse(proba, TD3)
    assert fused.lines == GOOD
    assert fused.corrections[0].reason == "field_type"
    assert fused.corrections[0].field == "birth_date"


def test_a_look_alike_that_does_not_settle_every_check_is_undone() -> None:
    # Forged birth check digit, plus a confident 'O' in the number whose flip to '0'
    # would not make every check pass: nothing may change.
    number = "L8989O2C3"
    line2 = number + "6UTO7408121F1204159ZE184226B<<<<<10"
    proba = proba_lines([GOOD[0], line2])
    set_weights(proba[1], 5, {"O": 0.965, "0": 0.035}, 1e-4)
    fused = fuse(proba, TD3)
    assert fused.lines[1][19] == "1"  # the forged digit stays
    assert all(c.reason != "check_digit" for c in fused.corrections)


def test_second_engine_breaks_a_tie_between_our_candidates() -> None:
    misread = [GOOD[0], GOOD[1]]
    proba = proba_lines(misread)
    set_weights(proba[0], 5, {"E": 0.48, "F": 0.52}, 1e-4)  # ours slightly prefers F
    fused = fuse(proba, TD3, second_engine=GOOD)
    assert fused.lines[0] == GOOD[0]
    assert fused.engines_agree is False  # they disagreed on that character


def test_garbled_second_engine_output_is_ignored() -> None:
    proba = proba_lines(GOOD)
    garbled = ["P<UTOKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK", GOOD[1]]
    fused = fuse(proba, TD3, second_engine=garbled)
    assert fused.lines == GOOD


def test_two_impossible_values_at_once_are_a_failed_read_not_a_forgery() -> None:
    from screening.imaging.gate import impossible_values, plausible

    assert impossible_values(GOOD, TD3) == []
    # One impossible value (a nationality no state issues) may be a crude forgery: it is
    # reported, and the MRZ rules raise their alert.
    one = [GOOD[0], GOOD[1][:10] + "XQZ" + GOOD[1][13:]]
    assert impossible_values(one, TD3) == ["nationality"]
    assert plausible(fuse(proba_lines(one), TD3))
    # A nationality and a sex no document carries: a misread (rescan), not two forgeries.
    two = [GOOD[0], GOOD[1][:10] + "XQZ" + GOOD[1][13:20] + "Y" + GOOD[1][21:]]
    assert impossible_values(two, TD3) == ["nationality", "sex"]
    assert not plausible(fuse(proba_lines(two), TD3))
    # The same unknown code as issuer and nationality is the document's own: counted once.
    same = [GOOD[0][:2] + "XQZ" + GOOD[0][5:], GOOD[1][:10] + "XQZ" + GOOD[1][13:]]
    assert impossible_values(same, TD3) == ["issuing_country"]
    # A date off the calendar counts too.
    month_13 = [GOOD[0], GOOD[1][:13] + "741312" + GOOD[1][19:]]
    assert impossible_values(month_13, TD3) == ["birth_date"]


def test_digits_printed_as_a_country_code_stay_as_printed() -> None:
    # Some national cards print digits in the nationality field (a Romanian ID: 132).
    # Look-alike letters (1 -> I, 3 -> B, 2 -> Z) would invent a code no state uses.
    printed = [GOOD[0], GOOD[1][:10] + "132" + GOOD[1][13:]]
    fused = fuse(proba_lines(printed, 0.97), TD3)
    assert fused.lines[1][10:13] == "132"
    assert all(c.field != "nationality" for c in fused.corrections)


def test_a_country_code_misread_as_look_alikes_is_completed() -> None:
    misread = [GOOD[0][:4] + "0" + GOOD[0][5:], GOOD[1]]  # UTO read as UT0
    fused = fuse(proba_lines(misread, 0.97), TD3)
    assert fused.lines == GOOD
