"""Near-hit candidates: every number one confusable swap or one altered digit away.

A number read as ``AN1234S67`` may be the listed ``AN1234567`` (OCR confused ``5``/``S``);
a number doctored from ``AN1234567`` to ``AN1234587`` differs in one digit. Rather than
scanning the list, we enumerate these neighbours (a few dozen for a 9-character number)
and look them all up in ONE indexed query, so near-hit search costs the same order as an
exact lookup at any list size.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

_DIGITS = "0123456789"


@cache
def confusable_map() -> dict[str, tuple[str, ...]]:
    """Character -> the characters it is confused with (both directions)."""
    text = resources.files("screening.data").joinpath("list_confusables.csv").read_text("utf-8")
    pairs: dict[str, list[str]] = {}
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    for row in rows:
        a, b = row["a"].strip(), row["b"].strip()
        pairs.setdefault(a, []).append(b)
        pairs.setdefault(b, []).append(a)
    return {k: tuple(v) for k, v in pairs.items()}


@dataclass(frozen=True, slots=True)
class Candidate:
    number: str
    position: int  # 1-based position of the changed character
    original: str
    replacement: str
    kind: str  # "confusable" or "digit"

    def reason(self) -> str:
        if self.kind == "confusable":
            what = "read as a confusable character"
        else:
            what = "one digit differs (possible alteration)"
        return (
            f"listed number {self.number} differs at position {self.position}: "
            f"'{self.original}' on the document, '{self.replacement}' on the list ({what})"
        )


def near_candidates(number: str) -> dict[str, Candidate]:
    """All numbers one confusable swap or one digit change away, excluding ``number``.

    A confusable swap between two digits (none in the default table) is also a digit
    change; the confusable explanation wins because it is the likelier one.
    """
    confusables = confusable_map()
    out: dict[str, Candidate] = {}
    for i, ch in enumerate(number):
        head, tail = number[:i], number[i + 1 :]
        for other in confusables.get(ch, ()):
            cand = head + other + tail
            out.setdefault(cand, Candidate(cand, i + 1, ch, other, "confusable"))
        if ch in _DIGITS:
            for digit in _DIGITS:
                if digit != ch:
                    cand = head + digit + tail
                    out.setdefault(cand, Candidate(cand, i + 1, ch, digit, "digit"))
    out.pop(number, None)
    return out
