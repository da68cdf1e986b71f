"""Booklet screening on pages drawn by a specimen *family* (``fixtures/families``).

    python -m benchmarks.booklet --families atlas,borealis --n 12 --seed 5

A family draws single pages, not booklets: here a "family booklet" is a folder of one
family's pages in scan order, a genuine data page (TD3) first, then two to five printed
pages without MRZ (visa and stamp pages, observation pages, typed legacy pages, signature
pages), all of one capture tier (flat scan, office scan, phone photo, cycled). Nothing is
planted: no leaf is missing, torn or foreign. The pages carry no page numbers a booklet
style would print, so missing-page recall cannot be measured on them; what is measured
is what a booklet screener must get right on pages whose drawing it never saw:

- the data page found (the first image) and its MRZ read exactly;
- false alerts: any missing-page, torn-stub or foreign/substituted-page finding (there
  is none to find), and the booklets whose verdict is ``alert`` for a booklet reason;
- stamps reported (the family's truth does not list stamps: a count, not a recall);
- crashes and unreadable inputs; CPU seconds per booklet (this process and its
  Tesseract children).

The family is taken by name from ``fixtures.families.FAMILIES``: any registered family
works, and nothing here depends on which.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.booklet import _rate, screen_timed
from fixtures.families import FAMILIES, family
from fixtures.families.contract import CAPTURES, PageRequest

OUT = Path(__file__).resolve().parent / "out" / "booklet-families"
FALSE_ALERT_CODES = (
    "BOOKLET_PAGES_MISSING",
    "BOOKLET_TORN_STUB",
    "BOOKLET_PAGE_FOREIGN",
    "BOOKLET_PAGE_SUBSTITUTED",
)
SCREENING_DATE = dt.date(2026, 12, 5)


def family_booklet(name: str, seed: int, i: int) -> tuple[Path, dict[str, Any]]:
    """Render (or reuse) family booklet ``i``: its folder and truth."""
    folder = OUT / name / f"{seed}-{i:04d}"
    truth_file = folder.with_name(folder.name + ".truth.json")
    if truth_file.exists():
        return folder, json.loads(truth_file.read_text("utf-8"))
    module = family(name)
    capture = CAPTURES[i % len(CAPTURES)]
    base = seed * 100_003 + i * 101
    requests = [PageRequest(kind="genuine", seed=base, format="TD3", capture=capture)]
    requests += [
        PageRequest(kind="printed_no_mrz", seed=base + k, capture=capture)
        for k in range(1, 2 + (i % 4) + 1)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    mrz_lines: list[str] = []
    for k, request in enumerate(requests):
        page = module.render(request)
        file = f"scan-{k + 1:03d}.{page.extension}"
        (folder / file).write_bytes(page.image_bytes)
        pages.append({"file": file, "kind": page.truth["kind"], "layout": page.truth["layout"]})
        mrz_lines = mrz_lines or list(page.truth["mrz_lines"])
    truth = {"family": name, "capture": capture, "pages": pages, "mrz_lines": mrz_lines}
    truth_file.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return folder, truth


def score(report: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    """One family booklet's scores (nothing was planted: every alert code is false)."""
    codes = Counter(f["code"] for f in report["findings"])
    pages = report["pages"]
    data_index = report.get("data_page")
    data_source = pages[data_index]["source"] if data_index is not None else None
    document = report.get("document") or {}
    false = {code: codes.get(code, 0) for code in FALSE_ALERT_CODES}
    booklet_alert = any(
        f["severity"] == "alert" and f["code"].startswith(("BOOKLET_", "ROUTE_"))
        for f in report["findings"]
    )
    return {
        "capture": truth["capture"],
        "images": len(truth["pages"]),
        "data_found": data_source == truth["pages"][0]["file"],
        "mrz_exact": document.get("mrz_lines") == truth["mrz_lines"],
        "false_codes": false,
        "false_any": any(false.values()),
        "booklet_alert": booklet_alert,
        "verdict": report["verdict"],
        "stamps_reported": len(report["stamps"]),
        "codes": dict(codes),
    }


def run_family(name: str, n: int, seed: int) -> list[dict[str, Any]]:
    if name not in FAMILIES:
        raise SystemExit(f"unknown family {name!r}; known: {', '.join(sorted(FAMILIES))}")
    rows: list[dict[str, Any]] = []
    for i in range(n):
        path, truth = family_booklet(name, seed, i)
        report, _, cpu = screen_timed(path, SCREENING_DATE)
        if report is None:
            rows.append({"crash": True, "index": i})
            continue
        if report.get("error"):
            rows.append({"error": report["error"], "index": i})
            continue
        rows.append(dict(score(report, truth), index=i, cpu_s=cpu))
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, str]:
    good = [r for r in rows if not r.get("crash") and not r.get("error")]
    bad = len(rows) - len(good)
    out = {"booklets (crashed or unreadable)": f"{len(rows)} ({bad})"}
    for label, key in (
        ("data page found", "data_found"),
        ("data page MRZ read exactly", "mrz_exact"),
        ("booklets with a false booklet alert", "booklet_alert"),
        ("booklets with any false missing/stub/foreign finding", "false_any"),
    ):
        out[label] = _rate(sum(r[key] for r in good), len(good))
    for code in FALSE_ALERT_CODES:
        out[f"  {code} (findings, false)"] = str(sum(r["false_codes"][code] for r in good))
    out["stamps reported per booklet (mean)"] = (
        f"{np.mean([r['stamps_reported'] for r in good]):.1f}" if good else "n/a"
    )
    cpus = [r["cpu_s"] for r in good]
    out["seconds per booklet, CPU incl. Tesseract (median / p95)"] = (
        f"{np.median(cpus):.2f} / {np.percentile(cpus, 95):.2f}" if cpus else "n/a"
    )
    return out


def table(results: dict[str, list[dict[str, Any]]]) -> str:
    names = list(results)
    summaries = {name: summarise(rows) for name, rows in results.items()}
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key in summaries[names[0]]:
        lines.append(f"| {key} | " + " | ".join(summaries[n][key] for n in names) + " |")
    return "\n".join(lines)


def main_families(names: list[str], n: int, seed: int, rows_file: Path | None) -> str:
    results = {}
    for name in names:
        print(f"family {name}: {n} booklets (seed {seed})", flush=True)
        started = time.perf_counter()
        results[name] = run_family(name, n, seed)
        print(f"  {time.perf_counter() - started:.0f} s wall", flush=True)
        if rows_file is not None:
            with rows_file.open("a", encoding="utf-8") as handle:
                for row in results[name]:
                    handle.write(json.dumps(dict(row, family=name, seed=seed)) + "\n")
    return table(results)
