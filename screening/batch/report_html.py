"""``report.html``: one self-contained page an analyst can read and forward.

Counts by verdict, finding and issuing state; the list versions checked; then the
alerts, then the referrals, each with its thumbnail (embedded, no external file or
script) and the region behind each finding outlined and numbered; then errors, clear
documents and skipped files. Every piece of text from an input (file names, MRZ values,
messages) is HTML-escaped.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Sequence
from html import escape
from typing import Any

from screening.batch import rows as facts
from screening.batch.journal import Entry
from screening.findings import catalog
from screening.report.overlay import evidence_regions, is_region

MAX_THUMBNAILS = 400  # keeps a report of thousands of flagged pages a few tens of MB

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 8px;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}
.alert{color:#b00020;font-weight:bold}.refer{color:#a05a00;font-weight:bold}
.clear{color:#1b5e20}.error{color:#555;font-weight:bold}
.card{border:1px solid #ccc;border-radius:6px;padding:.6em;margin:.8em 0;display:flex;
gap:1em;flex-wrap:wrap}.card svg{max-width:480px;height:auto;border:1px solid #eee}
.card .text{flex:1;min-width:300px}code{font-size:12px}
svg rect.f-alert{stroke:#e00030}svg rect.f-warning{stroke:#ff8c00}
svg rect.f-info{stroke:#1e6fd9}svg rect{fill:none;stroke-width:4}
svg rect.mrz{stroke:#555;stroke-dasharray:12 8;stroke-width:3}
svg text{font:bold 28px sans-serif;paint-order:stroke;stroke:#fff;stroke-width:5px}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _counts_table(title: str, counts: Counter[str], labels: dict[str, str] | None = None) -> str:
    rows = "".join(
        f"<tr><td>{_e(key)}</td>"
        + (f"<td>{_e(labels.get(key, ''))}</td>" if labels is not None else "")
        + f'<td class="n">{n}</td></tr>'
        for key, n in counts.most_common()
    )
    extra = "<th>meaning</th>" if labels is not None else ""
    return f"<table><tr><th>{_e(title)}</th>{extra}<th>inputs</th></tr>{rows}</table>"


def _by_state(rows: Sequence[dict[str, Any]]) -> str:
    table: dict[str, Counter[str]] = {}
    for row in rows:
        state = facts.issuing_state(row) or "(not read)"
        table.setdefault(state, Counter())[facts.outcome(row)] += 1
    body = "".join(
        f"<tr><td>{_e(state)}</td>"
        + "".join(f'<td class="n">{counts[o]}</td>' for o in facts.OUTCOMES)
        + f'<td class="n">{sum(counts.values())}</td></tr>'
        for state, counts in sorted(table.items(), key=lambda kv: -sum(kv[1].values()))
    )
    head = "".join(f"<th>{o}</th>" for o in facts.OUTCOMES)
    return f"<table><tr><th>issuing state</th>{head}<th>all</th></tr>{body}</table>"


def _versions(rows: Sequence[dict[str, Any]]) -> str:
    seen: dict[str, tuple[dict[str, Any], int]] = {}
    for row in rows:
        for version in facts.list_versions(row):
            key = json.dumps(version, sort_keys=True)
            seen[key] = (version, seen.get(key, (version, 0))[1] + 1)
    if not seen:
        return "<p>No lost/stolen list was checked (see LIST_NOT_CHECKED findings).</p>"
    body = "".join(
        f"<tr><td>{_e(v.get('version'))}</td><td>{_e(v.get('kind'))}</td>"
        f"<td>{_e(v.get('source'))}</td><td><code>{_e(v.get('digest'))}</code></td>"
        f'<td>{_e(v.get("activated_at"))}</td><td class="n">{n}</td></tr>'
        for v, n in seen.values()
    )
    return (
        "<table><tr><th>version</th><th>kind</th><th>source</th><th>digest</th>"
        f"<th>activated</th><th>documents checked</th></tr>{body}</table>"
    )


def _thumbnail_svg(entry: Entry) -> str:
    assert entry.thumbnail is not None and entry.image_size is not None
    width, height = entry.image_size
    data = base64.b64encode(entry.thumbnail).decode("ascii")
    shapes = []
    box = (entry.row.get("mrz_region") or {}).get("box")
    if is_region(box):
        x, y, w, h = box
        shapes.append(f'<rect class="mrz" x="{x}" y="{y}" width="{w}" height="{h}"/>')
    shown = _booklet_shown(entry.row)
    for number, finding in enumerate(entry.row.get("findings") or [], 1):
        severity = _e(finding.get("severity"))
        regions = list(dict.fromkeys(evidence_regions(finding.get("evidence") or {})))
        if shown is not None:  # a booklet: regions of other images do not belong here
            regions = shown.regions if finding.get("code") == shown.code else []
        for x, y, w, h in regions:
            shapes.append(
                f'<rect class="f-{severity}" x="{x}" y="{y}" width="{w}" height="{h}">'
                f"<title>{number}. {_e(finding.get('code'))}</title></rect>"
            )
        if regions:  # the finding's number once, at its first (main) region
            x, y = regions[0][:2]
            shapes.append(f'<text x="{x}" y="{max(y - 6, 24)}">{number}</text>')
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{min(width, 480)}" '
        f'role="img" aria-label="{_e(entry.row.get("file"))}">'
        f'<image href="data:image/jpeg;base64,{data}" width="{width}" height="{height}"/>'
        + "".join(shapes)
        + "</svg>"
    )


def _booklet_shown(row: dict[str, Any]) -> Any:
    """For a booklet row (``booklet --json``), the image its thumbnail shows."""
    if not isinstance(row.get("pages"), list):
        return None
    from screening.booklet.thumbnail import shown_image

    return shown_image(row)


def _card(entry: Entry, with_thumbnail: bool) -> str:
    row = entry.row
    verdict = facts.outcome(row)
    doc = " · ".join(
        _e(v)
        for v in (
            facts.document_format(row),
            facts.issuing_state(row),
            facts.document_number(row),
            facts.nationality(row) and f"nationality {facts.nationality(row)}",
        )
        if v
    )
    findings = "".join(
        f'<li><span class="{_e(f.get("severity")) if f.get("severity") == "alert" else ""}">'
        f"{_e(f.get('code'))}</span> ({_e(f.get('severity'))}): {_e(f.get('message'))}</li>"
        for f in row.get("findings") or []
    )
    picture = _thumbnail_svg(entry) if with_thumbnail else ""
    return (
        f'<div class="card">{picture}<div class="text">'
        f'<div><span class="{verdict}">{verdict.upper()}</span> <code>{_e(row.get("file"))}'
        f"</code></div><div>{doc}</div><ol>{findings}</ol></div></div>"
    )


def render_report(entries: Sequence[Entry], manifest: dict[str, Any]) -> str:
    """The whole page as a string (entries in input order)."""
    rows = [e.row for e in entries]
    verdicts = Counter(facts.outcome(r) for r in rows)
    codes = Counter(code for r in rows for code in dict.fromkeys(facts.finding_codes(r)))
    known = catalog()
    labels = {c: f"{known[c].severity}: {known[c].title}" if c in known else "" for c in codes}
    flagged = [e for o in ("alert", "refer") for e in entries if facts.outcome(e.row) == o]
    cards = []
    for number, entry in enumerate(flagged):
        show = entry.thumbnail is not None and entry.image_size is not None
        cards.append(_card(entry, show and number < MAX_THUMBNAILS))
    if len(flagged) > MAX_THUMBNAILS:
        cards.insert(
            MAX_THUMBNAILS,
            f"<p>Thumbnails are shown for the first {MAX_THUMBNAILS} flagged documents.</p>",
        )
    errors = "".join(
        f"<tr><td><code>{_e(r.get('file'))}</code></td><td>{_e(r.get('error'))}</td></tr>"
        for r in rows
        if facts.outcome(r) == "error"
    )
    clear = "".join(
        f"<tr><td><code>{_e(r.get('file'))}</code></td><td>{_e(facts.document_format(r))}</td>"
        f"<td>{_e(facts.issuing_state(r))}</td><td>{_e(facts.document_number(r))}</td></tr>"
        for r in rows
        if facts.outcome(r) == "clear"
    )
    skipped = "".join(
        f"<tr><td><code>{_e(s.get('file'))}</code></td><td>{_e(s.get('reason'))}</td></tr>"
        for s in manifest.get("skipped", [])
    )
    params = manifest.get("parameters", {})
    status = "complete" if manifest.get("complete") else "INCOMPLETE (interrupted; rerun to finish)"
    return "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            "<title>Batch screening report</title>",
            f"<style>{CSS}</style></head><body>",
            "<h1>Batch screening report</h1>",
            f"<p>Input folder <code>{_e(params.get('input_dir'))}</code>; screening date "
            f"{_e(params.get('today'))}; {len(rows)} inputs screened, status: {_e(status)}; "
            f"finished {_e(manifest.get('finished_at'))}; screening "
            f"{_e(manifest.get('software', {}).get('screening'))}.</p>",
            "<h2>Verdicts</h2>",
            _counts_table("verdict", Counter({o: verdicts[o] for o in facts.OUTCOMES})),
            "<h2>Findings</h2>",
            _counts_table("finding code", codes, labels) if codes else "<p>None.</p>",
            "<h2>Issuing states</h2>",
            _by_state(rows),
            "<h2>Lost/stolen list versions checked</h2>",
            _versions(rows),
            f"<h2>Alerts and referrals ({len(flagged)})</h2>",
            "".join(cards) or "<p>None.</p>",
            f"<h2>Errors ({verdicts['error']})</h2>",
            f"<table><tr><th>file</th><th>error</th></tr>{errors}</table>" if errors else "",
            f"<h2>Clear ({verdicts['clear']})</h2>",
            "<table><tr><th>file</th><th>format</th><th>issuing state</th><th>number</th></tr>"
            f"{clear}</table>"
            if clear
            else "",
            f"<h2>Skipped files ({len(manifest.get('skipped', []))})</h2>",
            f"<table><tr><th>file</th><th>reason</th></tr>{skipped}</table>" if skipped else "",
            "<h2>Parameters</h2>",
            f"<pre>{_e(json.dumps(params, indent=1, ensure_ascii=False))}</pre>",
            "</body></html>\n",
        ]
    )
