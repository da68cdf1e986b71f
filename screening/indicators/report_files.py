"""Write the indicator report's files: ``report.html`` (self-contained, figures embedded)
and the numbers behind it as JSON and CSV (spreadsheet formulas neutralised).

    DIR/report.html                         the report for people
    DIR/report.json                         every number of the report (the plain data)
    DIR/corridors.json, corridors.csv       corridors, strongest first
    DIR/cells.csv                           nationality x checkpoint cells with a score
    DIR/detections_by_checkpoint_month.*    figure 1's numbers
    DIR/fraud_type_by_nationality.*         figure 2's numbers
    DIR/fraud_type_totals.*                 screenings per European fraud category
    DIR/corridor_vectors.*                  figure 3's numbers
    DIR/route_diagram.json                  figure 4's numbers
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from screening.errors import InputFileError
from screening.indicators import plots
from screening.indicators.report_html import render_html

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading quote (OWASP CSV
    injection advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(v) for v in row])


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _records_csv(path: Path, records: list[dict[str, Any]]) -> None:
    header = list(dict.fromkeys(k for r in records for k in r)) if records else ["empty"]
    _write_csv(path, header, ([r.get(k) for k in header] for r in records))


def corridor_rows(corridors: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    names = sorted({k for c in corridors for k in c["indicators"]})
    header = ["rank", "id", "corridor", "kind", "nationalities", "score", "flagged", "traffic"]
    for name in names:
        header += [f"{name}_documents", f"{name}_rate", f"{name}_strength"]
    header.append("explanation")
    rows = []
    for rank, c in enumerate(corridors, start=1):
        row: list[Any] = [
            rank,
            c["id"],
            " > ".join(c["corridor"]),
            c["kind"],
            " ".join(c["nationalities"]),
            c["score"],
            c["flagged"],
            c["traffic"],
        ]
        for name in names:
            ind = c["indicators"].get(name, {})
            row += [ind.get("documents", ind.get("entries")), ind.get("rate"), ind.get("strength")]
        row.append(c["explanation"])
        rows.append(row)
    return header, rows


def vector_records(corridors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "corridor": c["id"],
            "indicator": name,
            "strength": v.get("strength"),
            "weight": v.get("weight"),
            "contribution": v.get("contribution"),
        }
        for c in corridors
        for name, v in c["indicators"].items()
    ]


def write_report(data: dict[str, Any], out_dir: Path) -> list[Path]:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputFileError(f"cannot create the report folder {out_dir}: {error}") from error
    figures = {
        "detections": plots.detections_heatmap(data["detections_by_checkpoint_month"]),
        "fraud_types": plots.fraud_type_bars(data["fraud_type_by_nationality"]),
        "vectors": plots.corridor_vectors(data["corridors"]),
        "map": plots.route_map(data["route_diagram"]),
    }
    written = []

    def put(name: str, write: Any, *args: Any) -> None:
        target = out_dir / name
        partial = target.with_name(f".{name}.partial")
        write(partial, *args)
        os.replace(partial, target)
        written.append(target)

    try:
        put("report.json", _write_json, data)
        put("corridors.json", _write_json, data["corridors"])
        put("corridors.csv", lambda p: _write_csv(p, *corridor_rows(data["corridors"])))
        put("cells.csv", lambda p: _write_csv(p, *corridor_rows(data["cells"])))
        for name in (
            "detections_by_checkpoint_month",
            "fraud_type_by_nationality",
            "fraud_type_totals",
        ):
            put(f"{name}.json", _write_json, data[name])
            put(f"{name}.csv", _records_csv, data[name])
        vectors = vector_records(data["corridors"])
        put("corridor_vectors.json", _write_json, vectors)
        put("corridor_vectors.csv", _records_csv, vectors)
        put("route_diagram.json", _write_json, data["route_diagram"])
        html = render_html(data, figures)
        put("report.html", lambda p: p.write_text(html, encoding="utf-8"))
    except OSError as error:
        raise InputFileError(f"cannot write the report in {out_dir}: {error}") from error
    return written
