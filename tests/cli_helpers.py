"""Running the real ``screening`` command, in-process or as its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from screening.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The CLI in this process: (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def console_command() -> list[str]:
    """The installed console script beside this interpreter (what users run), else -m."""
    script = Path(sys.executable).with_name("screening")
    return [str(script)] if script.exists() else [sys.executable, "-m", "screening"]


def console(
    *argv: str | bytes,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """The command in its own process (hangs, memory, raw bytes, another PATH); stdout
    and stderr as bytes."""
    return subprocess.run(
        [*console_command(), *argv],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
        env=env,
    )
