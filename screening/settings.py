"""Settings built once at the edge (CLI, web, batch) and passed down.

Rules never call ``date.today()`` themselves: the screening date is a setting, so that
expiry checks are reproducible and testable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


def default_data_dir() -> Path:
    """Per-user data directory (XDG), overridable with ``SCREENING_DATA_DIR``."""
    if env := os.environ.get("SCREENING_DATA_DIR"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "screening"


@dataclass(frozen=True, slots=True)
class Settings:
    today: date = field(default_factory=date.today)
    data_dir: Path = field(default_factory=default_data_dir)
    lists_url: str | None = None
    # Longest plausible validity, in years from the screening date, by the first letter
    # of the document code; beyond it MRZ_VALIDITY_SPAN is raised.
    max_validity_years: dict[str, int] = field(
        default_factory=lambda: {"P": 10, "V": 10, "I": 15, "A": 15, "C": 15}
    )
    # A two-digit expiry year is read as 20YY unless that lies more than this many
    # years after the screening date (then 19YY).
    expiry_century_window: int = 30

    def resolved_lists_url(self) -> str:
        if self.lists_url:
            return self.lists_url
        return f"sqlite:///{self.data_dir / 'lists.db'}"
