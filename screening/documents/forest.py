"""Random-forest probabilities without scikit-learn's per-call overhead.

``RandomForestClassifier.predict_proba`` dispatches every tree through joblib: about
4 ms per call for a 150-tree forest, whatever the number of rows — more than computing
the features of a photo. The fitted trees are plain arrays; walking them in Python
lists takes about 0.04 ms per row and gives the same probability: the same float32
comparison as scikit-learn (a float32 feature against a float64 threshold), the same
per-tree normalisation, summed in tree order. ``tests/test_documents_photo.py`` checks
both agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class CompiledForest:
    """Per tree: left, right, feature, threshold, P(positive class) per node."""

    trees: tuple[tuple[list[int], list[int], list[int], list[float], list[float]], ...]

    def positive_proba(self, features: np.ndarray) -> np.ndarray:
        """Probability of class 1 for each row of ``features`` (n x d)."""
        rows = np.atleast_2d(np.asarray(features, dtype=np.float32)).astype(np.float64).tolist()
        out = np.empty(len(rows), np.float64)
        count = len(self.trees)
        for i, x in enumerate(rows):
            total = 0.0
            for left, right, feature, threshold, positive in self.trees:
                node = 0
                while left[node] >= 0:
                    node = left[node] if x[feature[node]] <= threshold[node] else right[node]
                total += positive[node]
            out[i] = total / count
        return out


def compile_forest(model: Any) -> CompiledForest:
    """The trees of a fitted binary ``RandomForestClassifier``."""
    if int(model.n_classes_) != 2:
        raise ValueError("compile_forest handles binary classifiers only")
    trees = []
    for estimator in model.estimators_:
        tree = estimator.tree_
        value = tree.value[:, 0, :].astype(np.float64)
        sums = value.sum(axis=1)
        sums[sums == 0] = 1.0
        trees.append(
            (
                tree.children_left.tolist(),
                tree.children_right.tolist(),
                tree.feature.tolist(),
                tree.threshold.tolist(),
                (value[:, 1] / sums).tolist(),
            )
        )
    return CompiledForest(trees=tuple(trees))


@dataclass(frozen=True, slots=True)
class BatchForest:
    """The same trees as arrays, walked for many rows at once (one numpy step per tree
    level): for scoring thousands of rows (blocks of a page) in a few milliseconds."""

    trees: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int], ...]

    def positive_proba(self, features: np.ndarray) -> np.ndarray:
        x = np.asarray(features, dtype=np.float32)
        rows = np.arange(len(x))
        total = np.zeros(len(x), np.float64)
        for left, right, feature, threshold, positive, depth in self.trees:
            node = np.zeros(len(x), np.intp)
            for _ in range(depth):
                f = feature[node]
                leaf = f < 0
                go_left = x[rows, np.where(leaf, 0, f)] <= threshold[node]
                node = np.where(leaf, node, np.where(go_left, left[node], right[node]))
            total += positive[node]
        return total / len(self.trees)


def batch_forest(model: Any) -> BatchForest:
    """The trees of a fitted binary ``RandomForestClassifier`` for :class:`BatchForest`."""
    compiled = compile_forest(model)
    trees = []
    for (left, right, feature, threshold, positive), estimator in zip(
        compiled.trees, model.estimators_, strict=True
    ):
        trees.append(
            (
                np.asarray(left, np.intp),
                np.asarray(right, np.intp),
                np.asarray(feature, np.intp),
                np.asarray(threshold, np.float64),
                np.asarray(positive, np.float64),
                int(estimator.tree_.max_depth),
            )
        )
    return BatchForest(trees=tuple(trees))
