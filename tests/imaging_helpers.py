"""Synthetic reader output for the fusion and gate tests: the ICAO specimen MRZ read
with chosen probabilities."""

from __future__ import annotations

import numpy as np

from screening.imaging.ocrb import ALPHABET
from screening.mrz.formats import FORMATS_BY_NAME

TD3 = FORMATS_BY_NAME["TD3"]
GOOD = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def proba_lines(lines: list[str], confidence: float = 0.995) -> list[np.ndarray]:
    """Reader output that reads ``lines`` with the given confidence everywhere."""
    out = []
    for line in lines:
        p = np.full((len(line), len(ALPHABET)), (1 - confidence) / (len(ALPHABET) - 1))
        for i, ch in enumerate(line):
            p[i, ALPHABET.index(ch)] = confidence
        out.append(p)
    return out


def set_weights(p: np.ndarray, index: int, weights: dict[str, float], floor: float) -> None:
    """Cell ``index`` of ``p`` gets ``weights`` (normalised), every other class ``floor``."""
    p[index] = floor
    for ch, w in weights.items():
        p[index, ALPHABET.index(ch)] = w
    p[index] /= p[index].sum()
