"""The scoring configuration (``data/scoring.toml`` or a file given to ``report``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from screening.errors import BadArgumentsError, InputFileError


@dataclass(frozen=True, slots=True)
class Scoring:
    confidence: float
    min_documents: int
    min_background_traffic: int
    strength_cap: float
    flag_score: float
    weights: MappingProxyType[str, float]

    def weight(self, indicator: str) -> float:
        return float(self.weights.get(indicator.split(":", 1)[0], 0.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "confidence": self.confidence,
            "min_documents": self.min_documents,
            "min_background_traffic": self.min_background_traffic,
            "strength_cap": self.strength_cap,
            "flag_score": self.flag_score,
            "weights": dict(self.weights),
        }


def load_scoring(path: Path | None = None) -> Scoring:
    try:
        text = (
            path.read_text("utf-8")
            if path is not None
            else resources.files("screening.indicators.data").joinpath("scoring.toml").read_text()
        )
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputFileError(f"cannot read the scoring file {path}: {error}") from error
    try:
        scoring = Scoring(
            confidence=float(raw["confidence"]),
            min_documents=int(raw["min_documents"]),
            min_background_traffic=int(raw["min_background_traffic"]),
            strength_cap=float(raw["strength_cap"]),
            flag_score=float(raw["flag_score"]),
            weights=MappingProxyType({k: float(v) for k, v in raw["weights"].items()}),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BadArgumentsError(f"scoring file {path}: missing or bad value ({error})") from error
    if not 0.5 < scoring.confidence < 1.0 or scoring.min_documents < 1:
        raise BadArgumentsError(f"scoring file {path}: confidence in (0.5, 1), min_documents >= 1")
    return scoring
