"""What the annotated view shows beyond the scan report: every MRZ character with its
confidence and its cell on the image, and where the photograph is.

Both are extra scan stages (``ScreeningSession.scan(path, extra_stages=DETAIL_STAGES)``):
they read what the screening already computed and add ``mrz_cells`` and ``photo_region``
to the report's data, so the verdict and findings are exactly those of ``scan``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from screening.pipeline import ScanContext, Stage

# Formats whose photo sits at a known offset from the MRZ (a TD1 card prints its MRZ on
# the back: no anchor there).
_PHOTO_ANCHORED = ("TD3", "TD2")


def mrz_cells_stage(ctx: ScanContext) -> None:
    """``mrz_cells``: one record per MRZ character the reader segmented, reported or not
    (an unreadable MRZ shows which characters were doubtful)."""
    mrz = ctx.mrz
    if mrz is None or mrz.read is None or mrz.fused is None:
        return
    cells: list[dict[str, Any]] = []
    corrected = {(c.line, c.index): c.old for c in mrz.fused.corrections}
    for li, text in enumerate(mrz.fused.lines):
        confidence = mrz.fused.confidence[li]
        for index, char in enumerate(text):
            region = mrz.cell_region(li, index)
            if region is None:
                continue
            cell: dict[str, Any] = {
                "line": li + 1,
                "position": index + 1,
                "char": char,
                "confidence": round(float(confidence[index]), 3),
                "region": [int(v) for v in region],
            }
            if (li, index) in corrected:
                cell["read"] = corrected[(li, index)]
            cells.append(cell)
    ctx.data["mrz_cells"] = cells


def photo_region_stage(ctx: ScanContext) -> None:
    """``photo_region``: the box the photo check scored when it ran, else the photo placed
    from the MRZ (TD3/TD2 layouts), else nothing. ``method`` says which."""
    edition = ctx.data.get("edition") or {}
    photo = edition.get("photo") or {}
    if photo.get("region"):
        ctx.data["photo_region"] = {"region": list(photo["region"]), "method": "photo check"}
        return
    mrz, report = ctx.mrz, ctx.mrz_report
    if ctx.image is None or mrz is None or mrz.region is None or report is None:
        return
    if report.format not in _PHOTO_ANCHORED:
        return
    from screening.documents.photo import photo_box_from_mrz  # loads the registry once

    rgb = np.ascontiguousarray(ctx.image.bgr[..., ::-1])
    box = photo_box_from_mrz(rgb, mrz.region, report.format)
    if box is not None:
        ctx.data["photo_region"] = {
            "region": [int(v) for v in box],
            "method": "placed from the MRZ",
        }


DETAIL_STAGES: tuple[Stage, ...] = (
    ("mrz_cells", mrz_cells_stage),
    ("photo_region", photo_region_stage),
)
