"""Legacy documents: is a page without MRZ hand-filled, and what follows from its edition.

A page with no MRZ is not just "no MRZ". :func:`assess_handfilled` cuts the page into
text regions, scores each with the region classifier (``models/handfilled``, trained by
``models/train_handfilled.py`` on pages of several independently written families) and
calls the page hand-filled when its K-th most handwriting-like text row passes the
threshold stored in the model card — a signature (in however many pieces) or a seal arc
alone does not make a printed page hand-filled.

:func:`legacy_findings` turns that assessment and the identified edition into findings:

* ``LEGACY_HANDFILLED`` — the page is filled in by hand (edition, confidence, the regions
  that look handwritten, the officer's manual checklist);
* ``LEGACY_NOT_ICAO`` — no MRZ and the edition has none: not ICAO-compliant, and after the
  Annex 9 deadline not valid for travel whatever its printed expiry;
* ``EDITION_WITHDRAWN`` — the edition was withdrawn before the screening date
  (``Settings.today``);
* ``EDITION_UNKNOWN`` — no edition in the registry fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from screening.documents.features import analyse_page
from screening.documents.forest import CompiledForest, compile_forest
from screening.documents.model_files import load_model_and_card
from screening.documents.registry import (
    Identification,
    PageEvidence,
    Registry,
    identify_from_mrz,
    identify_from_page,
    load_registry,
    withdrawn_reason,
)
from screening.findings import Finding, make_finding
from screening.settings import Settings

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "handfilled"
MODEL_FILE = MODEL_DIR / "model.joblib"
CARD_FILE = MODEL_DIR / "model_card.json"
REGION_THRESHOLD = 0.5  # a region "looks handwritten" in the evidence above this


@dataclass(frozen=True, slots=True)
class HandfilledModel:
    classifier: Any
    k: int
    threshold: float
    forest: CompiledForest | None = None

    @classmethod
    def from_fitted(cls, classifier: Any, card: dict[str, Any]) -> HandfilledModel:
        return cls(
            classifier=classifier,
            k=int(card["k"]),
            threshold=float(card["threshold"]),
            forest=compile_forest(classifier),
        )

    def region_probabilities(self, features: np.ndarray) -> np.ndarray:
        if self.forest is not None:
            return self.forest.positive_proba(features)
        return self.classifier.predict_proba(features)[:, 1]


@dataclass(frozen=True, slots=True)
class HandwrittenRegion:
    box: tuple[int, int, int, int]
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {"region": list(self.box), "probability": round(self.probability, 3)}


@dataclass(frozen=True, slots=True)
class HandfilledAssessment:
    """The page-level decision and the regions behind it."""

    score: float
    threshold: float
    regions: tuple[HandwrittenRegion, ...]  # handwriting-like regions, most likely first
    region_count: int
    angle: float = 0.0  # the page's text-line direction, degrees (0: level)

    @property
    def is_handfilled(self) -> bool:
        return self.score >= self.threshold

    @property
    def probability(self) -> float:
        """The score mapped so that 0.5 is the decision threshold (monotone): what the
        edition registry compares with 0.5, so that identification and the hand-filled
        decision never disagree."""
        t = min(max(self.threshold, 1e-6), 1 - 1e-6)
        if self.score < t:
            return 0.5 * self.score / t
        return min(1.0, 0.5 + 0.5 * (self.score - t) / (1 - t))

    @property
    def confidence(self) -> float:
        """How far the score sits from the threshold, mapped to [0.5, 1]."""
        if self.is_handfilled:
            span = max(1e-6, 1.0 - self.threshold)
            return 0.5 + 0.5 * min(1.0, (self.score - self.threshold) / span)
        span = max(1e-6, self.threshold)
        return 0.5 + 0.5 * min(1.0, (self.threshold - self.score) / span)

    def to_dict(self) -> dict[str, Any]:
        return {
            "handfilled": self.is_handfilled,
            "score": round(self.score, 3),
            "threshold": self.threshold,
            "confidence": round(self.confidence, 3),
            "text_regions": self.region_count,
            "handwritten_regions": [r.to_dict() for r in self.regions],
        }


@cache
def load_model(path: Path = MODEL_FILE) -> HandfilledModel:
    """The committed classifier and its operating point (K, threshold) from the card."""
    classifier, card = load_model_and_card(
        path, what="hand-filled", rebuild="models.train_handfilled"
    )
    return HandfilledModel.from_fitted(classifier, card)


def page_score(probabilities: np.ndarray, boxes: list[tuple[int, int, int, int]], k: int) -> float:
    """The K-th highest region probability counting one region per text row (0 when
    the page has fewer rows): a signature that falls into several pieces on one row,
    or a stamp's lines beside it, count once."""
    rows: list[tuple[int, int]] = []
    for i in np.argsort(-np.asarray(probabilities), kind="stable"):
        _, y, _, h = boxes[i]
        if any(min(y + h, b) - max(y, a) > 0.5 * min(h, b - a) for a, b in rows):
            continue
        rows.append((y, y + h))
        if len(rows) == k:
            return float(probabilities[i])
    return 0.0


def assess_handfilled(
    rgb: np.ndarray, *, model: HandfilledModel | None = None
) -> HandfilledAssessment:
    """Decide whether the data page in ``rgb`` (HxWx3 uint8) is filled in by hand."""
    model = model or load_model()
    analysis = analyse_page(rgb)
    regions, features = analysis.regions, analysis.features
    if not regions:
        return HandfilledAssessment(
            score=0.0,
            threshold=model.threshold,
            regions=(),
            region_count=0,
            angle=analysis.angle,
        )
    probabilities = model.region_probabilities(features)
    order = np.argsort(-probabilities, kind="stable")
    handwritten = tuple(
        HandwrittenRegion(box=regions[i].box, probability=float(probabilities[i]))
        for i in order
        if probabilities[i] >= REGION_THRESHOLD
    )
    return HandfilledAssessment(
        score=page_score(probabilities, [r.box_work for r in regions], model.k),
        threshold=model.threshold,
        regions=handwritten,
        region_count=len(regions),
        angle=analysis.angle,
    )


def _edition_fields(identification: Identification) -> dict[str, Any]:
    edition = identification.edition
    return {
        "edition": edition.id if edition else None,
        "edition_name": edition.name if edition else None,
        "edition_confidence": round(identification.confidence, 3),
    }


def legacy_findings(
    assessment: HandfilledAssessment | None,
    identification: Identification,
    *,
    has_mrz: bool,
    settings: Settings,
    registry: Registry | None = None,
) -> list[Finding]:
    """Findings about a legacy (non-machine-readable) document and its edition."""
    registry = registry or load_registry()
    checklist = list(registry.checklists["legacy"])
    edition = identification.edition
    findings: list[Finding] = []
    if assessment is not None and assessment.is_handfilled and not has_mrz:
        boxes = [r.to_dict() for r in assessment.regions]
        findings.append(
            make_finding(
                "LEGACY_HANDFILLED",
                "The data page is filled in by hand: this document cannot be verified "
                "automatically. Follow the manual checklist (photo, signature, pages, binding).",
                region=assessment.regions[0].box if assessment.regions else None,
                confidence=round(assessment.confidence, 3),
                handwritten_regions=boxes,
                checklist=checklist,
                **_edition_fields(identification),
            )
        )
    # Legacy-edition findings on a page without MRZ need positive evidence that the page
    # is the legacy edition: an identification made from it (the registry's page
    # identification admits a hand-written edition only on hand-filled evidence) that the
    # hand-filled decision, when one was made, does not contradict. A page whose MRZ
    # could not be found is not, by that alone, a withdrawn non-machine-readable edition.
    page_is_legacy = has_mrz or assessment is None or assessment.is_handfilled
    if not page_is_legacy:
        edition = None
    if not has_mrz and edition is not None and not edition.machine_readable:
        deadline = registry.non_machine_readable_expired_by
        expired = settings.today > deadline
        message = f"No machine-readable zone: {edition.name} is not ICAO 9303 compliant." + (
            f" ICAO Annex 9 required every such passport to have expired by "
            f"{deadline.isoformat()}; it is not valid for travel whatever its printed expiry."
            if expired
            else ""
        )
        findings.append(
            make_finding(
                "LEGACY_NOT_ICAO",
                message,
                expected=f"no non-machine-readable passport after {deadline.isoformat()}",
                icao_deadline=deadline.isoformat(),
                past_icao_deadline=expired,
                checklist=checklist,
                **_edition_fields(identification),
            )
        )
    if edition is not None and edition.is_withdrawn_on(settings.today):
        reason = withdrawn_reason(edition, settings.today, registry)
        findings.append(
            make_finding(
                "EDITION_WITHDRAWN",
                f"This edition is no longer valid: {reason}.",
                value=edition.id,
                expected=(
                    f"valid until {edition.last_valid.isoformat()}" if edition.last_valid else None
                ),
                screening_date=settings.today.isoformat(),
                source=edition.provenance.get("last_valid"),
                checklist=checklist,
                **_edition_fields(identification),
            )
        )
    if edition is None:
        findings.append(
            make_finding(
                "EDITION_UNKNOWN",
                "No known edition fits this document; compare it with a reference specimen.",
                method=identification.method,
                reasons=list(identification.reasons),
            )
        )
    return findings


@dataclass(frozen=True, slots=True)
class LegacyResult:
    identification: Identification
    assessment: HandfilledAssessment | None
    findings: list[Finding]

    def edition_dict(self) -> dict[str, Any]:
        """What goes into ``document.edition`` of the scan report."""
        out = self.identification.to_dict()
        if self.assessment is not None:
            out["handfilled"] = self.assessment.to_dict()
        return out


def screen_edition(
    rgb: np.ndarray | None,
    *,
    settings: Settings,
    mrz_fields: dict[str, Any] | None = None,
    state_hint: str | None = None,
    model: HandfilledModel | None = None,
    mrz_format: str | None = None,
) -> LegacyResult:
    """The documents stage of a scan: identify the edition; on pages without MRZ, decide
    whether the page is hand-filled and report the legacy findings.

    ``mrz_fields`` are ``MrzReport.fields`` when an MRZ was read (then the image is not
    needed), with ``mrz_format`` (``MrzReport.format``) when known; ``rgb`` is the data
    page (HxWx3 uint8) for pages without MRZ.
    """
    if mrz_fields:
        identification = identify_from_mrz(mrz_fields, today=settings.today, mrz_format=mrz_format)
        findings = legacy_findings(None, identification, has_mrz=True, settings=settings)
        return LegacyResult(identification=identification, assessment=None, findings=findings)
    if rgb is None:
        raise ValueError("screen_edition needs the page image when there is no MRZ")
    assessment = assess_handfilled(rgb, model=model)
    evidence = PageEvidence(
        has_mrz=False,
        handwritten_probability=assessment.probability,
        photo_side=None,
        state_hint=state_hint,
    )
    identification = identify_from_page(evidence)
    findings = legacy_findings(assessment, identification, has_mrz=False, settings=settings)
    return LegacyResult(identification=identification, assessment=assessment, findings=findings)
