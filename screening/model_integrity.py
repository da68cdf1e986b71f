"""A committed model file is used only when it is the one its model card describes.

Model files are pickles: loading one runs whatever code it holds. Each card
(``model_card.json`` beside the model) records the file's SHA-256 (``model_sha256``,
written by the training script through ``models/provenance.py``). A file that is
missing, or whose digest differs (corrupted, truncated, replaced), is refused before it
is unpickled: a :class:`MissingDependencyError` (exit 4) saying how to rebuild it, and a
scan refuses to start rather than screen with the wrong model.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from screening.errors import MissingDependencyError

CARD_NAME = "model_card.json"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verified_card(path: Path, *, what: str, rebuild: str) -> dict[str, Any]:
    """The card of the model file ``path`` once the file matches it; otherwise
    MissingDependencyError naming the file and the command that rebuilds it."""
    hint = f"rebuild it with: .venv/bin/python -m {rebuild}"
    card_path = path.with_name(CARD_NAME)
    if not path.is_file() or not card_path.is_file():
        missing = path if not path.is_file() else card_path
        raise MissingDependencyError(f"{what} model missing: {missing}", hint=hint)
    try:
        card = json.loads(card_path.read_text("utf-8"))
        recorded = card["model_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        raise MissingDependencyError(
            f"{what} model card {card_path} records no model digest (model_sha256)",
            hint=f"{hint} (or, for a model file known to be right, "
            ".venv/bin/python -m models.provenance --stamp)",
        ) from None
    actual = file_sha256(path)
    if actual != recorded:
        raise MissingDependencyError(
            f"{what} model file {path} does not match its model card "
            f"(sha256 {actual[:16]}..., the card records {str(recorded)[:16]}...): "
            "corrupted or replaced; refusing to load it",
            hint=hint,
        )
    return card
