"""Bounded work on hostile input: time and peak memory of inputs at (and past) the limits.

    python -m benchmarks limits            # every case
    python -m benchmarks limits --quick    # without the 80-megapixel pages

Each case runs the real command in its own process (``scan --json --no-lists``, or a
``lists import``) and reports its exit code, wall time and peak resident memory. Images
at the admitted limits are made from the committed sample pages, scaled or tiled:
the largest page (80 MP), the longest admitted strip (8:1 at 12,000 px), the smallest
image; then the shapes of issue #17 that must be refused at once. The feeds are the
issue's hostile feeds. Table: benchmarks/results/limits.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from benchmarks.tables import publish
from screening.imaging.load import MAX_ASPECT, MAX_PIXELS, MAX_SIDE

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "fixtures" / "samples"
RESULTS = Path(__file__).resolve().parent / "results" / "limits.md"
SCREENING = Path(sys.executable).with_name("screening")
SCAN_FLAGS = ("scan", "--json", "--no-lists", "--no-events", "--today", "2026-11-28")
# CPU time and peak memory of the one child process run: resource.getrusage in a wrapper
# process. CPU seconds, not wall time: on a shared machine the wall time says more about
# the other jobs than about the input.
_MEASURE = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], capture_output=True); "
    "use = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(done.returncode, use.ru_utime + use.ru_stime, use.ru_maxrss); "
    "sys.stderr.write(done.stdout.decode('utf-8', 'replace'))"
)


def measure(argv: list[str]) -> tuple[int, float, float, str]:
    """(exit code, CPU seconds, peak MB, stdout) of ``argv`` run in its own process."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *argv], capture_output=True, text=True, check=True
    )
    code, seconds, kb = done.stdout.split()
    return int(code), float(seconds), int(kb) / 1024, done.stderr


def _page(name: str, width: int) -> np.ndarray:
    page = cv2.imread(str(SAMPLES / name))
    height = round(width * page.shape[0] / page.shape[1])
    return cv2.resize(page, (width, height), interpolation=cv2.INTER_CUBIC)


def _largest(name: str) -> np.ndarray:
    """The sample page scaled up to just under MAX_PIXELS."""
    height, width = cv2.imread(str(SAMPLES / name)).shape[:2]
    return _page(name, int((MAX_PIXELS * width / height) ** 0.5) - 1)


def _strip(long_side: int, tall: bool) -> np.ndarray:
    short = round(long_side / MAX_ASPECT)
    tile = _page("td3-tjk-mild.jpg", round(short * 1084 / 793))
    tile = cv2.resize(tile, (tile.shape[1], short))
    strip = np.tile(tile, (1, long_side // tile.shape[1] + 1, 1))[:, :long_side]
    return np.ascontiguousarray(np.rot90(strip)) if tall else strip


def image_cases(quick: bool) -> dict[str, Callable[[], np.ndarray]]:
    cases: dict[str, Callable[[], np.ndarray]] = {
        "smallest admitted (32 x 256)": lambda: _page("td3-tjk-mild.jpg", 256)[:32],
        f"longest strip, {MAX_ASPECT:g}:1 ({MAX_SIDE} x {MAX_SIDE // int(MAX_ASPECT)})": (
            lambda: _strip(MAX_SIDE, tall=False)
        ),
        f"tallest strip, 1:{MAX_ASPECT:g}": lambda: _strip(MAX_SIDE, tall=True),
        "refused: 32 x 40,000 (issue #17)": lambda: np.full((40_000, 32, 3), 200, np.uint8),
        "refused: 64,000 x 33 (issue #17)": lambda: np.full((33, 64_000, 3), 200, np.uint8),
        "refused: 100,000 x 32 (issue #17)": lambda: np.full((32, 100_000, 3), 200, np.uint8),
    }
    if not quick:
        cases["largest page, MRZ read (80 MP)"] = lambda: _largest("td3-tjk-mild.jpg")
        cases["largest page, no MRZ (80 MP)"] = lambda: _largest("td3-kgz-hard-no-mrz.jpg")
    return cases


def feed_cases(folder: Path) -> dict[str, Path]:
    header = "issuing_state,document_type,document_number,status\n"
    no_line_end = folder / "no-line-end.csv"
    with open(no_line_end, "wb") as fh:
        for _ in range(64):
            fh.write(b"A" * (1 << 20))
    mostly_bad = folder / "mostly-bad.csv"
    with open(mostly_bad, "w", encoding="utf-8") as fh:
        fh.write(header + "KGZ,P,AB1111111,lost\n")
        fh.writelines(f"QQQ,P,AB{i:07d},lost\n" for i in range(99_999))
    huge_value = folder / "huge-value.csv"
    huge_value.write_text(header + f"KGZ,P,{'9' * 10_000_000},lost\n", "utf-8")
    nested = folder / "nested.json"
    nested.write_text("[" + "[" * 100_000 + "]" * 100_000 + "]", "utf-8")
    return {
        "64 MB without a line end": no_line_end,
        "100,000 rows, 99,999 rejected": mostly_bad,
        "a 10 MB document number": huge_value,
        "JSON nested 100,000 deep": nested,
        "/dev/zero": Path("/dev/zero"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.limits", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="without the 80 MP pages")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, make in image_cases(args.quick).items():
            pixels = make()
            # JPEG stops at 65,535 px a side: longer strips are written as PNG.
            path = folder / ("case.png" if max(pixels.shape[:2]) > 65_535 else "case.jpg")
            quality = [cv2.IMWRITE_JPEG_QUALITY, 90] if path.suffix == ".jpg" else []
            if not cv2.imwrite(str(path), pixels, quality):
                raise RuntimeError(f"cannot write the {label!r} image")
            code, seconds, peak, out = measure([str(SCREENING), *SCAN_FLAGS, str(path)])
            report = json.loads(out) if out.strip() else {}
            outcome = report.get("verdict") or (report.get("error") or "").split(": ", 1)[-1]
            stages = ", ".join(f"{k[:-3]} {v:.0f}" for k, v in report.get("timings", {}).items())
            rows.append(f"| {label} | {code} | {outcome} | {seconds:.1f} | {peak:.0f} | {stages} |")
            print(rows[-1], flush=True)
        store = f"sqlite:///{folder}/lists.db"
        base = folder / "base.csv"
        base.write_text("issuing_state,document_type,document_number,status\nKGZ,P,AN1,lost\n")
        subprocess.run([str(SCREENING), "lists", "import", str(base), "--lists", store], check=True)
        for label, feed in feed_cases(folder).items():
            code, seconds, peak, _ = measure(
                [
                    str(SCREENING),
                    "lists",
                    "import",
                    str(feed),
                    "--lists",
                    store,
                    "--format",
                    "json" if feed.suffix == ".json" else "csv",
                ]
            )
            outcome = "refused" if code else "accepted"
            rows.append(f"| import: {label} | {code} | {outcome} | {seconds:.1f} | {peak:.0f} | |")
            print(rows[-1], flush=True)
    publish(
        RESULTS,
        "Bounded work on hostile input",
        f"`python -m benchmarks.limits{' --quick' if args.quick else ''}` "
        f"({time.strftime('%Y-%m-%d')}; CPU seconds of the whole command, start-up "
        "included; stages in wall ms, on the shared 2-core machine with other jobs running)",
        ["input", "exit", "outcome", "CPU s", "peak MB", "wall ms per stage"],
        rows,
        keep=not args.quick,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
