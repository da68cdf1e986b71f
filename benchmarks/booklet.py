"""Benchmark of whole-booklet screening (issue 12), per booklet style.

    python -m benchmarks.booklet                      # 100 booklets per style (300 in all)
    python -m benchmarks.booklet --quick              # 12 per style, a smoke check
    python -m benchmarks.booklet --styles steppe --n 100 --seed 7
    python -m benchmarks.booklet --styles caravan --from-rows rows.jsonl   # table only
    python -m benchmarks.booklet --families atlas,borealis --n 12   # pages of page families

Booklets come from :mod:`fixtures.booklet` in three independently written styles:
``ledger`` (the house primitives) and ``steppe`` (written apart), both tuned on, and
``caravan`` (written apart by another engineer while the screener was tuned; its code
and pages were not looked at: the held-out figure). Each set cycles through complete
booklets, pulled leaves with and without a stub, substituted leaves, and route defects
(an entry or exit never stamped, a stamp dated before issue, an entry dated before the
exit it follows), across flat scans, office scans and phone photos, spreads, singles and
both mixed, as folders, multi-page TIFFs and PDFs. Booklets are cached under
``benchmarks/out/booklet/`` (rendering is slower than screening).

Per style: recall and precision for missing pages, torn stubs, substituted pages and
route inconsistencies; false alerts on complete booklets; stamp detection recall;
checkpoint, date and direction accuracy on detected stamps; seconds per booklet (wall,
and CPU of this process plus its Tesseract children: the one-core figure). The targets:
missing-page recall >= 99% with no false alerts on complete booklets; substituted-page
recall >= 95%; stamp detection recall >= 90%; a 32-page booklet in <= 3 s on one core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time
import traceback
import zlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fixtures.booklet import STYLES, make_plan, render_booklet, write_booklet
from screening.booklet import screen_booklet
from screening.pipeline import ScanOptions
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings

OUT = Path(__file__).resolve().parent / "out" / "booklet"
RESULTS = Path(__file__).resolve().parent / "results" / "booklet.md"
STYLE_SEEDS = {"ledger": 1_000_000, "steppe": 2_000_000, "caravan": 3_000_000}
TUNED_ON = {"ledger", "steppe"}
CASES = (
    ("complete", {}),
    ("pulled_stub", {"pulled": 1, "stub": True}),
    ("substituted", {"substituted": 1}),
    ("route_entry_removed", {"route_defect": "entry_removed", "trips": 3}),
    ("pulled_no_stub", {"pulled": 1, "stub": False}),
    ("complete", {}),
    ("route_exit_removed", {"route_defect": "exit_removed", "trips": 3}),
    ("substituted_visual", {"substituted": 1, "substitution_signs": ("tint", "pattern", "font")}),
    ("route_before_issue", {"route_defect": "before_issue", "trips": 2}),
    ("pulled_two", {"pulled": 2}),
    ("route_pair_inverted", {"route_defect": "pair_inverted", "trips": 3}),
    ("complete", {}),
)
CAPTURES = ("clean", "mild", "phone")
LAYOUTS = ("spreads", "mixed", "singles")
CONTAINERS = ("folder", "folder", "tiff", "folder", "pdf")
# Generator checkpoint keys -> gazetteer ids (the benchmark knows both sides).
CHECKPOINT_IDS = {
    "manas": "KGZ-MANAS",
    "osh_air": "KGZ-OSH-AIRPORT",
    "torugart_kg": "KGZ-TORUGART",
    "torugart_cn": "CHN-TORUGART",
    "irkeshtam_kg": "KGZ-IRKESHTAM",
    "irkeshtam_cn": "CHN-IRKESHTAM",
    "akzhol": "KGZ-AK-ZHOL",
    "kordai": "KAZ-KORDAI",
    "chaldovar": "KGZ-CHALDOVAR",
    "merke": "KAZ-MERKE",
    "zhibek": "KAZ-ZHIBEK-ZHOLY",
    "gisht": "UZB-GISHT-KUPRIK",
    "dostuk": "KGZ-DOSTUK",
    "dustlik": "UZB-DUSTLIK",
    "kyzylbel": "KGZ-KYZYL-BEL",
    "kairagach": "KGZ-KAIRAGACH",
    "karamyk": "KGZ-KARAMYK",
    "dushanbe": "TJK-DUSHANBE",
    "almaty": "KAZ-ALMATY-AIRPORT",
    "tashkent": "UZB-TASHKENT-AIRPORT",
    "domodedovo": "RUS-DOMODEDOVO",
    "delhi": "IND-DELHI-AIRPORT",
}


def style_seed(style: str) -> int:
    """The seed base of a style's sets: the fixed ones for the first three styles (their
    cached sets stay valid), one derived from the name for any style registered later."""
    if style not in STYLES:
        raise SystemExit(f"unknown booklet style {style!r}; known: {', '.join(sorted(STYLES))}")
    return STYLE_SEEDS.get(style) or 10_000_000 + zlib.crc32(style.encode()) % 1000 * 1_000_000


def booklet_path(style: str, seed: int, i: int) -> tuple[Path, dict[str, Any]]:
    """Render (or reuse) booklet ``i`` of a style's set; its input path and truth."""
    name, options = CASES[i % len(CASES)]
    capture = CAPTURES[(i // len(CASES)) % len(CAPTURES)]
    layout = LAYOUTS[i % len(LAYOUTS)]
    container = CONTAINERS[i % len(CONTAINERS)]
    booklet_seed = style_seed(style) + seed * 10_000 + i
    stem = OUT / style / f"{seed}-{i:04d}-{name}-{capture}"
    truth_files = list(stem.parent.glob(stem.name + "*.truth.json"))
    if truth_files:
        truth = json.loads(truth_files[0].read_text("utf-8"))
        return Path(str(truth_files[0])[: -len(".truth.json")]), truth
    plan = make_plan(booklet_seed, **options)
    rendered = render_booklet(plan, style, layout=layout, capture=capture, dpi=200)
    target = write_booklet(rendered, stem, container=container)
    truth = json.loads(Path(str(target) + ".truth.json").read_text("utf-8"))
    return target, truth


def _inside(point: Sequence[float], box: Sequence[int]) -> bool:
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


def score_booklet(report: dict[str, Any], truth: dict[str, Any], case: str) -> dict[str, Any]:
    codes = defaultdict(list)
    for finding in report["findings"]:
        codes[finding["code"]].append(finding)
    missing_truth = set(truth["pages_missing"])
    named = {p for f in codes["BOOKLET_PAGES_MISSING"] for p in f["evidence"].get("pages", [])}
    counted = sum(f["evidence"].get("count", 0) for f in codes["BOOKLET_PAGES_MISSING"])
    out: dict[str, Any] = {
        "case": case,
        "capture": truth["capture"],
        "layout": truth["layout"],
        "container": truth["container"],
    }
    out["missing_truth"] = bool(missing_truth)
    out["missing_flagged"] = bool(codes["BOOKLET_PAGES_MISSING"])
    out["missing_right"] = bool(missing_truth) and (
        missing_truth <= named or counted >= len(missing_truth)
    )
    # Stubs: spreads that show one; findings name the facing pages.
    stub_spreads = [im for im in truth["images"] if im.get("stub")]
    stub_found = 0
    for im in stub_spreads:
        facing = {p["number"] for p in im["pages"]}
        stub_found += any(
            facing & set(f["evidence"].get("pages", [])) for f in codes["BOOKLET_TORN_STUB"]
        )
    out["stubs_truth"] = len(stub_spreads)
    out["stubs_found"] = stub_found
    stub_pages_truth = {p["number"] for im in stub_spreads for p in im["pages"]}
    out["stubs_flagged"] = len(codes["BOOKLET_TORN_STUB"])
    out["stubs_false"] = sum(
        not (set(f["evidence"].get("pages", [])) & stub_pages_truth)
        for f in codes["BOOKLET_TORN_STUB"]
    )
    # Substituted pages.
    foreign_truth = {p for s in truth["substituted"] for p in s["pages"]}
    flagged_pages = [
        f["evidence"].get("page")
        for f in codes["BOOKLET_PAGE_SUBSTITUTED"] + codes["BOOKLET_PAGE_FOREIGN"]
    ]
    out["subst_truth"] = bool(foreign_truth)
    out["subst_found"] = bool(foreign_truth & set(flagged_pages))
    out["subst_flagged_pages"] = len(flagged_pages)
    out["subst_false_pages"] = sum(p not in foreign_truth for p in flagged_pages)
    out["subst_by_number"] = bool(
        foreign_truth & {f["evidence"].get("page") for f in codes["BOOKLET_PAGE_SUBSTITUTED"]}
    )
    # Route: a defect planted, or stamps lost with pulled pages.
    route_codes = [c for c in codes if c.startswith("ROUTE_")]
    out["route_truth"] = bool(truth["route_defects"]) or bool(truth["stamps_on_missing_pages"])
    out["route_flagged"] = bool(route_codes)
    # Stamps.
    stamps = {s["id"]: s for s in truth["stamps"]}
    detected = cp_ok = date_ok = dir_ok = 0
    used: set[int] = set()
    visible = 0
    for image in truth["images"]:
        for st in image.get("stamps", []):
            info = stamps.get(st["id"])
            if info is None or info["drawn"].get("visible_fraction", 1) < 0.5:
                continue
            visible += 1
            centre = np.mean(st["quad"], axis=0)
            for k, det in enumerate(report["stamps"]):
                if k in used or not _inside(centre, det["region"]):
                    continue
                same_image = (
                    det["source"] == image.get("file")
                    if truth["container"] == "folder"
                    else det["source_index"] == image["index"]
                )
                if not same_image:
                    continue
                used.add(k)
                detected += 1
                cp_ok += (det["gazetteer"] or {}).get("id") == CHECKPOINT_IDS.get(
                    info["checkpoint"]
                )
                date_ok += det["date"] == info["date"]
                dir_ok += det["direction"] == info["direction"]
                break
    out.update(
        stamps_visible=visible,
        stamps_detected=detected,
        checkpoint_ok=cp_ok,
        date_ok=date_ok,
        direction_ok=dir_ok,
        stamps_reported=len(report["stamps"]),
    )
    return out


def _rate(num: int, den: int) -> str:
    return f"{100.0 * num / den:.1f}% ({num}/{den})" if den else "n/a"


def summarise(rows: list[dict[str, Any]]) -> dict[str, str]:
    crashes = sum(1 for r in rows if r.get("crash"))
    rows = [r for r in rows if not r.get("crash")]
    complete = [r for r in rows if not r["missing_truth"]]
    missing = [r for r in rows if r["missing_truth"]]
    flagged = [r for r in rows if r["missing_flagged"]]
    subst = [r for r in rows if r["subst_truth"]]
    route_truth = [r for r in rows if r["route_truth"]]
    route_flag = [r for r in rows if r["route_flagged"]]
    detected = sum(r["stamps_detected"] for r in rows)
    return {
        "booklets (crashed)": f"{len(rows) + crashes} ({crashes})",
        "missing-page recall": _rate(sum(r["missing_right"] for r in missing), len(missing)),
        "missing-page precision": _rate(sum(r["missing_truth"] for r in flagged), len(flagged)),
        "false missing-page alerts on complete booklets": _rate(
            sum(r["missing_flagged"] for r in complete), len(complete)
        ),
        "torn-stub recall (spreads showing a stub)": _rate(
            sum(r["stubs_found"] for r in rows), sum(r["stubs_truth"] for r in rows)
        ),
        "torn-stub precision": _rate(
            sum(r["stubs_flagged"] - r["stubs_false"] for r in rows),
            sum(r["stubs_flagged"] for r in rows),
        ),
        "substituted-page recall (booklets)": _rate(
            sum(r["subst_found"] for r in subst), len(subst)
        ),
        "  of which by the passport number": _rate(
            sum(r["subst_by_number"] for r in subst), len(subst)
        ),
        "substituted-page precision (pages flagged)": _rate(
            sum(r["subst_flagged_pages"] - r["subst_false_pages"] for r in rows),
            sum(r["subst_flagged_pages"] for r in rows),
        ),
        "route-inconsistency recall": _rate(
            sum(r["route_flagged"] for r in route_truth), len(route_truth)
        ),
        "route-inconsistency precision": _rate(
            sum(r["route_truth"] for r in route_flag), len(route_flag)
        ),
        "stamp detection recall": _rate(detected, sum(r["stamps_visible"] for r in rows)),
        "checkpoint name accuracy (detected stamps)": _rate(
            sum(r["checkpoint_ok"] for r in rows), detected
        ),
        "date accuracy (detected stamps)": _rate(sum(r["date_ok"] for r in rows), detected),
        "direction accuracy (detected stamps)": _rate(
            sum(r["direction_ok"] for r in rows), detected
        ),
    }


def screen_timed(path: Path, today: dt.date) -> tuple[dict[str, Any] | None, float, float]:
    """The booklet's report (None: it crashed, traceback printed), wall and CPU seconds
    (this process and its Tesseract children, from after the session opened)."""
    options = SessionOptions(check_lists=False)
    with ScreeningSession.open(Settings(today=today), ScanOptions(), options) as session:
        cpu0 = _cpu()
        t0 = time.perf_counter()
        try:
            report = screen_booklet(session, path).to_dict()
        except Exception:  # a crash is a bug to count and show, not a reason to stop
            traceback.print_exc()
            return None, 0.0, 0.0
        return report, time.perf_counter() - t0, _cpu() - cpu0


def run_style(
    style: str, n: int, seed: int, rows_file: Path | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Screen booklets 0..n-1 of a style. With ``rows_file``, every booklet's scores are
    appended as it is done, and booklets already there are not screened again (a long
    run can be stopped and resumed)."""
    rows: list[dict[str, Any]] = []
    walls: list[float] = []
    cpus: list[float] = []
    done: dict[int, dict[str, Any]] = {}
    if rows_file is not None and rows_file.exists():
        for line in rows_file.read_text("utf-8").splitlines():
            row = json.loads(line)
            if row.get("style") == style and row.get("seed") == seed:
                done[row["index"]] = row
    for i in range(n):
        if i in done:
            rows.append(done[i])
            if "wall_s" in done[i]:
                walls.append(done[i]["wall_s"])
                cpus.append(done[i]["cpu_s"])
            continue
        path, truth = booklet_path(style, seed, i)
        report, wall, cpu = screen_timed(path, dt.date.fromisoformat(truth["screening_date"]))
        if report is None:
            rows.append({"crash": True, "index": i})
            continue
        walls.append(wall)
        cpus.append(cpu)
        if report.get("error"):
            print(f"  {path.name}: error {report['error']}")
            continue
        row = score_booklet(report, truth, CASES[i % len(CASES)][0])
        row.update(
            pages=len(report["pages"]),
            style=style,
            seed=seed,
            index=i,
            wall_s=walls[-1],
            cpu_s=cpus[-1],
        )
        rows.append(row)
        if rows_file is not None:
            with rows_file.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
    timing = {
        "wall_median_s": float(np.median(walls)) if walls else float("nan"),
        "wall_p95_s": float(np.percentile(walls, 95)) if walls else float("nan"),
        "cpu_median_s": float(np.median(cpus)) if cpus else float("nan"),
        "cpu_p95_s": float(np.percentile(cpus, 95)) if cpus else float("nan"),
    }
    return rows, timing


def rows_results(
    rows_file: Path, styles: list[str], seed: int
) -> dict[str, tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Rows already scored (one JSON object a line), per style, with their timings."""
    rows = [json.loads(line) for line in rows_file.read_text("utf-8").splitlines() if line]
    out = {}
    for style in styles:
        mine = sorted(
            (r for r in rows if r.get("style") == style and r.get("seed") == seed),
            key=lambda r: r["index"],
        )
        walls = [r["wall_s"] for r in mine if "wall_s" in r]
        cpus = [r["cpu_s"] for r in mine if "cpu_s" in r]
        out[style] = (
            mine,
            {
                "wall_median_s": float(np.median(walls)) if walls else float("nan"),
                "wall_p95_s": float(np.percentile(walls, 95)) if walls else float("nan"),
                "cpu_median_s": float(np.median(cpus)) if cpus else float("nan"),
                "cpu_p95_s": float(np.percentile(cpus, 95)) if cpus else float("nan"),
            },
        )
    return out


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def table(results: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]]) -> str:
    styles = list(results)
    heads = [f"{s} ({'tuned on' if s in TUNED_ON else 'held out'})" for s in styles]
    summaries = {s: summarise(results[s][0]) for s in styles}
    lines = ["| measure | " + " | ".join(heads) + " |", "|---|" + "---|" * len(styles)]
    for key in summaries[styles[0]]:
        lines.append(f"| {key} | " + " | ".join(summaries[s][key] for s in styles) + " |")
    for key, label in (
        ("wall", "seconds per booklet, wall (median / p95)"),
        ("cpu", "seconds per booklet, CPU incl. Tesseract (median / p95)"),
    ):
        lines.append(
            f"| {label} | "
            + " | ".join(
                f"{results[s][1][key + '_median_s']:.2f} / {results[s][1][key + '_p95_s']:.2f}"
                for s in styles
            )
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.booklet", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="12 booklets per style")
    parser.add_argument("--n", type=int, default=None, help="booklets per style (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--styles", default="ledger,steppe,caravan")
    parser.add_argument(
        "--rows", help="append every booklet's scores to this JSONL file (and resume from it)"
    )
    parser.add_argument(
        "--from-rows",
        help="only print the table of the rows in this JSONL file (runs split over processes)",
    )
    parser.add_argument(
        "--families",
        help="instead of booklet styles: booklets of pages drawn by these specimen families "
        "(any name in fixtures.families.FAMILIES; see benchmarks/booklet_families.py)",
    )
    args = parser.parse_args(argv)
    if args.families:
        from benchmarks.booklet_families import main_families

        os.environ.setdefault("OMP_NUM_THREADS", "1")
        n = args.n or 12
        rows = Path(args.rows) if args.rows else None
        print(main_families(args.families.split(","), n, args.seed, rows))
        return 0
    if args.from_rows:
        print(table(rows_results(Path(args.from_rows), args.styles.split(","), args.seed)))
        return 0
    n = args.n or (12 if args.quick else 100)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    results = {}
    for style in args.styles.split(","):
        print(f"style {style}: {n} booklets (seed {args.seed})", flush=True)
        results[style] = run_style(style, n, args.seed, Path(args.rows) if args.rows else None)
    text = table(results)
    print(text)
    if not args.quick and n >= 100:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            f"# Booklet benchmark\n\n`python -m benchmarks.booklet --seed {args.seed}` "
            f"({n} booklets per style, {time.strftime('%Y-%m-%d')}; timings on the shared 2-core "
            "machine, contended)\n\n" + text + "\n",
            "utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
