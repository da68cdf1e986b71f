"""One way to print a benchmark's table and keep it in benchmarks/results/."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def publish(
    path: Path, title: str, how: str, columns: Sequence[str], rows: Sequence[str], *, keep: bool
) -> str:
    """Print the Markdown table (``how``: the exact command and conditions) and, when
    ``keep`` (a full run, not --quick), write it to ``path``."""
    table = "\n".join(
        [
            f"# {title}",
            "",
            how,
            "",
            "| " + " | ".join(columns) + " |",
            "|" + "---|" * len(columns),
            *rows,
        ]
    )
    print(table)
    if keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(table + "\n", "utf-8")
    return table
