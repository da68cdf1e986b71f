"""``screening explain``: the annotated view of one scan as a self-contained HTML page.

The page image with the MRZ band, the photo, the visual-zone fields and every finding's
region outlined (numbered as the reasons); the MRZ as read, each character coloured by the
reader's confidence and placed on its cell of the image; the printed fields beside the
MRZ; an enlarged crop of each region a finding points at. The same pieces
(:mod:`screening.report.figure`) make the trainers' gallery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from screening.findings import Verdict
from screening.report.annotate import Box, as_box, clip, finding_boxes, outlines
from screening.report.figure import (
    CSS,
    e,
    legend,
    page_svg,
    reasons_html,
    verdict_html,
    zoom_figure,
)
from screening.report.overlay import is_region
from screening.report.picture import data_uri, encode, zoom_box

VERDICT_WORDS = {
    str(Verdict.CLEAR): "clear",
    str(Verdict.REFER): "refer",
    str(Verdict.ALERT): "alert",
    "error": "error",
}
LEGEND = {
    "alert": "alert finding",
    "warning": "warning finding",
    "info": "information",
    "mrz": "MRZ band",
    "photo": "photograph",
    "viz": "printed field compared",
}
# Confidence bands for the MRZ characters (the reader's own scale, 0-1): below CLEAR_READ
# a failing check digit over the character is not trusted as evidence of forgery.
CONFIDENCE_BANDS = (
    (0.9, "#2e7d32", "sure"),
    (0.6, "#f9a825", "fair"),
    (0.0, "#c62828", "doubtful"),
)
MAX_ZOOMS = 8


def confidence_colour(value: float) -> tuple[str, str]:
    for floor, colour, word in CONFIDENCE_BANDS:
        if value >= floor:
            return colour, word
    return CONFIDENCE_BANDS[-1][1], CONFIDENCE_BANDS[-1][2]


def mrz_lines_html(cells: Sequence[Mapping[str, Any]]) -> str:
    """The MRZ as read, one ``<span>`` per character underlined by its confidence."""
    lines: dict[int, list[str]] = {}
    for cell in cells:
        colour, word = confidence_colour(float(cell["confidence"]))
        read = f", read as {cell['read']} and corrected" if "read" in cell else ""
        title = (
            f"line {cell['line']}, position {cell['position']}: {cell['char']} "
            f"(confidence {float(cell['confidence']):.2f}, {word}{read})"
        )
        lines.setdefault(int(cell["line"]), []).append(
            f'<span style="border-color:{colour}" title="{e(title)}">{e(cell["char"])}</span>'
        )
    return "".join(
        f'<div class="mrz-line">{"".join(chars)}</div>' for _, chars in sorted(lines.items())
    )


def mrz_svg(bgr: np.ndarray, band: Box, cells: Sequence[Mapping[str, Any]]) -> str:
    """The MRZ band cut from the image, each character cell outlined in the colour of its
    confidence (hover: the character and the value)."""
    height, width = bgr.shape[:2]
    x, y, w, h = zoom_box(band, (width, height), margin=0.02)
    crop = bgr[y : y + h, x : x + w]
    uri = data_uri(encode(crop, kind="jpeg", quality=90), "jpeg")
    rects = []
    for cell in cells:
        if not is_region(cell.get("region")):
            continue
        cx, cy, cw, ch = as_box(cell["region"])
        colour, word = confidence_colour(float(cell["confidence"]))
        rects.append(
            f'<rect x="{cx - x}" y="{cy - y}" width="{cw}" height="{ch}" fill="{colour}" '
            f'fill-opacity="0.18" stroke="{colour}" stroke-width="1.5" '
            f'vector-effect="non-scaling-stroke"><title>{e(cell["char"])} '
            f"{float(cell['confidence']):.2f} ({e(word)})</title></rect>"
        )
    return (
        f'<svg class="page" viewBox="0 0 {w} {h}" role="img" aria-label="MRZ characters">'
        f'<image href="{uri}" x="0" y="0" width="{w}" height="{h}"/>' + "".join(rects) + "</svg>"
    )


def fields_table(report: Mapping[str, Any]) -> str:
    """MRZ fields beside what the page prints, where the visual-zone check compared them."""
    fields = (report.get("document") or {}).get("fields") or {}
    viz = report.get("viz") or {}
    if not fields:
        return '<p class="missing">No MRZ was read: no fields to compare.</p>'
    rows = []
    for name, value in fields.items():
        printed = viz.get(name) or {}
        match = printed.get("match")
        state = {True: "agrees", False: "<strong>DIFFERS</strong>"}.get(match, "not compared")
        rows.append(
            f"<tr><th>{e(name)}</th><td><code>{e(value)}</code></td>"
            f"<td><code>{e(printed.get('viz'))}</code></td><td>{state}</td></tr>"
        )
    return (
        "<table><tr><th>field</th><th>MRZ</th><th>printed page</th><th></th></tr>"
        + "".join(rows)
        + "</table>"
    )


def zooms_html(bgr: np.ndarray, report: Mapping[str, Any]) -> str:
    """An enlarged crop of the first region of each finding that points somewhere."""
    size = (bgr.shape[1], bgr.shape[0])
    figures = []
    for number, finding in enumerate(report.get("findings") or [], start=1):
        boxes = [b for b in (clip(b, size) for b in finding_boxes(finding, report)) if b]
        if boxes and len(figures) < MAX_ZOOMS:
            caption = f"{number}. {finding.get('code')}"
            kind = str(finding.get("severity", "info"))
            figures.append(zoom_figure(bgr, boxes[0], caption, kind=kind))
    return '<div class="zooms">' + "".join(figures) + "</div>" if figures else ""


def explain_page(report: Mapping[str, Any], bgr: np.ndarray, *, title: str) -> str:
    """The whole page as a string. ``report`` is the ``scan --json`` object of ``bgr``
    with the details of :mod:`screening.report.details`."""
    size = (bgr.shape[1], bgr.shape[0])
    marks = outlines(report, size)
    document = report.get("document") or {}
    edition = document.get("edition") or report.get("edition") or {}
    cells = report.get("mrz_cells") or []
    band = (report.get("mrz_region") or {}).get("box")
    photo = report.get("photo_region") or {}
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>Annotated screening: <code>{e(title)}</code></h1>",
        f"<p>Verdict: {verdict_html(report.get('verdict'), VERDICT_WORDS)}",
        f" &middot; format {e(document.get('format') or 'none read')}",
        f" &middot; edition {e(edition.get('name') or edition.get('id') or 'not identified')}",
        f" &middot; screened in {e(report.get('elapsed_ms'))} ms</p>",
    ]
    if report.get("error"):
        parts.append(f"<p class='sev-alert'>Error: {e(report['error'])}</p>")
    parts += [
        '<div class="pair"><div class="pane">',
        page_svg(bgr, marks, label=title),
        legend(LEGEND),
        '</div><div class="pane"><h2>Reasons</h2>',
        reasons_html(report.get("findings") or [], empty="No findings.", action="What to do"),
        "<h2>Printed page and MRZ</h2>",
        fields_table(report),
        "<h2>Photograph</h2>",
        f"<p>{e(photo.get('method'))}: region {e(photo.get('region'))}</p>"
        if photo
        else '<p class="missing">Photo position unknown (no MRZ to place it from, or a card '
        "whose MRZ is on the back).</p>",
        "</div></div>",
        "<h2>Machine-readable zone, character by character</h2>",
    ]
    if cells and is_region(band):
        parts += [
            "<p>Each character's cell on the image, coloured by the reader's confidence: "
            '<span style="color:#2e7d32">sure (0.9 and above)</span>, '
            '<span style="color:#f9a825">fair (0.6-0.9)</span>, '
            '<span style="color:#c62828">doubtful (below 0.6)</span>. Hover for values.</p>',
            mrz_svg(bgr, as_box(band), cells),
            mrz_lines_html(cells),
        ]
    else:
        parts.append('<p class="missing">No MRZ characters were read on this image.</p>')
    zooms = zooms_html(bgr, report)
    if zooms:
        parts += ["<h2>Regions of the findings, enlarged</h2>", zooms]
    parts.append("</body></html>\n")
    return "".join(parts)
