"""Run the benchmarks: ``python -m benchmarks [--quick] [NAME ...]``.

Each benchmark is a module ``benchmarks/<module>.py`` with ``main(argv) -> int``; it
prints its table and writes it to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, extra arguments)
BENCHMARKS: dict[str, tuple[str, list[str]]] = {
    "mrz_read": ("mrz_read", []),
    "mrz_families": ("mrz_families", []),
    "mrz_speed": ("mrz_speed", []),
    "viz": ("mrz_read", ["--viz"]),
    "viz_families": ("viz_families", []),
    "documents": ("documents", []),
    "lists_bench": ("lists_bench", []),
    "fuzz": ("fuzz", []),
    "limits": ("limits", []),
    "multi_document": ("multi_document", []),
    "batch": ("batch", []),
    "booklet": ("booklet", []),
    "indicators": ("indicators", []),
    "web_station": ("web_station", []),
}


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
        module_name, extra = BENCHMARKS[name]
        module = importlib.import_module(f"benchmarks.{module_name}")
        print(f"\n=== benchmark: {name} ===", flush=True)
        status |= int(module.main([*extra, *(["--quick"] if args.quick else [])]) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
