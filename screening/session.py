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
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np

from screening.imaging.load import LoadedImage
from screening.imaging.mrz_image import MrzStatus
from screening.lists import ListStore, open_lists_for_screening, screen_document
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
    # Score the photo for substitution, placing it from the MRZ position. Off by default:
    # calibrated on synthetic pages only (see docs/documents.md).
    check_photo: bool = False


@dataclass(slots=True)
class ScreeningSession:
    settings: Settings
    scan_options: ScanOptions = field(default_factory=ScanOptions)
    options: SessionOptions = field(default_factory=SessionOptions)
    lists_store: ListStore | None = None
    lists_unavailable: str | None = None
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
        if session.options.check_lists:
            session.lists_store, session.lists_unavailable = open_lists_for_screening(settings)
        return session

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
        if report.document is not None and "edition" in report.data:
            report.document["edition"] = report.data.pop("edition")
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
        fields = ctx.mrz_report.fields
        screening = screen_document(
            self.lists_store,
            fields.get("issuing_country"),
            fields.get("document_type"),
            fields.get("document_number"),
            ctx.settings,
            unavailable_reason=self.lists_unavailable,
        )
        ctx.findings.extend(screening.findings)
        ctx.data["lists"] = screening.to_dict()

    def _documents_stage(self, ctx: ScanContext) -> None:
        from screening.documents.stage import screen_documents  # loads models once

        if ctx.image is None:
            return
        mrz = ctx.mrz
        mrz_seen = mrz is not None and mrz.status is not MrzStatus.NOT_FOUND
        text_box = None
        if mrz is not None and mrz.region is not None:
            text_box = tuple(int(v) for v in mrz.region)
        outcome = screen_documents(
            np.ascontiguousarray(ctx.image.bgr[..., ::-1]),
            settings=ctx.settings,
            mrz_fields=ctx.mrz_report.fields if ctx.mrz_report else None,
            check_legacy=not mrz_seen,
            check_photo=self.options.check_photo,
            locate_photo_box=self.options.check_photo,
            mrz_text_box=text_box,  # type: ignore[arg-type]
            mrz_format=ctx.mrz_report.format if ctx.mrz_report else None,
        )
        ctx.findings.extend(outcome.findings)
        ctx.data["edition"] = outcome.edition
