"""The ICAO 9303 check digit (Part 3, section 4.9): weights 7, 3, 1 repeating.

Digits count as themselves, ``A``-``Z`` as 10-35, the filler ``<`` as 0; the check digit
is the weighted sum modulo 10.
"""

from __future__ import annotations

MRZ_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
_WEIGHTS = (7, 3, 1)


def char_value(char: str) -> int:
    """Numeric value of one MRZ character; ``ValueError`` outside the MRZ alphabet."""
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"{char!r} is not an MRZ character")


def compute_check_digit(text: str) -> str:
    """Check digit of ``text`` as a one-character string.

    >>> compute_check_digit("520727")
    '3'
    >>> compute_check_digit("AB2134<<<")
    '5'
    """
    total = sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text))
    return str(total % 10)


def is_mrz_text(text: str) -> bool:
    return all(c in MRZ_ALPHABET for c in text)
