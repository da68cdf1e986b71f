"""One page through the documents stage the way ``screening scan`` runs it.

:func:`scan_inputs` does what the scan's image stages give the documents stage: decode
the file, read the MRZ (our reader with the Tesseract fallback, as in a default scan),
its geometry, and whether an MRZ was seen at all. :func:`documents_result` then runs
:func:`screening.documents.stage.screen_documents` with a given set of models (the
committed ones, or models trained without the page's family) and says what an officer
would see: the hand-filled finding, the photo finding and its signs, and the stage's CPU
time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import numpy as np

from screening.documents.stage import DocumentModels, screen_documents
from screening.documents.upright import MrzGeometry, mrz_geometry
from screening.imaging.load import decode_image
from screening.settings import Settings

SETTINGS = Settings(today=date(2026, 11, 28))


@dataclass(slots=True)
class ScanInputs:
    rgb: np.ndarray
    geometry: MrzGeometry | None
    mrz_seen: bool


@dataclass(slots=True)
class DocumentsResult:
    handfilled: bool  # LEGACY_HANDFILLED
    legacy_edition: bool  # LEGACY_NOT_ICAO or EDITION_WITHDRAWN
    photo_checked: bool
    photo_flagged: bool  # PHOTO_SUBSTITUTION_SUSPECTED
    photo_region: tuple[int, int, int, int] | None
    photo_score: float  # the scorer's score; 0.0 when the photo was not checked
    signs: tuple[str, ...]
    cpu_ms: float


def scan_inputs(data: bytes, name: str = "<page>") -> ScanInputs:
    from screening.imaging.mrz_image import MrzStatus, read_image_mrz

    image = decode_image(data, name)
    mrz = read_image_mrz(image.gray, use_tesseract=True)
    return ScanInputs(
        rgb=np.ascontiguousarray(image.bgr[..., ::-1]),
        geometry=mrz_geometry(mrz),
        mrz_seen=mrz.status is not MrzStatus.NOT_FOUND,
    )


def documents_result(
    inputs: ScanInputs, models: DocumentModels, *, force_legacy: bool = False
) -> DocumentsResult:
    """``force_legacy``: run the page as if no MRZ had been seen (the real-image check
    that no printed document is taken for a hand-filled legacy page)."""
    started = time.process_time()
    outcome = screen_documents(
        inputs.rgb,
        settings=SETTINGS,
        mrz_geometry=None if force_legacy else inputs.geometry,
        check_legacy=force_legacy or not inputs.mrz_seen,
        models=models,
    )
    cpu_ms = (time.process_time() - started) * 1000
    codes = {f.code for f in outcome.findings}
    photo = outcome.edition.get("photo") or {}
    region = photo.get("region")
    return DocumentsResult(
        handfilled="LEGACY_HANDFILLED" in codes,
        legacy_edition=bool(codes & {"LEGACY_NOT_ICAO", "EDITION_WITHDRAWN"}),
        photo_checked=bool(photo.get("checked")),
        photo_flagged="PHOTO_SUBSTITUTION_SUSPECTED" in codes,
        photo_region=tuple(region) if region else None,  # type: ignore[arg-type]
        photo_score=float(photo.get("score") or 0.0),
        signs=tuple(photo.get("signs") or ()),
        cpu_ms=cpu_ms,
    )
