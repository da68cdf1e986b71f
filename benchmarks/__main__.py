"""Run the benchmarks: ``python -m benchmarks [--quick] [NAME ...]``.

Each benchmark is a module ``benchmarks/<name>.py`` with ``main(argv) -> int``; it prints
its table and writes it to ``benchmarks/results/<name>.md``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS = ("mrz_read", "documents", "lists_bench")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="small runs, for a smoke check")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    status = 0
    for name in args.names or BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n=== benchmark: {name} ===", flush=True)
        status |= int(module.main(["--quick"] if args.quick else []) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
