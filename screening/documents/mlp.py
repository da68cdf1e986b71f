"""A small multilayer perceptron evaluated with numpy (scikit-learn's fitted weights).

Scoring every block of a page (thousands of rows) through a forest costs tens of
milliseconds; a one-hidden-layer network is two matrix products. The weights come from
a fitted ``sklearn.pipeline`` of ``StandardScaler`` and ``MLPClassifier`` (ReLU hidden
layers, logistic output); :func:`compile_mlp` copies them out, and ``tests`` check the
numpy walk gives scikit-learn's probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class CompiledMlp:
    mean: np.ndarray
    scale: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    def positive_proba(self, features: np.ndarray) -> np.ndarray:
        x = (np.asarray(features, np.float64) - self.mean) / self.scale
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = x @ w + b
            if i < last:
                np.maximum(x, 0.0, out=x)
        return 1.0 / (1.0 + np.exp(-np.clip(x[:, 0], -40, 40)))


def compile_mlp(pipeline: Any) -> CompiledMlp:
    """The weights of a fitted ``make_pipeline(StandardScaler(), MLPClassifier(...))``."""
    scaler, mlp = pipeline[0], pipeline[-1]
    if mlp.activation != "relu" or mlp.out_activation_ != "logistic":
        raise ValueError("compile_mlp handles ReLU networks with a logistic output only")
    return CompiledMlp(
        mean=np.asarray(scaler.mean_, np.float64),
        scale=np.asarray(scaler.scale_, np.float64),
        weights=tuple(np.asarray(w, np.float64) for w in mlp.coefs_),
        biases=tuple(np.asarray(b, np.float64) for b in mlp.intercepts_),
    )
