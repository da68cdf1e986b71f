"""Loading a committed model and its card (``model_card.json`` beside it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from screening.errors import MissingDependencyError


def load_model_and_card(path: Path, *, what: str, rebuild: str) -> tuple[Any, dict[str, Any]]:
    """The classifier at ``path`` and its card; a typed error saying how to rebuild them."""
    card_path = path.with_name("model_card.json")
    if not path.is_file() or not card_path.is_file():
        raise MissingDependencyError(
            f"{what} model missing: {path}",
            hint=f"rebuild it with: .venv/bin/python -m {rebuild}",
        )
    import joblib  # only when a model is actually needed

    return joblib.load(path), json.loads(card_path.read_text("utf-8"))
