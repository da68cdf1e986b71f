"""The report's figures, drawn with matplotlib from the report data and returned as PNG
bytes to embed. Figures are made with the object API (``Figure``, rendered by the Agg
canvas): no pyplot state, no display, no network."""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from screening.indicators.taxonomy import load_taxonomy

DPI = 96


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def detections_heatmap(rows: list[dict[str, Any]]) -> bytes:
    """Fraud detections per checkpoint and month (colour: per 1,000 screenings)."""
    checkpoints = sorted({r["checkpoint"] for r in rows})
    months = sorted({r["month"] for r in rows})
    rate = np.zeros((len(checkpoints), len(months)))
    count = np.zeros_like(rate, dtype=int)
    for r in rows:
        i, j = checkpoints.index(r["checkpoint"]), months.index(r["month"])
        count[i, j] = r["fraud_detections"]
        rate[i, j] = 1000.0 * r["fraud_detections"] / max(r["screenings"], 1)
    fig = Figure(figsize=(max(6, 0.6 * len(months) + 3), 0.4 * len(checkpoints) + 1.5))
    ax = fig.subplots()
    image = ax.imshow(rate, aspect="auto", cmap="OrRd")
    ax.set_xticks(range(len(months)), months, rotation=60, fontsize=8)
    ax.set_yticks(range(len(checkpoints)), checkpoints, fontsize=8)
    for i in range(len(checkpoints)):
        for j in range(len(months)):
            if count[i, j]:
                ax.text(j, i, str(count[i, j]), ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=ax, label="fraud detections per 1,000 screenings")
    ax.set_title("Fraud detections per checkpoint and month (number in the cell)")
    return _png(fig)


def fraud_type_bars(rows: list[dict[str, Any]], top: int = 15) -> bytes:
    fraud = list(load_taxonomy().fraud)
    rows = sorted(rows, key=lambda r: -sum(r.get(c, 0) for c in fraud))[:top]
    rows = [r for r in rows if sum(r.get(c, 0) for c in fraud)] or rows[:1]
    fig = Figure(figsize=(8, 0.35 * len(rows) + 1.5))
    ax = fig.subplots()
    left = np.zeros(len(rows))
    for category in fraud:
        values = np.array([r.get(category, 0) for r in rows], dtype=float)
        ax.barh([r["nationality"] for r in rows], values, left=left, label=category)
        left += values
    ax.invert_yaxis()
    ax.set_xlabel("screenings whose main fraud category is ...")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Fraud type by nationality")
    return _png(fig)


def corridor_vectors(corridors: list[dict[str, Any]], top: int = 12) -> bytes:
    """Each corridor's score split into its indicators' weighted strengths."""
    shown = corridors[:top]
    names = sorted({k for c in shown for k, v in c["indicators"].items() if v.get("contribution")})
    fig = Figure(figsize=(9, 0.45 * max(len(shown), 1) + 1.5))
    ax = fig.subplots()
    left = np.zeros(len(shown))
    labels = [c["name"][:50] for c in shown]
    for name in names:
        values = np.array([c["indicators"].get(name, {}).get("contribution", 0.0) for c in shown])
        ax.barh(labels, values, left=left, label=name)
        left += values
    ax.invert_yaxis()
    ax.set_xlabel("score = sum of weight x strength")
    if names:
        ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Corridor vectors")
    return _png(fig)


# The region's box (lon, lat) for the close-up panel of the route diagram.
REGION = ((67.5, 78.5), (37.5, 44.5))


def _in_region(lon: float, lat: float) -> bool:
    (x0, x1), (y0, y1) = REGION
    return x0 <= lon <= x1 and y0 <= lat <= y1


def route_map(diagram: dict[str, Any]) -> bytes:
    """Places at their coordinates (longitude scaled by the cosine of 40 degrees) and each
    corridor as a line, wider and darker with its score: the whole corridors on the left,
    the region's checkpoints close up on the right."""
    places = {p["id"]: p for p in diagram["places"]}
    scale = math.cos(math.radians(40.0))
    top_score = max([c["score"] for c in diagram["corridors"]] + [1.0])
    fig = Figure(figsize=(14, 7))
    wide, close = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    for ax, regional in ((wide, False), (close, True)):
        for c in sorted(diagram["corridors"], key=lambda c: c["score"]):
            xy = [(places[p]["lon"] * scale, places[p]["lat"]) for p in c["places"] if p in places]
            if len(xy) < 2:
                continue
            xs, ys = zip(*xy, strict=True)
            strength = c["score"] / top_score
            ax.plot(
                xs,
                ys,
                "-",
                lw=1 + 5 * strength,
                alpha=0.35 + 0.6 * strength,
                color="firebrick" if c["flagged"] else "grey",
                zorder=1,
            )
        for p in places.values():
            x, y = p["lon"] * scale, p["lat"]
            kind = p["kind"]
            marker = "s" if kind in ("road", "rail") else ("^" if kind == "airport" else "o")
            ax.scatter([x], [y], marker=marker, s=30, color="navy", zorder=2)
            if _in_region(p["lon"], p["lat"]) == regional:
                ax.annotate(
                    p["name"], (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points"
                )
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    (x0, x1), (y0, y1) = REGION
    close.set_xlim(x0 * scale, x1 * scale)
    close.set_ylim(y0, y1)
    wide.add_patch(
        Rectangle((x0 * scale, y0), (x1 - x0) * scale, y1 - y0, fill=False, ls="--", lw=0.8)
    )
    wide.set_title("Whole corridors (dashed box: close-up)", fontsize=9)
    close.set_title(
        "The region's checkpoints. Red: reported; grey: known, not reported. "
        "Squares: road posts, triangles: airports, circles: towns",
        fontsize=9,
    )
    return _png(fig)
