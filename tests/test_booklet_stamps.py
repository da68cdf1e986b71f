"""Stamp detection details that need no rendered page."""

from __future__ import annotations

import numpy as np
import pytest

from screening.booklet.stamps import StampBlob, _merge_twins


def _blob(box: tuple[int, int, int, int], colour: str) -> StampBlob:
    mask = np.ones((box[3], box[2]), np.uint8)
    return StampBlob(box, mask, "round", colour, 20.0, 1.0, True)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (_blob((102, 100, 60, 58), "black"), 1),  # the dark core of the blue stamp
        (_blob((200, 100, 60, 60), "black"), 2),  # a black stamp beside it
        (_blob((102, 100, 60, 58), "red"), 2),  # another ink on top: two stamps
    ],
)
def test_a_neutral_twin_joins_its_coloured_stamp(second: StampBlob, expected: int) -> None:
    blue = _blob((100, 100, 60, 60), "blue")
    merged = _merge_twins([blue, second])
    assert len(merged) == expected
    assert merged[0].colour == "blue" and merged[0].box[0] == 100
