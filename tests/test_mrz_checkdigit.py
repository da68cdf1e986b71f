import pytest

from screening.mrz.checkdigit import char_value, compute_check_digit


@pytest.mark.parametrize(
    ("text", "digit"),
    [
        ("520727", "3"),  # ICAO 9303 Part 3 worked example
        ("AB2134<<<", "5"),  # ICAO 9303 Part 3 worked example
        ("L898902C3", "6"),  # Utopia TD3 document number
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("<<<<<<<<<<<<<<", "0"),
    ],
)
def test_icao_examples(text: str, digit: str) -> None:
    assert compute_check_digit(text) == digit


def test_character_values() -> None:
    assert [char_value(c) for c in "09AZ<"] == [0, 9, 10, 35, 0]


@pytest.mark.parametrize("bad", ["a", " ", "É", "*"])
def test_rejects_characters_outside_the_alphabet(bad: str) -> None:
    with pytest.raises(ValueError, match="not an MRZ character"):
        char_value(bad)
