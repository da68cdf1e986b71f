"""One picture, several documents: every MRZ in the image is screened.

The scan's ``document`` stays the main document (the best MRZ read, as before). Every
further MRZ found in the same picture (:func:`screening.imaging.multi_mrz.find_more_mrz`)
becomes an :class:`OtherDocument`: its MRZ rules and its lost/stolen list check run like
the main document's, its findings join the report's (each marked with ``document``: its
number, the main document being 1, and its message saying so), so the verdict is the
worst of them. The picture itself gets ``MRZ_MULTIPLE_DOCUMENTS`` (refer): whoever
presents it, the officer must see every document in it. The JSON report lists them all
under ``documents``, each with its own ``lists`` result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from screening.findings import Finding, make_finding
from screening.imaging.mrz_image import ImageMrz
from screening.imaging.multi_mrz import find_more_mrz
from screening.mrz import MrzReport
from screening.pipeline import ScanContext, image_mrz_report


@dataclass(slots=True)
class OtherDocument:
    number: int  # 2, 3, ...: the main document is 1
    mrz: ImageMrz
    report: MrzReport
    lists: dict[str, Any] | None = None

    def region(self) -> dict[str, Any]:
        return {"box": list(self.mrz.region or ()), "quad": self.mrz.quad}

    def to_dict(self) -> dict[str, Any]:
        report = self.report.to_dict()
        out = {key: report[key] for key in ("format", "mrz_lines", "fields", "check_digits")}
        out["mrz_valid"] = report["mrz_valid"]
        out["mrz_region"] = self.region()
        out["lists"] = self.lists
        return out


def mark(finding: Finding, number: int) -> Finding:
    """``finding`` as one about document ``number`` of the picture."""
    evidence = dataclasses.replace(
        finding.evidence, extra={**finding.evidence.extra, "document": number}
    )
    return dataclasses.replace(
        finding, message=f"Document {number} in this picture: {finding.message}", evidence=evidence
    )


def other_documents_stage(ctx: ScanContext) -> None:
    """Find and screen (MRZ rules) every further MRZ of the picture."""
    if ctx.image is None or ctx.mrz is None:
        return
    found = find_more_mrz(ctx.image.gray, ctx.mrz, use_tesseract=ctx.options.use_tesseract)
    for number, mrz in enumerate(found, start=2):
        other = OtherDocument(number, mrz, image_mrz_report(mrz, ctx.settings))
        ctx.others.append(other)
        ctx.findings.extend(mark(f, number) for f in other.report.findings)
    # The JSON of the others; ScreeningSession.scan puts the main document first.
    ctx.data["documents"] = [other.to_dict() for other in ctx.others]
    if ctx.others:
        regions = [list(ctx.mrz.region or ())] + [list(o.mrz.region or ()) for o in ctx.others]
        ctx.findings.append(
            make_finding(
                "MRZ_MULTIPLE_DOCUMENTS",
                f"This picture holds {len(regions)} machine-readable zones: "
                f"{len(regions)} documents. Each was screened (findings say which); look at "
                "every one of them and at who presents which.",
                documents=len(regions),
                regions=regions,
            )
        )


def record_lists(ctx: ScanContext, other: OtherDocument, lists: dict[str, Any]) -> None:
    """The list check of ``other``, in its object and in its JSON."""
    other.lists = lists
    ctx.data["documents"][ctx.others.index(other)]["lists"] = lists
