"""Train the OCR-B cell classifier from glyphs we render ourselves (seeded, reproducible).

    .venv/bin/python -m models.train_ocrb            # rebuild models/ocrb/ocrb_mlp.joblib
    .venv/bin/python -m models.train_ocrb --check    # retrain in memory, compare with card

Training data: random MRZ-alphabet lines rendered with the system OCR-B font
(fonts-ocr-b) at high resolution, sometimes between two other MRZ lines, then degraded
the way scans and phone photos degrade them: stroke weight (erosion/dilation), small
rotation/shear, downscaling to 7-40 px character height (and a share of 4.5-9 px
thumbnails), blur (slight gaussian, a motion smear of up to one character height in any
direction, a defocus disc, or both), noise, uneven light, JPEG, sometimes hard
thresholding; a share of the smeared lines is deconvolved the way the reader does it
(:mod:`screening.imaging.deblur`). Cells are cut with
:func:`screening.imaging.ocrb.crop_cells` from the known glyph positions plus jitter (rows
from the pitch, as the segmenter sets them), so the model sees what the runtime
segmenter hands it.

The model card (models/ocrb/model_card.json) records the training data, the library
versions, the accuracy and a hash of the predictions on a fixed seeded evaluation set,
and the accuracy per capture condition on seeded validation sets; tests check the
committed model against it. ``--card-only`` rewrites the card of the committed model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import cv2
import joblib
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from models import retrain_check
from models.provenance import provenance
from screening.imaging.deblur import wiener
from screening.imaging.ocrb import (
    ALPHABET,
    CAP_PER_PITCH,
    MODEL_DIR,
    MODEL_FILE,
    cell_features,
    crop_cells,
)
from screening.imaging.psf import disc_kernel, motion_kernel

FONT_PATH = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
CARD_FILE = MODEL_DIR / "model_card.json"
RENDER_SIZE = 64  # font size of the high-resolution rendering
LINE_CHARS = 44
TRAIN_SEED = 20261128
EVAL_SEED = 7
TRAIN_LINES = 8000
EVAL_LINES = 120
MAX_EPOCHS = 40
HIDDEN = (512,)
LOOK_ALIKE_LETTERS = "OIBSZGDQ"
# OCR-B digits are taller than its capitals (0 vs O, 8 vs B, 1 vs I, 5 vs S): small
# jitters of the glyphs' aspect and of the cells' rows keep that cue.
ASPECT_JITTER = (0.97, 1.03)
ROWS_JITTER = (0.96, 1.04)
LINE_SPACING_PITCHES = 4.23 / 2.54  # ICAO: lines 4.23 mm apart at 2.54 mm pitch
NEIGHBOUR_P = 0.4  # chance of a neighbouring MRZ line above (and, independently, below)
LOW_RES_P = 0.2
# Blur modes at the final resolution: sharp (slight gaussian), motion, defocus, both.
BLUR_MODES = (0.4, 0.35, 0.12, 0.13)
MAX_MOTION = 1.0  # smear length, in character heights
MAX_DEFOCUS = 0.3  # disc radius, in character heights
DECONVOLVED_P = 0.35  # share of smeared lines restored the way the reader restores them
# Validation conditions: name -> (blur mode, deconvolved); "low_res" is 4.5-9 px glyphs.
CONDITIONS = {
    "sharp": ("sharp", False),
    "low_res": ("sharp", False),
    "motion": ("motion", False),
    "motion_deconvolved": ("motion", True),
    "defocus": ("defocus", False),
}
VALIDATION_LINES = 60


def _font() -> ImageFont.FreeTypeFont:
    if not FONT_PATH.is_file():
        sys.exit(f"OCR-B font missing: {FONT_PATH} (apt-get install fonts-ocr-b)")
    return ImageFont.truetype(str(FONT_PATH), RENDER_SIZE)


def _random_text(rng: np.random.Generator) -> str:
    # Fillers are frequent in real MRZs; give them and digits a fair share, and the
    # letters that look like digits (O/0, I/1, B/8, S/5, Z/2, G/6, D, Q) more examples.
    weights = np.ones(len(ALPHABET))
    weights[-1] = 6.0
    weights[:10] = 1.6
    for letter in LOOK_ALIKE_LETTERS:
        weights[ALPHABET.index(letter)] = 1.6
    weights /= weights.sum()
    return "".join(rng.choice(list(ALPHABET), size=LINE_CHARS, p=weights))


def _render_block(
    text: str, rng: np.random.Generator, font: ImageFont.FreeTypeFont
) -> tuple[np.ndarray, np.ndarray, float, float, float, int]:
    """Render ``text`` at high resolution, sometimes between two other MRZ lines (a
    blurred neighbouring line reaches into the cells); return (image, centres, pitch,
    cap top, cap bottom, paper level)."""
    pitch = font.getlength("A")
    cap_top, cap_bottom = 0.23 * RENDER_SIZE, 0.945 * RENDER_SIZE  # measured on "H"
    spacing = LINE_SPACING_PITCHES * pitch * rng.uniform(0.97, 1.04)
    above, below = rng.random() < NEIGHBOUR_P, rng.random() < NEIGHBOUR_P
    pad_x = int(pitch * 1.5)
    pad_top = int(spacing + RENDER_SIZE * 0.3) if above else int(RENDER_SIZE * 0.9)
    pad_bottom = int(spacing + RENDER_SIZE * 0.3) if below else int(RENDER_SIZE * 0.9)
    width = int(pitch * len(text) + 2 * pad_x)
    height = int(RENDER_SIZE + pad_top + pad_bottom)
    paper = int(rng.integers(170, 256))
    ink = int(rng.integers(0, max(paper - 90, 1)))
    image = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(image)
    # Small per-glyph baseline and pitch wobble, as on real prints.
    xs = pad_x + pitch * np.arange(len(text)) + rng.normal(0, 0.02 * pitch, len(text))
    ys = pad_top + rng.normal(0, 0.015 * RENDER_SIZE, len(text))
    for char, x, y in zip(text, xs, ys, strict=True):
        draw.text((float(x), float(y)), char, font=font, fill=ink)
    for present, offset in ((above, -spacing), (below, spacing)):
        if present:
            other = _random_text(rng)
            for k, char in enumerate(other):
                draw.text((float(xs[k]), float(pad_top + offset)), char, font=font, fill=ink)
    top = float(np.mean(ys) + cap_top)
    bottom = float(np.mean(ys) + cap_bottom)
    return np.asarray(image, dtype=np.uint8), xs + pitch / 2.0, pitch, top, bottom, paper


def _blur(
    out: np.ndarray, char_h: float, rng: np.random.Generator, forced: str | None = None
) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Camera blur at the final resolution. Returns the image and the motion smear
    (length, angle) when there is one."""
    mode = rng.choice(["sharp", "motion", "defocus", "both"], p=BLUR_MODES)
    mode = forced or mode
    smear = None
    sigma = rng.uniform(0, 0.11 if mode == "sharp" else 0.05) * char_h
    if sigma > 0.25:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    if mode in ("motion", "both"):
        # A hand-held phone: a straight smear in any direction, up to about one
        # character height (10 px at 120-175 dpi).
        top = MAX_MOTION if mode == "motion" else 0.6
        length = max(1.5, rng.uniform(0.1, top) * char_h)
        angle = rng.uniform(0, 180)
        out = cv2.filter2D(out, -1, motion_kernel(length, angle))
        smear = (float(length), float(angle))
    if mode in ("defocus", "both"):
        radius = max(0.7, rng.uniform(0.08, MAX_DEFOCUS if mode == "defocus" else 0.2) * char_h)
        out = cv2.filter2D(out, -1, disc_kernel(radius))
    return out, smear


def render_line(
    text: str,
    rng: np.random.Generator,
    font: ImageFont.FreeTypeFont,
    condition: str | None = None,
) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    """Render and degrade one line; return (grey image, centres, pitch, top, bottom).

    ``top`` and ``bottom`` are the printed capitals' rows. ``condition`` (one of
    :data:`CONDITIONS`) forces the resolution and blur, for validation sets.
    """
    img, centers, pitch, top, bottom, paper = _render_block(text, rng, font)
    height, width = img.shape

    weight = rng.integers(-2, 5)  # real prints run from thin to quite bold
    if weight:
        kernel = np.ones((abs(int(weight)) + 1, abs(int(weight)) + 1), np.uint8)
        img = cv2.dilate(img, kernel) if weight > 0 else cv2.erode(img, kernel)

    # Small rotation/shear about the line centre; positions follow the transform.
    angle = rng.normal(0, 1.0)
    shear = rng.normal(0, 0.04)
    mat = cv2.getRotationMatrix2D((width / 2, (top + bottom) / 2), angle, 1.0)
    mat[0, 1] += shear
    img = cv2.warpAffine(img, mat, (width, height), borderValue=paper)
    mid_y = (top + bottom) / 2
    centers = mat[0, 0] * centers + mat[0, 1] * mid_y + mat[0, 2]

    # Downscale to the target character height: log-uniform 7..40 px, and a share of
    # low-resolution scans and thumbnails (4.5..9 px: glyph pitch ~5-9 px).
    low_res = rng.random() < LOW_RES_P
    if condition is not None:
        low_res = condition == "low_res"
    if low_res:
        char_h = float(rng.uniform(4.5, 9.0))
    else:
        char_h = float(np.exp(rng.uniform(np.log(7), np.log(40))))
    scale = char_h / (bottom - top) * rng.uniform(0.97, 1.03)
    img = cv2.resize(
        img, None, fx=scale, fy=scale * rng.uniform(*ASPECT_JITTER), interpolation=cv2.INTER_AREA
    )
    sy = img.shape[0] / height
    sx = img.shape[1] / width
    centers = centers * sx
    pitch_px = pitch * sx
    top, bottom = top * sy, bottom * sy

    out = img.astype(np.float32)
    # Uneven light: a smooth gradient across the line.
    gx = np.linspace(0, 1, out.shape[1])[None, :]
    out *= 1.0 - rng.uniform(0, 0.35) * (gx if rng.random() < 0.5 else 1 - gx)
    forced = CONDITIONS[condition][0] if condition else None
    out, smear = _blur(out, bottom - top, rng, forced)
    out += rng.normal(0, rng.uniform(0, 12), out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        _ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 95))])
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    deconvolve = smear is not None and smear[0] >= 3 and rng.random() < DECONVOLVED_P
    if condition is not None:
        deconvolve = smear is not None and smear[0] >= 3 and CONDITIONS[condition][1]
    if deconvolve:
        assert smear is not None
        # The reader deconvolves a smeared band with the smear it measured (good to
        # about a pixel and a few degrees): the model learns what that restoration
        # leaves (ringing, amplified noise).
        length = max(2.0, smear[0] + rng.normal(0, 0.6))
        angle = smear[1] + rng.normal(0, 4.0)
        out = np.clip(wiener(out, motion_kernel(length, angle)), 0, 255).astype(np.uint8)
    if rng.random() < 0.12 and smear is None:
        _, out = cv2.threshold(out, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return out, centers, pitch_px, top, bottom


def make_dataset(
    n_lines: int, seed: int, condition: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded cells and labels: ``n_lines`` lines of 44 glyphs each."""
    rng = np.random.default_rng(seed)
    font = _font()
    features: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for _ in range(n_lines):
        text = _random_text(rng)
        img, centers, pitch, top, bottom = render_line(text, rng, font, condition)
        n = len(text)
        # Rows as the runtime segmenter puts them (from the pitch, centred on the glyphs),
        # and its jitter: it is never exact.
        mid = (top + bottom) / 2 + rng.normal(0, 0.05 * pitch, n)
        half = CAP_PER_PITCH * pitch / 2 * rng.uniform(*ROWS_JITTER, n)
        jit_c = centers + rng.normal(0, 0.07 * pitch, n)
        jit_p = pitch * rng.uniform(0.92, 1.08, n)
        jit_t = mid - half
        jit_b = mid + half
        cells = crop_cells(img, jit_c, jit_p, jit_t, jit_b)
        features.append(cell_features(cells))
        labels.append(np.array([ALPHABET.index(c) for c in text]))
    return np.concatenate(features), np.concatenate(labels)


def train(n_lines: int = TRAIN_LINES, seed: int = TRAIN_SEED) -> MLPClassifier:
    x, y = make_dataset(n_lines, seed)
    model = MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        alpha=1e-4,
        batch_size=256,
        learning_rate_init=2e-3,
        max_iter=MAX_EPOCHS,
        random_state=seed,
    )
    # One BLAS thread: the same seed then gives the same weights on any machine size.
    with threadpool_limits(1):
        model.fit(x, y)
    return model


def evaluate(model: MLPClassifier) -> dict[str, object]:
    """Accuracy and a predictions hash on the fixed seeded evaluation set."""
    x, y = make_dataset(EVAL_LINES, EVAL_SEED)
    pred = model.predict(x)
    return {
        "eval_seed": EVAL_SEED,
        "eval_cells": len(y),
        "accuracy": round(float(np.mean(pred == y)), 5),
        "predictions_sha256": hashlib.sha256(pred.astype(np.int16).tobytes()).hexdigest(),
    }


def validate(model: MLPClassifier) -> dict[str, float]:
    """Cell accuracy per capture condition, each on its own seeded set."""
    out = {}
    for k, name in enumerate(CONDITIONS):
        x, y = make_dataset(VALIDATION_LINES, EVAL_SEED + 1 + k, condition=name)
        out[name] = round(float(np.mean(model.predict(x) == y)), 4)
    return out


def card(model: MLPClassifier, n_lines: int) -> dict[str, object]:
    """What the model is, what it was trained on, and how it reads."""
    return {
        "model": MODEL_FILE.name,
        "train_seed": TRAIN_SEED,
        "train_lines": n_lines,
        "hidden": list(HIDDEN),
        "epochs": MAX_EPOCHS,
        "training_data": (
            f"{n_lines} random lines of the MRZ alphabet (44 glyphs each; fillers, digits "
            f"and the letters that look like digits, {LOOK_ALIKE_LETTERS}, weighted up) "
            "rendered with OCR-B (fonts-ocr-b), sometimes between two other MRZ lines "
            f"(p={NEIGHBOUR_P} each); stroke weight, rotation/shear, aspect "
            f"{list(ASPECT_JITTER)} (OCR-B digits are taller than its capitals), "
            f"7-40 px glyphs (and 4.5-9 px, p={LOW_RES_P}); blur modes sharp/motion/"
            f"defocus/both with p={list(BLUR_MODES)}, motion smear up to {MAX_MOTION} "
            f"glyph heights in any direction, defocus discs up to {MAX_DEFOCUS}; noise, "
            f"uneven light, JPEG 25-95, thresholding; {DECONVOLVED_P:.0%} of smeared lines "
            "deconvolved as the reader does (screening.imaging.deblur.wiener) with a "
            "slightly wrong smear. Cells cut with rows from the pitch (as the reader "
            "does). No page generator is involved: only the font."
        ),
        **evaluate(model),
        "validation_accuracy_by_condition": validate(model),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="retrain and compare with card")
    parser.add_argument("--lines", type=int, default=TRAIN_LINES)
    parser.add_argument(
        "--card-only", action="store_true", help="rewrite the card of the committed model"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.card_only:
        # The committed model, trained with this script's settings (--lines as given).
        model = joblib.load(MODEL_FILE)
        described = {**card(model, args.lines), **provenance(MODEL_FILE)}
        CARD_FILE.write_text(json.dumps(described, indent=2) + "\n", "utf-8")
        return 0
    model = train(args.lines)
    described = card(model, args.lines)
    print(json.dumps(described, indent=2), f"\ntrained in {time.perf_counter() - started:.0f} s")
    if args.check:  # within tolerances, not bit for bit: see models/retrain_check.py
        return retrain_check.ocrb(model, json.loads(CARD_FILE.read_text("utf-8")))
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, MODEL_FILE, compress=3)
    described.update(provenance(MODEL_FILE))  # digest and library versions
    CARD_FILE.write_text(json.dumps(described, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
