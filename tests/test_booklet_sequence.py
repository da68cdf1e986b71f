"""Page-number sequence: gaps are named only where the reads can be trusted."""

from __future__ import annotations

import pytest

from screening.booklet.sequence import analyse

SURE = 95.0


def _reads(numbers: list[int | None], conf: float = SURE) -> tuple[list[int | None], list[float]]:
    return numbers, [conf if n is not None else 0.0 for n in numbers]


def test_complete_booklet_has_no_gap() -> None:
    reads, conf = _reads(list(range(1, 33)))
    seq = analyse(reads, conf, 32)
    assert seq.gaps == [] and seq.numbers == list(range(1, 33))


@pytest.mark.parametrize("pulled", [(7, 8), (13, 14), (21, 22, 23, 24)])
def test_interior_gap_names_the_missing_numbers(pulled: tuple[int, ...]) -> None:
    reads, conf = _reads([n for n in range(1, 33) if n not in pulled])
    seq = analyse(reads, conf, 32)
    assert [g.missing for g in seq.gaps if g.interior] == [pulled]


def test_unread_pages_take_the_numbers_between_their_neighbours() -> None:
    numbers = list(range(1, 33))
    numbers[4] = numbers[5] = None  # pages 5 and 6 unread
    seq = analyse(*_reads(numbers), 32)
    assert seq.gaps == [] and seq.numbers[4:6] == [5, 6] and seq.inferred[4:6] == [True, True]


def test_an_isolated_misread_does_not_invent_a_gap() -> None:
    numbers: list[int | None] = list(range(1, 33))
    numbers[14] = 18  # page 15 misread as 18, its neighbours read right
    seq = analyse(*_reads(numbers), 32)
    assert seq.gaps == [] and 14 in seq.misread


def test_a_gap_to_an_unsure_uncorroborated_read_is_uncertain_not_missing() -> None:
    # Pages 1-9 read, then one unsure "12" and nothing read after it: 12 may be a misread.
    numbers: list[int | None] = [*range(1, 10), 12, None, None]
    confidences = [95.0] * 9 + [30.0, 0.0, 0.0]
    seq = analyse(numbers, confidences, None)
    assert not [g for g in seq.gaps if g.interior]
    assert seq.uncertain == [(9, 12, 2)]


def test_a_gap_corroborated_by_later_pages_is_missing() -> None:
    numbers: list[int | None] = [*range(1, 11), 13, 14, 15]
    confidences = [95.0] * 10 + [30.0, 40.0, 40.0]
    seq = analyse(numbers, confidences, None)
    assert [g.missing for g in seq.gaps if g.interior] == [(11, 12)]


def test_missing_last_pages_are_a_trailing_gap() -> None:
    seq = analyse(*_reads(list(range(1, 31))), 32)
    assert [(g.interior, g.missing) for g in seq.gaps] == [(False, (31, 32))]


def test_more_pages_than_numbers_are_extra() -> None:
    numbers: list[int | None] = [1, 2, 3, None, None, 4, 5]
    seq = analyse(*_reads(numbers), 5)
    assert seq.duplicates == [3, 4]


def _spreads(numbers: list[int]) -> tuple[list[str], list[int]]:
    """Sides and images of pages shown on spreads: even on the left, odd on the right."""
    return ["left" if n % 2 == 0 else "right" for n in numbers], [n // 2 for n in numbers]


@pytest.mark.parametrize(
    ("missing", "alert"),
    [
        ((13, 14), True),  # a whole leaf: recto 13 and its verso 14
        ((14, 15), False),  # a verso and the next recto are two half leaves: a misread
        ((13,), False),  # one page cannot leave a booklet alone
    ],
)
def test_only_whole_leaves_make_an_alert(missing: tuple[int, ...], alert: bool) -> None:
    reads, conf = _reads([n for n in range(1, 33) if n not in missing])
    seq = analyse(reads, conf, 32)
    assert bool([g for g in seq.gaps if g.interior]) is alert
    assert bool(seq.uncertain) is not alert


def test_a_read_of_the_wrong_parity_for_its_side_is_a_misread() -> None:
    numbers = list(range(2, 32))
    sides, images = _spreads(numbers)
    reads: list[int | None] = list(numbers)
    reads[5] = 10  # page 7, a right-hand page, read as 10; pages 8 and 9 unread
    reads[6] = reads[7] = None
    seq = analyse(reads, [95.0] * len(reads), 32, sides=sides, images=images)
    assert 5 in seq.misread and seq.numbers[5:8] == [7, 8, 9]
    assert not [g for g in seq.gaps if g.interior] and not seq.uncertain


def test_no_page_is_missing_between_one_spread_and_the_next() -> None:
    # Turning a leaf shows its verso on the left of the next spread: a jump from the right
    # page of one image to the left page of the next means an image was skipped.
    numbers = [n for n in range(2, 32) if n not in (10, 11)]
    sides, images = _spreads(numbers)
    seq = analyse(numbers, [95.0] * len(numbers), 32, sides=sides, images=images)
    assert not [g for g in seq.gaps if g.interior] and seq.uncertain == [(9, 12, 2)]


def test_a_leaf_missing_inside_a_spread_is_an_alert() -> None:
    numbers = [n for n in range(2, 32) if n not in (11, 12)]
    sides, images = _spreads(numbers)
    images[numbers.index(13)] = images[numbers.index(10)]  # 10 faces 13 on one spread
    seq = analyse(numbers, [95.0] * len(numbers), 32, sides=sides, images=images)
    assert [g.missing for g in seq.gaps if g.interior] == [(11, 12)]


def test_a_scan_with_every_page_of_the_edition_misses_none() -> None:
    reads, conf = _reads([n for n in range(1, 33) if n not in (13, 14)])
    assert analyse(reads, conf, 32, pages_seen=30).gaps
    seq = analyse(reads, conf, 32, pages_seen=32)
    assert not [g for g in seq.gaps if g.interior] and seq.uncertain
