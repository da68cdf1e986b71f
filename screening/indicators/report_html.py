"""The indicator report as one self-contained HTML page: the report data (escaped) and the
figures embedded as PNG data URIs. No script, no external resource."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

_STYLE = """
body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2} .flag{color:#a00;font-weight:bold} img{max-width:100%}
.small{font-size:12px;color:#555}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _corridor_table(corridors: list[dict[str, Any]]) -> str:
    rows = []
    for rank, c in enumerate(corridors, start=1):
        flag = '<span class="flag">reported</span>' if c["flagged"] else "not reported"
        rows.append(
            f"<tr><td>{rank}</td><td>{_e(' → '.join(c['corridor']))}<br>"
            f"<span class='small'>{_e(c['id'])} ({_e(c['kind'])})</span></td>"
            f"<td>{_e(', '.join(c['nationalities']))}</td><td>{c['score']:.2f}</td>"
            f"<td>{flag}</td><td>{c['traffic']:,}</td>"
            f"<td class='small'>{_e(c['explanation'])}</td></tr>"
        )
    return (
        "<table><tr><th>#</th><th>corridor</th><th>nationalities</th><th>score</th>"
        "<th>status</th><th>screenings</th><th>why</th></tr>" + "".join(rows) + "</table>"
    )


def _checkpoint_table(rows: list[dict[str, Any]]) -> str:
    totals: dict[str, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r["checkpoint"], [0, 0])
        t[0] += r["screenings"]
        t[1] += r["fraud_detections"]
    body = "".join(
        f"<tr><td>{_e(cp)}</td><td>{n:,}</td><td>{k:,}</td><td>{1000 * k / max(n, 1):.2f}</td></tr>"
        for cp, (n, k) in sorted(totals.items(), key=lambda item: -item[1][0])
    )
    return (
        "<table><tr><th>checkpoint</th><th>screenings</th><th>fraud detections</th>"
        "<th>per 1,000</th></tr>" + body + "</table>"
    )


def _totals_table(rows: list[dict[str, Any]]) -> str:
    body = "".join(
        f"<tr><td>{_e(r['category'])}</td><td>{'fraud' if r['fraud'] else 'not fraud'}</td>"
        f"<td>{r['screenings']:,}</td></tr>"
        for r in rows
    )
    return (
        "<table><tr><th>category</th><th></th><th>screenings (main category)</th></tr>"
        + body
        + "</table>"
    )


def render_html(data: dict[str, Any], figures: dict[str, bytes]) -> str:
    window = data["window"]
    reported = [c for c in data["corridors"] if c["flagged"]]
    scoring = data["scoring"]
    weights = ", ".join(f"{_e(k)} {v:g}" for k, v in scoring["weights"].items())
    sources = data["sources"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Smuggling indicators {_e(window["from"])} to {_e(window["to"])}</title>
<style>{_STYLE}</style></head><body>
<h1>Smuggling indicators, {_e(window["from"])} to {_e(window["to"])}</h1>
<p>{data["screenings"]:,} screenings ({data["screenings_in_traffic"]:,} with a known
checkpoint and direction), {data["fraud_detections"]:,} with a fraud sign
({data["discounted_as_misread"]:,} more set aside as likely misreads).
<b>{len(reported)}</b> corridor(s) reported. Store: {_e(data["store"])}.</p>
<p class="small">Each indicator's strength is log2 of how far the lower {scoring["confidence"]:g}
confidence bound of its rate clears the background rate (the larger of the same checkpoints'
other nationalities and the same nationality's other checkpoints), capped at
{scoring["strength_cap"]:g}; an indicator needs {scoring["min_documents"]} distinct documents.
Score = sum of weight x strength (weights: {weights}); reported from {scoring["flag_score"]:g}
when a fraud sign from the screenings themselves stands out. Other sources: {sources["in_window"]}
figures in the window, {sources["outside_window"]} outside it.</p>
<h2>Corridors, strongest first</h2>
{_corridor_table(data["corridors"])}
<h2>Route diagram</h2>
{_img(figures["map"], "map-like diagram of the corridors")}
<h2>Corridor vectors</h2>
{_img(figures["vectors"], "corridor vectors")}
<h2>Detections per checkpoint and month</h2>
{_img(figures["detections"], "detections per checkpoint and month")}
<h2>Fraud type by nationality</h2>
{_img(figures["fraud_types"], "fraud type by nationality")}
<h2>Nationality x checkpoint cells with a score</h2>
{_corridor_table(data["cells"][:20])}
<p class="small">The numbers behind every figure are in the CSV and JSON files beside this
page.</p>
</body></html>
"""
