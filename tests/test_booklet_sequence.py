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
    numbers: list[int | None] = [*range(1, 10), 12, 13, 14]
    confidences = [95.0] * 9 + [30.0, 40.0, 40.0]
    seq = analyse(numbers, confidences, None)
    assert [g.missing for g in seq.gaps if g.interior] == [(10, 11)]


def test_missing_last_pages_are_a_trailing_gap() -> None:
    seq = analyse(*_reads(list(range(1, 31))), 32)
    assert [(g.interior, g.missing) for g in seq.gaps] == [(False, (31, 32))]


def test_more_pages_than_numbers_are_extra() -> None:
    numbers: list[int | None] = [1, 2, 3, None, None, 4, 5]
    seq = analyse(*_reads(numbers), 5)
    assert seq.duplicates == [3, 4]
