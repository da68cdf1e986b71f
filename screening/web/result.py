"""The result of one screening as data: the verdict, the officer's checklist, the MRZ
next to the printed page, list hits and what to outline (pure functions over the
``scan --json`` objects of the pages)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from screening.findings import Severity, Verdict, catalog
from screening.report.overlay import booklet_boxes, overlay_boxes
from screening.web.screener import BookletResult, PageResult

# MRZ fields shown to the officer, in the order of the data page.
FIELD_ORDER = (
    "document_type",
    "issuing_country",
    "document_number",
    "surname",
    "given_names",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
    "optional_data",
)
# Codes after which the officer works through a checklist by eye (the edition
# registry's texts: screening/documents/data/editions.toml, [checklists]).
CHECKLIST_CODES = {
    "legacy": ("LEGACY_HANDFILLED", "LEGACY_NOT_ICAO", "EDITION_WITHDRAWN"),
    "photo": ("PHOTO_SUBSTITUTION_SUSPECTED",),
}
_VERDICT_RANK = {None: -1, Verdict.CLEAR: 0, Verdict.REFER: 1, Verdict.ALERT: 2}


def combined_verdict(reports: Iterable[Mapping[str, Any]]) -> str | None:
    """The worst page decides; a page that could not be read makes it at least refer."""
    worst: Verdict | None = None
    for report in reports:
        verdict = Verdict(report["verdict"]) if report.get("verdict") else Verdict.REFER
        if _VERDICT_RANK[verdict] > _VERDICT_RANK[worst]:
            worst = verdict
    return None if worst is None else str(worst)


@cache
def translated_findings(lang: str) -> dict[str, dict[str, str]]:
    """Titles and actions of finding codes in ``lang`` (``web/data/findings.<lang>.toml``;
    English is the catalogue itself)."""
    path = resources.files("screening.web").joinpath(f"data/findings.{lang}.toml")
    return tomllib.loads(path.read_text("utf-8")) if path.is_file() else {}


def checklist(findings: Sequence[Mapping[str, Any]], lang: str = "en") -> list[dict[str, Any]]:
    """The reasons, numbered as on the image, each with what to do (the finding's own
    message stays as the screening wrote it, in English)."""
    items = []
    known = catalog()
    local = translated_findings(lang) if lang != "en" else {}
    for number, finding in enumerate(findings, start=1):
        code = str(finding.get("code"))
        entry = known.get(code)
        text = local.get(code, {})
        items.append(
            {
                "number": number,
                "code": code,
                "severity": finding.get("severity", str(Severity.INFO)),
                "title": text.get("title") or (entry.title if entry else code),
                "message": finding.get("message", ""),
                "action": text.get("action") or (entry.action if entry else ""),
            }
        )
    return items


def field_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each MRZ field beside what the page prints (``viz``: only the fields the visual
    zone check read; ``match`` is None where the printed value was not compared)."""
    fields = (report.get("document") or {}).get("fields") or {}
    viz = report.get("viz") or {}
    rows = []
    for name in FIELD_ORDER:
        if name not in fields:
            continue
        printed = viz.get(name) or {}
        rows.append(
            {
                "field": name,
                "mrz": fields.get(name),
                "printed": printed.get("viz"),
                "match": printed.get("match"),
            }
        )
    return rows


def checklists_for(codes: Iterable[str]) -> list[str]:
    present = set(codes)
    return [name for name, wanted in CHECKLIST_CODES.items() if present.intersection(wanted)]


def page_data(result: PageResult, lang: str = "en") -> dict[str, Any]:
    report = result.report
    findings = report.get("findings") or []
    return {
        "file": report.get("file"),
        "verdict": report.get("verdict"),
        "error": report.get("error"),
        "image_size": list(result.size) if result.size else None,
        "overlay": [box.to_dict() for box in overlay_boxes(report, result.photo_box)],
        "checklist": checklist(findings, lang),
        "fields": field_rows(report),
        "lists": report.get("lists"),
        "edition": (report.get("document") or {}).get("edition") or report.get("edition"),
        "report": report,
    }


def screening_data(
    pages: Sequence[PageResult], meta: Mapping[str, Any], lang: str = "en"
) -> dict[str, Any]:
    reports = [p.report for p in pages]
    codes = sorted({f["code"] for r in reports for f in r.get("findings") or []})
    return {
        **meta,
        "kind": "pages",
        "verdict": combined_verdict(reports),
        "codes": codes,
        "checklists": checklists_for(codes),
        "pages": [page_data(p, lang) for p in pages],
        "personal_data": True,
    }


def booklet_data(
    result: BookletResult, meta: Mapping[str, Any], lang: str = "en"
) -> dict[str, Any]:
    """A booklet's result: its verdict, the checklist of its findings (numbered as on the
    pages), the data page's MRZ fields, stamps and route, and per uploaded file what to
    outline on it."""
    report = result.report
    findings = report.get("findings") or []
    codes = sorted({f["code"] for f in findings})
    verdict = report.get("verdict") or (str(Verdict.REFER) if report.get("error") else None)
    return {
        **meta,
        "kind": "booklet",
        "verdict": verdict,
        "codes": codes,
        "checklists": checklists_for(codes),
        "booklet": {
            "file": report.get("file"),
            "error": report.get("error"),
            "checklist": checklist(findings, lang),
            "fields": field_rows(report),
            "lists": report.get("lists"),
            "edition": report.get("edition"),
            "pages": report.get("pages") or [],
            "stamps": report.get("stamps") or [],
            "route": report.get("route") or {},
            "sources": [
                {
                    "file": s.name,
                    "source": s.source,
                    "image_size": list(s.size) if s.size else None,
                    "overlay": [b.to_dict() for b in booklet_boxes(report, s.source, s.size)],
                }
                for s in result.sources
            ],
            "report": report,
        },
        "pages": [],
        "personal_data": True,
    }
