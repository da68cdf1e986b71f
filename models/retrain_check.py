"""How a retrained model is compared with the committed one (``--check``, ``make test-all``).

A seeded retrain gives the committed model bit for bit only under the library versions
it was trained with. Measured (issue #17): the OCR-B MLP fitted on the same arrays with
the same seed gives the same weights under scikit-learn 1.5.2 and 1.9.1 with NumPy 2.x,
and other weights under NumPy 1.26 (its type promotion rules differ); the committed
models' cards did not record their versions, and a fresh install resolves NumPy 2.4. So
an exact comparison of predictions fails on a fresh machine although nothing is wrong.

The check asks instead what matters, with tolerances set from measured retrains:

- the retrained model is as good as its card says (its evaluation metrics within a
  tolerance of the card's), and
- it decides as the committed model does on the card's seeded evaluation set (agreement
  of the decisions at least a floor).

A model trained on other data, with another recipe or a broken feature, misses one or the
other; the figures behind each tolerance are in docs/reliability.md. When the
predictions are identical the check says so (the same versions reproduce exactly).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

# OCR-B: accuracy on the 5,280 evaluation cells, and agreement of the predicted
# characters with the committed model's. Measured (python -m models.train_ocrb --check,
# the pinned versions): the retrain reached accuracy 0.9396 (card 0.9421) and agreed with
# the committed model on 95.2 % of the cells. Two models of 94 % accuracy disagree mostly
# on the hard 6 % of cells, so agreement cannot be asked much above accuracy: the floor
# leaves a point of margin, and the accuracy tolerance is what catches a worse model (1 %
# of the answers changed already fails it: tests/test_retrain_check.py).
OCRB_ACCURACY_TOLERANCE = 0.005
OCRB_MIN_AGREEMENT = 0.94
# The photo, hand-filled and portrait models (issue 11) are compared exactly: their
# --check retrains and compares validation figures and threshold with the card.


def verdict(what: str, problems: list[str], facts: dict[str, Any]) -> int:
    """Print the comparison; 0 when the retrain matches the card, 1 otherwise."""
    print(json.dumps({"check": what, **facts, "problems": problems}, indent=2))
    print(f"{what}: {'matches its card' if not problems else 'DIFFERS from its card'}")
    return 1 if problems else 0


def ocrb(model: Any, card: dict[str, Any]) -> int:
    """The retrained OCR-B ``model`` against the committed one and its ``card``."""
    import joblib

    from models import train_ocrb

    x, y = train_ocrb.make_dataset(train_ocrb.EVAL_LINES, card["eval_seed"])
    committed = joblib.load(train_ocrb.MODEL_FILE).predict(x)
    retrained = model.predict(x)
    accuracy = float(np.mean(retrained == y))
    agreement = float(np.mean(retrained == committed))
    problems = []
    if abs(accuracy - card["accuracy"]) > OCRB_ACCURACY_TOLERANCE:
        problems.append(
            f"accuracy {accuracy:.4f}, the card says {card['accuracy']:.4f} "
            f"(tolerance {OCRB_ACCURACY_TOLERANCE})"
        )
    if agreement < OCRB_MIN_AGREEMENT:
        problems.append(f"agrees with the committed model on {agreement:.2%} of the cells")
    facts = {
        "accuracy": round(accuracy, 5),
        "card_accuracy": card["accuracy"],
        "agreement_with_committed": round(agreement, 5),
        "identical_predictions": bool(np.array_equal(retrained, committed)),
    }
    return verdict("OCR-B", problems, facts)
