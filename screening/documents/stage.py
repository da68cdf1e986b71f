"""The documents stage as one pure-ish function the scan pipeline calls.

:func:`screen_documents` takes the page image (RGB array) and, when an MRZ was read, its
fields and geometry; it identifies the edition, checks a page without MRZ for
hand-filled entries, finds the portrait and scores it for substitution, and returns the
findings plus the ``document.edition`` object of the report. No file I/O, no printing;
the models are loaded once (cached) from ``models/``.

Where the photo is checked: on every page whose MRZ was read (the MRZ line brings the
page upright and gives its scale), and on hand-filled legacy pages (turned upright by
their text lines; both ways up are tried, since lines do not say which way is up). A
page whose MRZ was not read and which is not hand-filled is not checked: there is no
portrait to expect on a stamp page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from screening.documents.legacy import HandfilledModel, screen_edition
from screening.documents.legacy import load_model as load_handfilled_model
from screening.documents.photo import PhotoModel, assess_photo, photo_findings
from screening.documents.photo import load_model as load_photo_model
from screening.documents.portrait import PortraitLocator, load_locator
from screening.documents.portrait_blocks import LOCATOR_PX_PER_MM
from screening.documents.portrait_windows import PortraitWindow
from screening.documents.registry import load_registry
from screening.documents.upright import MrzGeometry, Upright, upright_by_angle, upright_from_mrz
from screening.findings import Finding
from screening.settings import Settings


@dataclass(frozen=True, slots=True)
class DocumentModels:
    """The three models of the stage (the committed ones by default; the benchmark swaps
    in models trained without a family to measure it as unseen)."""

    handfilled: HandfilledModel
    locator: PortraitLocator
    photo: PhotoModel

    @classmethod
    def committed(cls) -> DocumentModels:
        return cls(load_handfilled_model(), load_locator(), load_photo_model())


@dataclass(slots=True)
class DocumentsOutcome:
    edition: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)


def _views(rgb: np.ndarray, geometry: MrzGeometry | None, angle: float | None) -> list[Upright]:
    if geometry is not None:
        return [upright_from_mrz(rgb, geometry, px_per_mm=LOCATOR_PX_PER_MM)]
    if angle is None:
        return []
    return [
        upright_by_angle(rgb, angle + turn, px_per_mm=LOCATOR_PX_PER_MM) for turn in (0.0, 180.0)
    ]


def find_portrait(
    rgb: np.ndarray,
    geometry: MrzGeometry | None,
    angle: float | None,
    locator: PortraitLocator | None = None,
) -> tuple[Upright, PortraitWindow] | None:
    """The upright view and the portrait window the locator (the committed one by
    default) likes best, if any."""
    locator = locator or load_locator()
    best: tuple[Upright, PortraitWindow] | None = None
    for view in _views(rgb, geometry, angle):
        found = locator.candidates(view)
        if not found:
            continue
        window = max(found, key=lambda w: w.probability)
        if window.probability >= locator.threshold and (
            best is None or window.probability > best[1].probability
        ):
            best = (view, window)
    return best


def screen_documents(
    rgb: np.ndarray,
    *,
    settings: Settings,
    mrz_fields: dict[str, Any] | None = None,
    mrz_geometry: MrzGeometry | None = None,
    mrz_format: str | None = None,
    check_photo: bool = True,
    check_legacy: bool = True,
    state_hint: str | None = None,
    models: DocumentModels | None = None,
) -> DocumentsOutcome:
    """Edition, legacy and photo checks for one data page.

    ``rgb`` is the page (HxWx3 uint8, RGB). ``mrz_geometry`` is where the MRZ's first line
    runs when it was read (:func:`screening.documents.upright.mrz_geometry`).
    ``check_legacy=False`` when an MRZ is present but unreadable: the page is then not a
    legacy page, and without fields there is no edition to identify.
    """
    models = models or DocumentModels.committed()
    angle: float | None = None
    if mrz_fields or check_legacy:
        legacy = screen_edition(
            None if mrz_fields else rgb,
            settings=settings,
            mrz_fields=mrz_fields,
            state_hint=state_hint,
            mrz_format=mrz_format,
            model=models.handfilled,
        )
        outcome = DocumentsOutcome(edition=legacy.edition_dict(), findings=list(legacy.findings))
        if legacy.assessment is not None and legacy.assessment.is_handfilled:
            angle = legacy.assessment.angle
    else:
        outcome = DocumentsOutcome(edition={"id": None, "confidence": 0.0, "method": None})
    if not check_photo:
        return outcome
    if mrz_geometry is None and angle is None:
        outcome.edition["photo"] = {
            "checked": False,
            "reason": "no MRZ read and no hand-filled data page: no portrait expected",
        }
        return outcome
    found = find_portrait(rgb, mrz_geometry, angle, models.locator)
    if found is None:
        outcome.edition["photo"] = {"checked": False, "reason": "no portrait found"}
        return outcome
    view, window = found
    assessment = assess_photo(rgb, view, window, model=models.photo)
    outcome.edition["photo"] = assessment.to_dict()
    outcome.findings.extend(photo_findings(assessment, registry=load_registry()))
    return outcome
