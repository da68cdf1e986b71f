"""MRZ text: formats, check digits and the ICAO 9303 rules. No images, no I/O."""

from screening.mrz.checkdigit import compute_check_digit
from screening.mrz.compose import MrzData, compose_mrz
from screening.mrz.engine import MrzReport, check_mrz, normalize_lines

__all__ = [
    "MrzData",
    "MrzReport",
    "check_mrz",
    "compose_mrz",
    "compute_check_digit",
    "normalize_lines",
]
