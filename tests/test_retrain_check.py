"""models/retrain_check.py: a retrain within the tolerances passes, a worse or different
model fails. The models compared are the committed ones, the "wrong" ones are the
committed ones with a share of their answers changed (what a broken feature or another
recipe does), so the tolerances are tested where they matter, without retraining."""

from __future__ import annotations

import json
from typing import Any

import joblib
import numpy as np
import pytest

from models import retrain_check, train_ocrb


class _Altered:
    """The committed model, with every ``every``-th answer changed."""

    def __init__(self, model: Any, every: int | None) -> None:
        self.model, self.every = model, every

    def predict(self, x: np.ndarray) -> np.ndarray:
        answers = np.array(self.model.predict(x))
        if self.every:
            # Another class of the model's own (a character of the alphabet).
            answers[:: self.every] = (answers[:: self.every] + 1) % len(self.model.classes_)
        return answers

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        proba = np.array(self.model.predict_proba(x))
        if self.every:
            proba[:: self.every] = proba[:: self.every, ::-1]  # the decision flipped
        return proba


@pytest.mark.parametrize(
    ("every", "expected"),
    [(None, 0), (100, 1), (25, 1)],
    ids=["committed", "1%-of-cells-changed", "4%-of-cells-changed"],
)
def test_ocrb_check_passes_the_model_and_catches_a_worse_one(
    every: int | None, expected: int
) -> None:
    model = _Altered(joblib.load(train_ocrb.MODEL_FILE), every)
    assert retrain_check.ocrb(model, json.loads(train_ocrb.CARD_FILE.read_text())) == expected
