"""Fuzzing, longer than ``make test`` runs it: the properties of tests/test_fuzz.py with
many more examples each.

    python -m benchmarks fuzz                  # 2,000 examples per target
    python -m benchmarks fuzz --quick          # 200
    python -m benchmarks.fuzz --examples 20000 --seed 7

Each target is a property test (the MRZ parser, check-mrz arguments and stdin, CSV and
JSON feeds through a real import, lists check stdin, image bytes): no input may raise an
unhandled exception or give a wrong outcome. The run is seeded (``--seed``, printed) so
that a failure can be replayed. The table goes to benchmarks/results/fuzz.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.tables import publish

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "fuzz.md"
TARGETS = ROOT / "tests" / "test_fuzz.py"


class _Collector:
    """pytest plugin: outcome and duration of each target."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float]] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.rows.append((report.nodeid.split("::")[-1], report.outcome, report.duration))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__)
    parser.add_argument("--examples", type=int, default=2000, help="examples per target")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (replay)")
    parser.add_argument("--quick", action="store_true", help="200 examples per target")
    args = parser.parse_args(argv)
    examples = 200 if args.quick else args.examples
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    os.environ["SCREENING_FUZZ_EXAMPLES"] = str(examples)
    import pytest  # after the environment variable: the targets read it at import

    collector = _Collector()
    started = time.perf_counter()
    status = pytest.main(
        [
            str(TARGETS),
            "-q",
            "-p",
            "no:cacheprovider",
            f"--hypothesis-seed={seed}",
            "-o",
            "addopts=",
            f"--rootdir={ROOT}",
        ],
        plugins=[collector],
    )
    seconds = time.perf_counter() - started
    publish(
        RESULTS,
        "Fuzzing",
        f"`python -m benchmarks.fuzz --examples {examples} --seed {seed}` "
        f"({time.strftime('%Y-%m-%d')}; {seconds:.0f} s on the shared 2-core machine)",
        ["target", "examples", "outcome", "seconds"],
        [
            f"| `{name}` | {examples} | {result} | {sec:.1f} |"
            for name, result, sec in collector.rows
        ],
        keep=not args.quick,
    )
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
