"""Loading a committed model and its card (``model_card.json`` beside it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screening.model_integrity import verified_card


def load_model_and_card(path: Path, *, what: str, rebuild: str) -> tuple[Any, dict[str, Any]]:
    """The classifier at ``path`` and its card; a typed error saying how to rebuild them
    when either is missing or the file is not the one the card describes (checked
    before the file is unpickled)."""
    card = verified_card(path, what=what, rebuild=rebuild)
    import joblib  # only when a model is actually needed

    return joblib.load(path), card
