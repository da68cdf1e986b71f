"""The gallery as one self-contained HTML page (images embedded, no script, nothing
fetched): it opens from a USB stick on a classroom PC with no network.

Per section: the genuine and the forged page side by side, each with the screening's
verdict and findings and their regions outlined (numbered as the findings), the sign's
place (the generator's record) outlined on both when they share a layout, the sign
enlarged on both, and the classroom explanation in the chosen language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from screening import __version__
from screening.gallery.build import Gallery, SectionResult, Shot
from screening.gallery.catalogue import texts
from screening.report.annotate import Box, Outline, view_outlines
from screening.report.figure import (
    CSS,
    e,
    legend,
    page_svg,
    reasons_html,
    verdict_html,
    zoom_figure,
)

LEGEND_KINDS = ("sign", "alert", "warning", "info", "mrz", "viz", "photo")


def _verdict_words(labels: Mapping[str, str]) -> dict[str, str]:
    return {v: labels[f"verdict_{v}"] for v in ("clear", "refer", "alert", "error")}


def _pane(shot: Shot, heading: str, sign: list[Box], labels: Mapping[str, str]) -> str:
    marks = [Outline(b, "sign", "", note=labels["legend_sign"]) for b in sign]
    marks += view_outlines(shot.report, shot.source)
    report = shot.report
    return (
        f'<div class="pane" data-role="{e(heading)}"><h3>{e(heading)}: '
        f"{verdict_html(report.get('verdict'), _verdict_words(labels))}</h3>"
        + page_svg(shot.page.bgr, marks, label=f"{heading}: {shot.file}")
        + f'<p><a href="{e(shot.file)}"><code>{e(shot.file)}</code></a></p>'
        + f"<h3>{e(labels['result'])}</h3>"
        + reasons_html(report.get("findings") or [], empty=labels["no_findings"])
        + "</div>"
    )


def _zooms(result: SectionResult, labels: Mapping[str, str]) -> str:
    if not result.sign:
        return ""
    figures = []
    box = result.sign[0]
    if result.same_layout:
        figures.append(zoom_figure(result.genuine.page.bgr, box, labels["genuine"]))
    figures.append(zoom_figure(result.forged.page.bgr, box, labels["forged"]))
    return f"<h3>{e(labels['where'])}</h3>" + '<div class="zooms">' + "".join(figures) + "</div>"


def section_html(number: int, result: SectionResult, lang: str) -> str:
    words = texts(lang)
    labels = words["labels"]
    text = words["sections"][result.section.key]
    notes = []
    if result.section.photo_check:
        notes.append(labels["photo_check"])
    if result.tries > 1:
        notes.append(labels["attempts"].format(tries=result.tries - 1, **{"try": result.tries}))
    if not result.caught:
        notes.append(labels["not_caught"].format(codes=", ".join(result.section.codes)))
    if result.genuine.report.get("verdict") in ("refer", "alert"):
        notes.append(labels["genuine_flagged"])
    genuine_sign = result.sign if result.same_layout else []
    return (
        f'<section id="{e(result.section.key)}" data-caught="{str(result.caught).lower()}">'
        f"<h2>{number}. {e(text['title'])}</h2>"
        + "".join(f'<p class="sev-warning">{e(n)}</p>' for n in notes)
        + '<div class="pair">'
        + _pane(result.genuine, labels["genuine"], genuine_sign, labels)
        + _pane(result.forged, labels["forged"], result.sign, labels)
        + "</div>"
        + _zooms(result, labels)
        + f'<div class="explain"><h3>{e(labels["look_for"])}</h3><p>{e(text["look_for"])}</p>'
        f"<h3>{e(labels['why'])}</h3><p>{e(text['why'])}</p>"
        f"<p><small>{e(labels['made'])}: <code>{e(result.made)}</code> "
        f"(seed {result.seed}; {e(', '.join(result.section.codes))})</small></p></div>"
        "</section>"
    )


def _missing(gallery: Gallery, lang: str) -> str:
    if not gallery.missing:
        return ""
    words = texts(lang)
    labels = words["labels"]
    items = []
    for section in gallery.missing:
        title = words["sections"].get(section.key, {}).get("title", section.key)
        template = labels["missing_check"] if not section.check_exists else labels["missing_maker"]
        items.append(
            f'<li data-key="{e(section.key)}">'
            + e(template.format(title=title, codes=", ".join(section.codes)))
            + "</li>"
        )
    return f'<h2 id="missing">{e(labels["missing_title"])}</h2><ul>{"".join(items)}</ul>'


def gallery_html(gallery: Gallery) -> str:
    """The whole page as a string."""
    words = texts(gallery.lang)
    labels: dict[str, Any] = words["labels"]
    contents = "".join(
        f'<li><a href="#{e(r.section.key)}">{e(words["sections"][r.section.key]["title"])}</a>'
        + ("" if r.caught else " &#9888;")
        + "</li>"
        for r in gallery.results
    )
    if gallery.missing:
        contents += f'<li><a href="#missing">{e(labels["missing_title"])}</a></li>'
    settings = labels["settings"].format(
        seed=gallery.seed, today=gallery.today.isoformat(), version=__version__
    )
    lists = labels["lists_note"].format(**gallery.lists) if gallery.lists else ""
    return "".join(
        [
            f'<!DOCTYPE html><html lang="{e(gallery.lang)}"><head><meta charset="utf-8">',
            f"<title>{e(labels['title'])}</title><style>{CSS}</style></head><body>",
            f"<h1>{e(labels['title'])}</h1><p>{e(labels['intro'])}</p>",
            f"<p><small>{e(settings)} {e(lists)}</small></p>",
            legend({k: labels[f"legend_{k}"] for k in LEGEND_KINDS}),
            f"<h2>{e(labels['contents'])}</h2><ol>{contents}</ol>",
            "".join(
                section_html(n, r, gallery.lang) for n, r in enumerate(gallery.results, start=1)
            ),
            _missing(gallery, gallery.lang),
            "<hr><p><small>"
            + e(labels["footer"].format(seed=gallery.seed, lang=gallery.lang))
            + "</small></p></body></html>\n",
        ]
    )
