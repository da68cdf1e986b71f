"""HTML pieces shared by the annotated views (``screening explain``, the trainers'
gallery): a page image with its outlines as inline SVG, an enlarged crop, the list of
reasons and the stylesheet. Everything self-contained (images as data URIs, no script,
no font or file from elsewhere); every piece of text is HTML-escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

import numpy as np

from screening.findings import catalog
from screening.report.annotate import Outline
from screening.report.picture import COLOURS, css_colour, data_uri, encode, shrink, zoom

# Pages are embedded at most this wide/high: enough to read a character when zoomed
# in the browser, small enough for a gallery of dozens of pages on a USB stick.
EMBED_MAX_SIDE = 1400


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _outline_css() -> str:
    rules = [f"svg g.o-{kind} rect{{stroke:{css_colour(kind)}}}" for kind in COLOURS]
    rules += [f".legend span.key-{kind}{{border-color:{css_colour(kind)}}}" for kind in COLOURS]
    return "\n".join(rules)


CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:1.2em auto;max-width:1500px;color:#222;
padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:2px solid #ccc}
h3{font-size:1.05em;margin:.8em 0 .3em}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ddd;padding:2px 8px;
text-align:left;vertical-align:top}th{background:#f4f4f4}
.v-alert{color:#b00020;font-weight:bold}.v-refer{color:#a05a00;font-weight:bold}
.v-clear{color:#1b5e20;font-weight:bold}
.pair{display:flex;gap:1.2em;flex-wrap:wrap}.pane{flex:1;min-width:330px}
figure{margin:0}svg.page{width:100%;height:auto;border:1px solid #bbb;background:#fff}
svg g rect{fill:none;stroke-width:3}svg g.o-mrz rect,svg g.o-viz rect,svg g.o-photo rect{
stroke-width:2;stroke-dasharray:8 5}svg g.o-sign rect{stroke-width:4;stroke-dasharray:3 3}
svg text{font-weight:bold;font-family:sans-serif;paint-order:stroke;stroke:#fff;
stroke-width:4px}
.zoom img{max-width:100%;border:1px solid #999;image-rendering:auto}
.zooms{display:flex;gap:1em;flex-wrap:wrap}.zooms figure{flex:1;min-width:250px}
figcaption{font-size:.9em;color:#444}
.legend span.key{display:inline-block;width:1.1em;height:.8em;border:3px solid;
margin:0 .3em 0 .8em;vertical-align:middle}
ol.reasons li{margin:.2em 0}.sev-alert{color:#b00020}.sev-warning{color:#a05a00}
.sev-info{color:#1e4f9d}code{font-size:.92em}
.explain{background:#f7f7f2;border-left:4px solid #c8b400;padding:.5em 1em;margin:.8em 0}
.mrz-line{font-family:monospace;font-size:18px;letter-spacing:1px;white-space:nowrap}
.mrz-line span{display:inline-block;width:1.05em;text-align:center;border-bottom:4px solid}
.missing{color:#666;font-style:italic}
""" + _outline_css()


def page_svg(
    bgr: np.ndarray,
    outlines: Sequence[Outline],
    *,
    label: str = "",
    max_side: int = EMBED_MAX_SIDE,
) -> str:
    """The page as an inline SVG: the image embedded (JPEG, scaled down for size) and
    the outlines on top in input-image pixel coordinates."""
    height, width = bgr.shape[:2]
    small, _ = shrink(bgr, max_side)
    uri = data_uri(encode(small, kind="jpeg"), "jpeg")
    font = max(12, round(width / 45))
    shapes = []
    for outline in outlines:
        x, y, w, h = outline.box
        text = ""
        if outline.kind not in ("viz", "photo"):
            text = (
                f'<text x="{x}" y="{max(y - 4, font)}" font-size="{font}">{e(outline.label)}</text>'
            )
        title = f"{outline.code}: {outline.note}" if outline.code else outline.note
        shapes.append(
            f'<g class="o-{e(outline.kind)}" data-code="{e(outline.code or outline.kind)}">'
            f"<title>{e(title)}</title>"
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" '
            f'vector-effect="non-scaling-stroke"/>{text}</g>'
        )
    return (
        f'<svg class="page" viewBox="0 0 {width} {height}" role="img" aria-label="{e(label)}" '
        f'data-width="{width}" data-height="{height}">'
        f'<image href="{uri}" x="0" y="0" width="{width}" height="{height}"/>'
        + "".join(shapes)
        + "</svg>"
    )


def zoom_figure(
    bgr: np.ndarray, box: tuple[int, int, int, int], caption: str, *, kind: str = "sign"
) -> str:
    """An enlarged crop around ``box`` (JPEG, embedded) with its caption; the box is
    outlined in the colour of ``kind``."""
    crop, region = zoom(bgr, box, kind=kind)
    uri = data_uri(encode(crop, kind="jpeg", quality=92), "jpeg")
    return (
        f'<figure class="zoom" data-region="{",".join(str(v) for v in region)}">'
        f'<img src="{uri}" alt="{e(caption)}"><figcaption>{e(caption)}</figcaption></figure>'
    )


def legend(labels: Mapping[str, str]) -> str:
    """A key to the outline colours (``labels``: kind -> words)."""
    return (
        '<p class="legend">'
        + "".join(
            f'<span class="key key-{e(kind)}"></span>{e(text)}' for kind, text in labels.items()
        )
        + "</p>"
    )


def verdict_html(verdict: str | None, words: Mapping[str, str]) -> str:
    name = verdict or "error"
    return f'<span class="v-{e(name)}">{e(words.get(name, name).upper())}</span>'


def reasons_html(findings: Iterable[Mapping[str, Any]], *, empty: str, action: str = "") -> str:
    """The findings, numbered as on the image, with the catalogue's advice."""
    known = catalog()
    items = []
    for finding in findings:
        code = str(finding.get("code"))
        severity = str(finding.get("severity", "info"))
        advice = known[code].action if action and code in known else ""
        items.append(
            f'<li class="sev-{e(severity)}"><code>{e(code)}</code> ({e(severity)}): '
            f"{e(finding.get('message'))}"
            + (f"<br><em>{e(action)}:</em> {e(advice)}" if advice else "")
            + "</li>"
        )
    if not items:
        return f"<p>{e(empty)}</p>"
    return '<ol class="reasons">' + "".join(items) + "</ol>"
