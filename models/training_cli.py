"""The command line the documents model scripts share (``train_portrait``, ``train_photo``,
``train_handfilled``): which families to train on, ``--check`` against the committed card,
and writing the model with its card."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib

from models.document_pages import TRAIN_FAMILIES
from models.provenance import provenance


def parse_training_args(
    prog: str, description: str | None, argv: list[str] | None
) -> argparse.Namespace:
    """``--check`` and ``--families`` (a list; default :data:`TRAIN_FAMILIES`)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--check", action="store_true", help="retrain in memory, compare card")
    parser.add_argument(
        "--families", default=None, help="comma-separated (default: TRAIN_FAMILIES)"
    )
    args = parser.parse_args(argv)
    args.families = args.families.split(",") if args.families else list(TRAIN_FAMILIES)
    return args


def compare_card(card_file: Path, card: dict[str, Any], keys: Sequence[str]) -> int:
    """0 when the retrain's ``keys`` equal the committed card's (exactly: reproducible
    under the pinned versions of requirements.lock), else 1; says which on stderr."""
    committed = json.loads(card_file.read_text("utf-8"))
    same = all(committed.get(key) == card[key] for key in keys)
    print("model card matches" if same else "model card DIFFERS", file=sys.stderr)
    return 0 if same else 1


def save_model(model: Any, card: dict[str, Any], model_file: Path, card_file: Path) -> None:
    """Write the model, then its card stamped with the model's digest and library versions."""
    model_file.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, model_file, compress=3)
    card.update(provenance(model_file))
    card_file.write_text(json.dumps(card, indent=2) + "\n", "utf-8")
    print(f"wrote {model_file} and {card_file}", file=sys.stderr)
