"""What every model card records about how its model was made.

Every training script calls :func:`provenance` on the model file it has just written
and adds the result to the card: the file's SHA-256 (checked by
``screening.model_integrity`` before the file is ever unpickled) and the versions of the
libraries the training ran with (a retrain under other versions may legitimately give a
slightly different model; the card says which versions made this one).

    .venv/bin/python -m models.provenance           # the current versions, as JSON
    .venv/bin/python -m models.provenance --stamp   # record each committed model file's
                                                    # digest in its card (no retraining)
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from screening.model_integrity import CARD_NAME, file_sha256

MODELS_DIR = Path(__file__).resolve().parent
# What decides a model's numbers: the learners, the array and image code that makes the
# training data, the serialiser.
LIBRARIES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "opencv-python",
    "pillow",
    "joblib",
    "threadpoolctl",
)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def provenance(model_file: Path) -> dict[str, Any]:
    """Card entries for ``model_file``, just written: its digest and the versions."""
    return {
        "model_sha256": file_sha256(model_file),
        "libraries": library_versions(),
        "machine": platform.machine(),
    }


def committed_models() -> list[Path]:
    """Every model file with a card beside it (one model file per card folder)."""
    out = []
    for card in sorted(MODELS_DIR.glob(f"*/{CARD_NAME}")):
        out += [p for p in card.parent.glob("*.joblib")]
    return out


def stamp(model_file: Path) -> bool:
    """Record ``model_file``'s digest in its card; True when the card changed."""
    card_file = model_file.with_name(CARD_NAME)
    card = json.loads(card_file.read_text("utf-8"))
    digest = file_sha256(model_file)
    if card.get("model_sha256") == digest:
        return False
    card["model_sha256"] = digest
    card.setdefault("libraries", "not recorded (trained before model cards recorded them)")
    card_file.write_text(json.dumps(card, indent=2) + "\n", "utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.provenance", description=__doc__)
    parser.add_argument("--stamp", action="store_true", help="record digests in the cards")
    args = parser.parse_args(argv)
    if not args.stamp:
        print(json.dumps(library_versions(), indent=2))
        return 0
    for model_file in committed_models():
        changed = stamp(model_file)
        print(f"{model_file.relative_to(MODELS_DIR.parent)}: {'stamped' if changed else 'ok'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
