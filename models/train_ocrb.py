"""Train the OCR-B cell classifier from glyphs we render ourselves (seeded, reproducible).

    .venv/bin/python -m models.train_ocrb            # rebuild models/ocrb/ocrb_mlp.joblib
    .venv/bin/python -m models.train_ocrb --check    # retrain in memory, compare with card

Training data: random MRZ-alphabet lines rendered with the system OCR-B font
(fonts-ocr-b) at high resolution, then degraded the way scans and phone photos degrade
them: stroke weight (erosion/dilation), small rotation/shear, downscaling to 7-40 px
character height, blur, noise, uneven light, JPEG, sometimes hard thresholding. Cells are
cut with :func:`screening.imaging.ocrb.crop_cells` from the known glyph positions plus
jitter, so the model sees exactly what the runtime segmenter hands it.

The model card (models/ocrb/model_card.json) records the accuracy and a hash of the
predictions on a fixed seeded evaluation set; tests check the committed model against it.
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
from screening.imaging.ocrb import ALPHABET, MODEL_DIR, MODEL_FILE, cell_features, crop_cells

FONT_PATH = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
CARD_FILE = MODEL_DIR / "model_card.json"
RENDER_SIZE = 64  # font size of the high-resolution rendering
LINE_CHARS = 44
TRAIN_SEED = 20261128
EVAL_SEED = 7
TRAIN_LINES = 4000
EVAL_LINES = 120
HIDDEN = (320,)


def _font() -> ImageFont.FreeTypeFont:
    if not FONT_PATH.is_file():
        sys.exit(f"OCR-B font missing: {FONT_PATH} (apt-get install fonts-ocr-b)")
    return ImageFont.truetype(str(FONT_PATH), RENDER_SIZE)


def _random_text(rng: np.random.Generator) -> str:
    # Fillers are frequent in real MRZs; give them and digits a fair share.
    weights = np.ones(len(ALPHABET))
    weights[-1] = 6.0
    weights[:10] = 1.6
    weights /= weights.sum()
    return "".join(rng.choice(list(ALPHABET), size=LINE_CHARS, p=weights))


def render_line(
    text: str, rng: np.random.Generator, font: ImageFont.FreeTypeFont
) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    """Render and degrade one line; return (grey image, centres, pitch, top, bottom)."""
    pitch = font.getlength("A")
    cap_top, cap_bottom = 0.23 * RENDER_SIZE, 0.945 * RENDER_SIZE  # measured on "H"
    pad_x, pad_y = int(pitch * 1.5), int(RENDER_SIZE * 0.9)
    width = int(pitch * len(text) + 2 * pad_x)
    height = int(RENDER_SIZE + 2 * pad_y)
    paper = int(rng.integers(170, 256))
    ink = int(rng.integers(0, max(paper - 90, 1)))
    image = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(image)
    # Small per-glyph baseline and pitch wobble, as on real prints.
    xs = pad_x + pitch * np.arange(len(text)) + rng.normal(0, 0.02 * pitch, len(text))
    ys = pad_y + rng.normal(0, 0.015 * RENDER_SIZE, len(text))
    for char, x, y in zip(text, xs, ys, strict=True):
        draw.text((float(x), float(y)), char, font=font, fill=ink)
    img = np.asarray(image, dtype=np.uint8)

    weight = rng.integers(-2, 5)  # real prints run from thin to quite bold
    if weight:
        kernel = np.ones((abs(int(weight)) + 1, abs(int(weight)) + 1), np.uint8)
        img = cv2.dilate(img, kernel) if weight > 0 else cv2.erode(img, kernel)

    centers = xs + pitch / 2.0
    top = float(np.mean(ys) + cap_top)
    bottom = float(np.mean(ys) + cap_bottom)

    # Small rotation/shear about the line centre; positions follow the transform.
    angle = rng.normal(0, 1.0)
    shear = rng.normal(0, 0.04)
    mat = cv2.getRotationMatrix2D((width / 2, (top + bottom) / 2), angle, 1.0)
    mat[0, 1] += shear
    img = cv2.warpAffine(img, mat, (width, height), borderValue=paper)
    mid_y = (top + bottom) / 2
    new_cx = mat[0, 0] * centers + mat[0, 1] * mid_y + mat[0, 2]
    centers = new_cx

    # Downscale to the target character height (log-uniform 7..40 px).
    char_h = float(np.exp(rng.uniform(np.log(7), np.log(40))))
    scale = char_h / (bottom - top) * rng.uniform(0.97, 1.03)
    img = cv2.resize(img, None, fx=scale, fy=scale * rng.uniform(0.92, 1.08),
                     interpolation=cv2.INTER_AREA)
    sy = img.shape[0] / height
    sx = img.shape[1] / width
    centers = centers * sx
    pitch_px = pitch * sx
    top, bottom = top * sy, bottom * sy

    out = img.astype(np.float32)
    # Uneven light: a smooth gradient across the line.
    gx = np.linspace(0, 1, out.shape[1])[None, :]
    out *= 1.0 - rng.uniform(0, 0.35) * (gx if rng.random() < 0.5 else 1 - gx)
    sigma = rng.uniform(0, 0.11) * (bottom - top)
    if sigma > 0.25:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    if rng.random() < 0.25:
        # Motion blur of a hand-held phone photo: a short line kernel in any direction.
        length = int(rng.integers(2, max(3, int(0.22 * (bottom - top))) + 1))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0
        rot = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), rng.uniform(0, 180), 1)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        out = cv2.filter2D(out, -1, kernel / max(float(kernel.sum()), 1e-6))
    out += rng.normal(0, rng.uniform(0, 12), out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        _ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 95))])
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    if rng.random() < 0.12:
        _, out = cv2.threshold(out, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return out, centers, pitch_px, top, bottom


def make_dataset(n_lines: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded cells and labels: ``n_lines`` lines of 44 glyphs each."""
    rng = np.random.default_rng(seed)
    font = _font()
    features: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for _ in range(n_lines):
        text = _random_text(rng)
        img, centers, pitch, top, bottom = render_line(text, rng, font)
        char_h = bottom - top
        n = len(text)
        # Segmentation jitter: the runtime segmenter is never exact.
        jit_c = centers + rng.normal(0, 0.07 * pitch, n)
        jit_p = pitch * rng.uniform(0.92, 1.08, n)
        jit_t = top + rng.normal(0, 0.06 * char_h, n)
        jit_b = bottom + rng.normal(0, 0.06 * char_h, n)
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
        max_iter=80,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="retrain and compare with card")
    parser.add_argument("--lines", type=int, default=TRAIN_LINES)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model = train(args.lines)
    card = {
        "model": MODEL_FILE.name,
        "train_seed": TRAIN_SEED,
        "train_lines": args.lines,
        "hidden": list(HIDDEN),
        **evaluate(model),
    }
    print(json.dumps(card, indent=2), f"\ntrained in {time.perf_counter() - started:.0f} s")
    if args.check:  # within tolerances, not bit for bit: see models/retrain_check.py
        return retrain_check.ocrb(model, json.loads(CARD_FILE.read_text("utf-8")))
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, MODEL_FILE, compress=3)
    card.update(provenance(MODEL_FILE))  # digest and library versions
    CARD_FILE.write_text(json.dumps(card, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
