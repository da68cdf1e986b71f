"""What to outline on a page image: the MRZ, the photo and every region a finding points
at. Pure data from the ``scan --json`` object (no pixels), shared by every renderer that
draws outlines: the web station's result page, the batch report. Regions are
``[x, y, w, h]`` in the input image's pixels."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Box:
    x: int
    y: int
    w: int
    h: int
    kind: str  # "mrz", "photo", or the finding's severity ("alert", "warning", "info")
    label: str  # "MRZ", "photo", or the finding's number in the checklist
    code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": [self.x, self.y, self.w, self.h],
            "kind": self.kind,
            "label": self.label,
            "code": self.code,
        }


def is_region(value: Any) -> bool:
    """An ``[x, y, w, h]`` box of numbers (not booleans) with a positive size."""
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and value[2] > 0
        and value[3] > 0
    )


def evidence_regions(evidence: Any) -> Iterator[tuple[int, int, int, int]]:
    """Every box under a ``region`` or ``box`` key anywhere in a finding's evidence
    (``region`` itself, ``handwritten_regions[].region``, ...), each once, in order."""
    seen: set[tuple[int, int, int, int]] = set()
    for region in _walk(evidence):
        if region not in seen:
            seen.add(region)
            yield region


def _walk(value: Any) -> Iterator[tuple[int, int, int, int]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("region", "box") and is_region(item):
                yield tuple(int(v) for v in item)  # type: ignore[misc]
            else:
                yield from _walk(item)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        for item in value:
            yield from _walk(item)


def overlay_boxes(report: Mapping[str, Any], photo_box: Sequence[int] | None = None) -> list[Box]:
    boxes: list[Box] = []
    mrz = (report.get("mrz_region") or {}).get("box")
    if is_region(mrz):
        boxes.append(Box(*(int(v) for v in mrz), kind="mrz", label="MRZ"))
    if photo_box is not None and is_region(photo_box):
        boxes.append(Box(*(int(v) for v in photo_box), kind="photo", label="photo"))
    for number, finding in enumerate(report.get("findings") or [], start=1):
        boxes += finding_boxes(number, finding)
    return boxes


def finding_boxes(number: int, finding: Mapping[str, Any]) -> list[Box]:
    """A finding's regions, in its severity's colour, labelled with its number."""
    return [
        Box(
            *region,
            kind=str(finding.get("severity", "info")),
            label=str(number),
            code=finding.get("code"),
        )
        for region in evidence_regions(finding.get("evidence") or {})
    ]


def _covers_source(region: Sequence[int], size: Sequence[int] | None) -> bool:
    return size is not None and tuple(region[:2]) == (0, 0) and tuple(region[2:]) == tuple(size)


def booklet_boxes(
    report: Mapping[str, Any], source: str, size: Sequence[int] | None = None
) -> list[Box]:
    """Outlines on one source image of a booklet (``booklet --json``): each page cut from
    it, each stamp, and the regions of the findings about it. Booklet and route findings
    give regions in source-image pixels; the data page's own findings (MRZ, visual
    zone...) give them in that page's pixels, so they are drawn only when the page is
    the whole source image (a page cut from a spread may be warped)."""
    from screening.findings import catalog

    pages = [p for p in report.get("pages") or [] if p.get("source") == source]
    whole_pages = {p["index"] for p in pages if _covers_source(p.get("region") or (), size)}
    boxes = [
        Box(*(int(v) for v in p["region"]), kind="page", label=str(p.get("number") or p["kind"]))
        for p in pages
        if is_region(p.get("region"))
    ]
    boxes += [
        Box(*(int(v) for v in s["region"]), kind="stamp", label=f"S{int(s['id']) + 1}")
        for s in report.get("stamps") or []
        if s.get("source") == source and is_region(s.get("region"))
    ]
    known = catalog()
    for number, finding in enumerate(report.get("findings") or [], start=1):
        evidence = finding.get("evidence") or {}
        if evidence.get("source") != source:
            continue
        entry = known.get(str(finding.get("code")))
        page_level = entry is not None and entry.stage in ("booklet", "route")
        if not page_level and evidence.get("page_index") not in whole_pages:
            continue
        boxes += finding_boxes(number, finding)
    return boxes
