"""What to outline on the page image: the MRZ, the photo and every region a finding
points at (pure data from the ``scan --json`` object; the template draws it as SVG over
the image, in the input image's pixel coordinates)."""

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


def _is_region(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 4
        and all(isinstance(v, int | float) for v in value)
        and value[2] > 0
        and value[3] > 0
    )


def evidence_regions(evidence: Mapping[str, Any]) -> Iterator[Sequence[float]]:
    """Every image region in a finding's evidence: ``region`` itself and the regions of
    listed parts (``handwritten_regions``, ``cells``, ...)."""
    seen: set[tuple[float, ...]] = set()
    for key, value in evidence.items():
        candidates: list[Any] = []
        if key == "region":
            candidates = [value]
        elif isinstance(value, Sequence) and not isinstance(value, str):
            candidates = [v.get("region") for v in value if isinstance(v, Mapping)]
        for region in candidates:
            if _is_region(region) and tuple(region) not in seen:
                seen.add(tuple(region))
                yield region


def overlay_boxes(report: Mapping[str, Any], photo_box: Sequence[int] | None = None) -> list[Box]:
    boxes: list[Box] = []
    mrz = (report.get("mrz_region") or {}).get("box")
    if _is_region(mrz):
        boxes.append(Box(*(int(v) for v in mrz), kind="mrz", label="MRZ"))
    if photo_box is not None and _is_region(photo_box):
        boxes.append(Box(*(int(v) for v in photo_box), kind="photo", label="photo"))
    for number, finding in enumerate(report.get("findings") or [], start=1):
        for region in evidence_regions(finding.get("evidence") or {}):
            boxes.append(
                Box(
                    *(int(v) for v in region),
                    kind=str(finding.get("severity", "info")),
                    label=str(number),
                    code=finding.get("code"),
                )
            )
    return boxes
