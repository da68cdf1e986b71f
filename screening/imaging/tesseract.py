"""The second, independent engine: Tesseract, restricted to the MRZ alphabet.

This is the only module that calls the Tesseract binary. It reads the rectified line
strips our locator produced (one process call for all lines of a band). A missing binary
is a :class:`MissingDependencyError` with install advice; a Tesseract failure on one image
is a neutral result (``None``), not an error: the first engine's read still stands.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

import cv2
import numpy as np
import pytesseract

from screening.errors import MissingDependencyError

WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
# Every strip we hand Tesseract is dark ink on light paper: its second try of a doubtful
# line as inverted (light on dark) text can only cost time (about 20 ms a VIZ scan).
# No dictionaries: document values are not words.
BASE_CONFIG = "--psm 6 --oem 1 -c tessedit_do_invert=0 -c load_system_dawg=0 -c load_freq_dawg=0"
CONFIG = f"{BASE_CONFIG} -c tessedit_char_whitelist={WHITELIST}"
SCALE = 0.75
TIMEOUT_S = 10


@cache
def ensure_tesseract() -> str:
    """Path of the Tesseract binary, or MissingDependencyError with install advice."""
    path = shutil.which("tesseract")
    if path is None:
        raise MissingDependencyError(
            "Tesseract OCR is not installed",
            hint="apt-get install tesseract-ocr tesseract-ocr-eng (or run with --no-tesseract)",
        )
    return path


PROBE_TIMEOUT_S = 5


def tesseract_problem() -> str | None:
    """Why Tesseract cannot be used here (missing, not starting, no English data), or
    None. Checked once per session with one quick call (``--list-langs``), so that a
    broken installation means "our own reader alone" for the whole run, with a finding
    saying so, instead of a run that stops or an engine that silently never answers."""
    path = shutil.which("tesseract")
    if path is None:
        return "Tesseract OCR is not installed"
    try:
        done = subprocess.run(
            [path, "--list-langs"], capture_output=True, timeout=PROBE_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"Tesseract OCR does not start ({type(error).__name__}: {error})"
    if done.returncode != 0:
        return f"Tesseract OCR does not start (exit status {done.returncode})"
    if "eng" not in done.stdout.decode("utf-8", "replace").split():
        return "Tesseract OCR has no English language data (tesseract-ocr-eng)"
    return None


def read_lines(strips: list[np.ndarray], expected: int) -> list[str] | None:
    """OCR the stacked line strips; the lines found (spaces removed), or None."""
    ensure_tesseract()
    if not strips:
        return None
    width = max(s.shape[1] for s in strips)
    pad = 12
    rows = []
    for strip in strips:
        row = np.full((strip.shape[0], width + 2 * pad), 255, np.uint8)
        row[:, pad : pad + strip.shape[1]] = strip
        rows.append(row)
        rows.append(np.full((pad, width + 2 * pad), 255, np.uint8))
    page = np.vstack([np.full((pad, width + 2 * pad), 255, np.uint8), *rows])
    # The strips have 30 px characters; Tesseract reads ~22 px text as well and faster.
    page = cv2.resize(page, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    page = cv2.threshold(page, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1]
    try:
        text = pytesseract.image_to_string(page, config=CONFIG, timeout=TIMEOUT_S)
    except (RuntimeError, pytesseract.TesseractError):
        return None
    lines = ["".join(ch for ch in ln.upper() if ch in WHITELIST) for ln in text.splitlines()]
    lines = [ln for ln in lines if len(ln) >= 10]
    return lines if len(lines) == expected else None
