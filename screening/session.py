"""A screening session: what a process opens once, and the full stage list it runs.

The image pipeline (:mod:`screening.pipeline`) owns the image stages. A session adds the
stages that need resources opened once per process — the lost/stolen list store — and
the document-edition checks, so the CLI, a batch worker (process pool or Dask) and the
web station all screen a document the same way::

    with ScreeningSession.open(settings) as session:
        report = session.scan(path)

A session is not for concurrent threads (a list store connection is not); open one per
worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np

from screening.findings import derive_verdict, make_finding
from screening.imaging.load import LoadedImage
from screening.imaging.mrz_image import MrzStatus
from screening.imaging.tesseract import tesseract_problem
from screening.lists import (
    ListScreening,
    ListStore,
    open_lists_for_screening,
    screen_document,
)
from screening.model_integrity import verified_card
from screening.multi_document import mark, other_documents_stage, record_lists
from screening.pipeline import (
    DEFAULT_STAGES,
    ScanContext,
    ScanOptions,
    ScanReport,
    Stage,
    scan_image,
)
from screening.settings import Settings


@dataclass(slots=True)
class SessionOptions:
    check_lists: bool = True
    check_documents: bool = True
    # Find the portrait and score it for substitution (on pages whose MRZ was read, and
    # on hand-filled legacy pages). Off by default until its false alerts on genuine real
    # documents and on designs not trained on are <= 5 % (issue 11; docs/documents.md).
    check_photo: bool = False


@dataclass(slots=True)
class ScreeningSession:
    settings: Settings
    scan_options: ScanOptions = field(default_factory=ScanOptions)
    options: SessionOptions = field(default_factory=SessionOptions)
    lists_store: ListStore | None = None
    lists_unavailable: str | None = None
    # Why Tesseract cannot be used (missing, broken): then our own reader alone, and
    # every report says so (OCR_ENGINE_UNAVAILABLE).
    ocr_unavailable: str | None = None
    # Called with each finished report (its JSON object) and the command that made it
    # (scan, booklet, batch): the indicator event recorder, when recording is on.
    recorder: Callable[[dict[str, Any], str], None] | None = None

    @classmethod
    def open(
        cls,
        settings: Settings,
        scan_options: ScanOptions | None = None,
        options: SessionOptions | None = None,
    ) -> ScreeningSession:
        session = cls(settings, scan_options or ScanOptions(), options or SessionOptions())
        session.verify_models()
        if session.scan_options.use_tesseract:
            session.ocr_unavailable = tesseract_problem()
            if session.ocr_unavailable is not None:
                session.scan_options = replace(session.scan_options, use_tesseract=False)
        if session.options.check_lists:
            session.lists_store, session.lists_unavailable = open_lists_for_screening(settings)
        return session

    def verify_models(self) -> None:
        """Refuse to start (MissingDependencyError, exit 4) when a model this session
        will use is missing or is not the file its model card describes."""
        from screening.documents import legacy, photo  # the documents stage's models
        from screening.imaging import ocrb

        needed = [(ocrb.MODEL_FILE, "OCR-B", "models.train_ocrb")]
        if self.options.check_documents:
            needed.append((legacy.MODEL_FILE, "hand-filled", "models.train_handfilled"))
            if self.options.check_photo:
                needed.append((photo.MODEL_FILE, "photo-substitution", "models.train_photo"))
        for path, what, rebuild in needed:
            verified_card(path, what=what, rebuild=rebuild)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.lists_store is not None:
            self.lists_store.close()
            self.lists_store = None

    def stages(self) -> tuple[Stage, ...]:
        stages: list[Stage] = list(DEFAULT_STAGES)
        # Every further MRZ of the picture, right after the main one (its timing:
        # more_mrz_ms).
        after_mrz = [name for name, _ in stages].index("mrz") + 1
        stages.insert(after_mrz, ("more_mrz", other_documents_stage))
        if self.options.check_lists:
            stages.append(("lists", self._lists_stage))
        if self.options.check_documents:
            stages.append(("documents", self._documents_stage))
        return tuple(stages)

    def scan(
        self,
        path: str | Path,
        *,
        image: LoadedImage | None = None,
        record: bool = True,
        extra_stages: Sequence[Stage] = (),
    ) -> ScanReport:
        """Screen one document image (``image``: its pixels, when already in memory);
        ``record=False`` when it is part of a larger screening (a booklet's data page)
        that emits its own report. ``extra_stages`` run after the others: the explain view
        adds the MRZ cells and the photo region this way, without changing the screening."""
        stages = (*self.stages(), *extra_stages)
        report = scan_image(path, self.settings, self.scan_options, stages, image=image)
        if self.ocr_unavailable is not None and report.error is None:
            report.findings.append(
                make_finding(
                    "OCR_ENGINE_UNAVAILABLE",
                    f"{self.ocr_unavailable}: the MRZ was read by our own reader alone and "
                    "the printed page was not compared with the MRZ.",
                    reason=self.ocr_unavailable,
                )
            )
            report.verdict = derive_verdict(report.findings)
        if report.document is not None and "edition" in report.data:
            report.document["edition"] = report.data.pop("edition")
        # ``documents``: every MRZ document of the picture, the main one first.
        main = None
        if report.document is not None:
            main = {**report.document, "mrz_region": report.mrz_region}
            main["lists"] = report.data.get("lists")
        report.data["documents"] = [
            *([main] if main is not None else []),
            *report.data.get("documents", []),
        ]
        if record:
            self.emit(report.to_dict(), "scan")
        return report

    def emit(self, report: dict[str, Any], kind: str) -> None:
        """Hand a finished report to the recorder (a no-op without one)."""
        if self.recorder is not None:
            self.recorder(report, kind)

    # --- stages -----------------------------------------------------------------------

    def _lists_stage(self, ctx: ScanContext) -> None:
        if ctx.mrz_report is None:
            # No number was read; MRZ_NOT_FOUND / MRZ_UNREADABLE already say so.
            ctx.data["lists"] = {"status": "not_checked", "reason": "no document number read"}
            return
        screening = self._check_lists(ctx.mrz_report.fields, ctx.settings)
        ctx.findings.extend(screening.findings)
        ctx.data["lists"] = screening.to_dict()
        for other in ctx.others:  # every further document of the picture, the same way
            checked = self._check_lists(other.report.fields, ctx.settings)
            ctx.findings.extend(mark(f, other.number) for f in checked.findings)
            record_lists(ctx, other, checked.to_dict())

    def _check_lists(self, fields: dict[str, Any], settings: Settings) -> ListScreening:
        return screen_document(
            self.lists_store,
            fields.get("issuing_country"),
            fields.get("document_type"),
            fields.get("document_number"),
            settings,
            unavailable_reason=self.lists_unavailable,
        )

    def _documents_stage(self, ctx: ScanContext) -> None:
        from screening.documents.stage import screen_documents  # loads models once

        if ctx.image is None:
            return
        from screening.documents.upright import mrz_geometry

        mrz = ctx.mrz
        mrz_seen = mrz is not None and mrz.status is not MrzStatus.NOT_FOUND
        outcome = screen_documents(
            np.ascontiguousarray(ctx.image.bgr[..., ::-1]),
            settings=ctx.settings,
            mrz_fields=ctx.mrz_report.fields if ctx.mrz_report else None,
            mrz_geometry=mrz_geometry(mrz) if mrz is not None else None,
            check_legacy=not mrz_seen,
            check_photo=self.options.check_photo,
            mrz_format=ctx.mrz_report.format if ctx.mrz_report else None,
        )
        ctx.findings.extend(outcome.findings)
        ctx.data["edition"] = outcome.edition
