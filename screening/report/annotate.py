"""What to outline on a page image, as data: the MRZ band, the photo, the visual-zone
fields compared with the MRZ, and every finding's region with its reason.

Pure functions over a ``scan --json`` object (plus the ``mrz_cells`` and
``photo_region`` of :mod:`screening.report.details` when present). Any renderer draws
the same outlines: the explain page (SVG), the gallery, a PNG (:mod:`screening.report.
picture`). Boxes are ``[x, y, w, h]`` in pixels of the input image.

A finding without an image region of its own still gets one when it names MRZ
positions (a check digit: its cell) or a field (a lost/stolen hit on the document
number: the number's MRZ characters and its printed value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from screening.mrz.formats import FORMATS_BY_NAME
from screening.report.overlay import booklet_boxes, evidence_regions, is_region

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Outline:
    box: Box
    kind: str  # "mrz", "photo", "viz", "sign", or a finding's severity
    label: str  # what is written beside the box: "MRZ", "photo", the finding's number...
    code: str | None = None
    note: str = ""  # the reason, shown on hover and in the legend

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": list(self.box),
            "kind": self.kind,
            "label": self.label,
            "code": self.code,
            "note": self.note,
        }


def as_box(value: Sequence[float]) -> Box:
    x, y, w, h = (round(float(v)) for v in value)
    return (x, y, w, h)


def union(boxes: Iterable[Box]) -> Box | None:
    boxes = list(boxes)
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def clip(box: Box, size: tuple[int, int]) -> Box | None:
    """``box`` cut to an image of ``size`` (width, height); None when nothing is left."""
    width, height = size
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(width, box[0] + box[2]), min(height, box[1] + box[3])
    if x1 <= x0 or y1 <= y0:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def cell_index(report: Mapping[str, Any]) -> dict[tuple[int, int], Box]:
    """(line, position) 1-based -> the character's cell box, from ``mrz_cells``."""
    out: dict[tuple[int, int], Box] = {}
    for cell in report.get("mrz_cells") or []:
        if is_region(cell.get("region")):
            out[(int(cell["line"]), int(cell["position"]))] = as_box(cell["region"])
    return out


def span_box(cells: Mapping[tuple[int, int], Box], line: int, first: int, last: int) -> Box | None:
    """The box around MRZ characters ``first..last`` (1-based, inclusive) of ``line``."""
    return union(cells[(line, p)] for p in range(first, last + 1) if (line, p) in cells)


def field_span(report: Mapping[str, Any], name: str) -> tuple[int, int, int] | None:
    """(line, first, last), 1-based, of MRZ field ``name`` in the report's format."""
    fmt = FORMATS_BY_NAME.get(str((report.get("document") or {}).get("format")))
    if fmt is None:
        return None
    for spec in fmt.fields:
        if spec.name == name:
            return (spec.line + 1, spec.start + 1, spec.end)
    return None


def finding_boxes(finding: Mapping[str, Any], report: Mapping[str, Any]) -> list[Box]:
    """Where a finding points on the image: its own regions; else the MRZ characters of
    its ``line``/``positions``; else its ``field`` (MRZ characters and printed value)."""
    evidence = finding.get("evidence") or {}
    boxes = list(evidence_regions(evidence))
    if boxes:
        return boxes
    cells = cell_index(report)
    positions = evidence.get("positions")
    if evidence.get("line") and positions:
        box = span_box(cells, int(evidence["line"]), int(positions[0]), int(positions[-1]))
        return [box] if box else []
    name = evidence.get("field")
    if not name:
        return []
    out: list[Box] = []
    span = field_span(report, str(name))
    if span is not None:
        box = span_box(cells, *span)
        if box is not None:
            out.append(box)
    printed = ((report.get("viz") or {}).get(str(name)) or {}).get("region")
    if is_region(printed):
        out.append(as_box(printed))
    return out


def page_outlines(report: Mapping[str, Any]) -> list[Outline]:
    """The context outlines: the MRZ band, the photo, each compared visual-zone field."""
    out: list[Outline] = []
    band = (report.get("mrz_region") or {}).get("box")
    if is_region(band):
        out.append(Outline(as_box(band), "mrz", "MRZ", note="machine-readable zone"))
    photo = report.get("photo_region") or {}
    if is_region(photo.get("region")):
        note = f"photograph ({photo.get('method', '')})".replace(" ()", "")
        out.append(Outline(as_box(photo["region"]), "photo", "photo", note=note))
    for name, field in (report.get("viz") or {}).items():
        if isinstance(field, Mapping) and is_region(field.get("region")):
            state = "differs from" if field.get("match") is False else "matches"
            out.append(
                Outline(
                    as_box(field["region"]),
                    "viz",
                    str(name),
                    note=f"printed {name} {state} the MRZ",
                )
            )
    return out


def finding_outlines(report: Mapping[str, Any]) -> list[Outline]:
    """One outline per region of each finding, labelled with the finding's number in the
    report's order (the same numbers as the list of reasons)."""
    out: list[Outline] = []
    for number, finding in enumerate(report.get("findings") or [], start=1):
        for box in finding_boxes(finding, report):
            out.append(
                Outline(
                    box,
                    str(finding.get("severity", "info")),
                    str(number),
                    code=finding.get("code"),
                    note=str(finding.get("message", "")),
                )
            )
    return out


def outlines(report: Mapping[str, Any], size: tuple[int, int] | None = None) -> list[Outline]:
    """Every outline of the annotated view, cut to the image when ``size`` is given."""
    out = page_outlines(report) + finding_outlines(report)
    if size is None:
        return out
    kept = []
    for outline in out:
        box = clip(outline.box, size)
        if box is not None:
            kept.append(
                Outline(box, outline.kind, outline.label, code=outline.code, note=outline.note)
            )
    return kept


def _named_on_scan(finding: Mapping[str, Any], report: Mapping[str, Any], source: str) -> list[Box]:
    """Where a booklet finding without a region of its own (pulled leaves, a torn stub, a
    route break) points on the scan ``source``: the pages (``page_index``) and stamps
    (``stamps``: ids) it names that lie on it."""
    evidence = finding.get("evidence") or {}
    pages = report.get("pages") or []
    wanted = evidence.get("page_index")
    indices = wanted if isinstance(wanted, list) else [] if wanted is None else [wanted]
    regions = [
        pages[i].get("region")
        for i in indices
        if isinstance(i, int) and 0 <= i < len(pages) and pages[i].get("source") == source
    ]
    stamps = {s.get("id"): s for s in report.get("stamps") or []}
    regions += [
        stamps[i].get("region")
        for i in evidence.get("stamps") or []
        if i in stamps and stamps[i].get("source") == source
    ]
    return list(dict.fromkeys(as_box(r) for r in regions if is_region(r)))


def view_outlines(report: Mapping[str, Any], source: str | None = None) -> list[Outline]:
    """The outlines of one image: a page report's (:func:`outlines`), or, with
    ``source``, the findings' outlines on the scan ``source`` of a booklet report (those
    of :func:`screening.report.overlay.booklet_boxes`, and the pages and stamps named by
    findings that have no region of their own)."""
    if source is None:
        return outlines(report)
    findings = list(report.get("findings") or [])
    out = [
        Outline(
            (b.x, b.y, b.w, b.h),
            b.kind,
            b.label,
            code=b.code,
            note=str(findings[int(b.label) - 1].get("message", "")),
        )
        for b in booklet_boxes(report, source)
        if b.kind not in ("page", "stamp")  # a finding's region (pages, stamps: context)
    ]
    outlined = {o.label for o in out}
    for number, finding in enumerate(findings, start=1):
        if str(number) in outlined:
            continue
        for box in _named_on_scan(finding, report, source):
            severity = str(finding.get("severity", "info"))
            note = str(finding.get("message", ""))
            out.append(Outline(box, severity, str(number), code=finding.get("code"), note=note))
    return out
