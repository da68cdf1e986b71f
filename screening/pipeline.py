"""Screen one document image: a list of stages over a shared context.

    image -> MRZ (locate + read + rules) -> image quality -> visual zone -> [lists] -> [editions]

Each stage is a named callable taking the :class:`ScanContext` and adding findings and
data to it; its wall time goes into ``timings[<name>_ms]``. Later stages (lost/stolen list
matching, edition and legacy checks) plug in by appending to the stage list passed to
:func:`scan_image` (see :data:`DEFAULT_STAGES`), without touching the ones here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.errors import InputFileError, MissingDependencyError
from screening.findings import Finding, Verdict, derive_verdict, make_finding, sort_findings
from screening.imaging.load import LoadedImage, check_shape, load_image
from screening.imaging.mrz_image import ImageMrz, MrzStatus, country_misread, read_image_mrz
from screening.imaging.quality import Quality, measure, quality_findings
from screening.mrz import MrzReport, check_mrz
from screening.safe_text import valid_unicode
from screening.settings import Settings


@dataclass(frozen=True, slots=True)
class ScanOptions:
    use_tesseract: bool = True
    # Visual zone vs MRZ (screening/imaging/viz: any page design, Tesseract as a library
    # on the text lines, within a reading budget). On by default (figures:
    # benchmarks/results/viz_families.md); an alert needs a confidently read printed
    # value, confirmed by a second read. It needs Tesseract, so use_tesseract=False also
    # skips it.
    check_viz: bool = True


@dataclass(slots=True)
class ScanContext:
    path: Path
    settings: Settings
    options: ScanOptions
    image: LoadedImage | None = None
    mrz: ImageMrz | None = None
    mrz_report: MrzReport | None = None
    quality: Quality | None = None
    findings: list[Finding] = field(default_factory=list)
    # Further documents in the same picture (screening.multi_document.OtherDocument).
    others: list[Any] = field(default_factory=list)
    # Free-form outputs of later stages (e.g. "lists", "edition"), copied to the report.
    data: dict[str, Any] = field(default_factory=dict)


Stage = tuple[str, Callable[[ScanContext], None]]


@dataclass(slots=True)
class ScanReport:
    file: str
    verdict: Verdict | None
    document: dict[str, Any] | None
    findings: list[Finding]
    elapsed_ms: float
    timings: dict[str, float]
    mrz_region: dict[str, Any] | None = None
    quality: dict[str, Any] | None = None
    engines: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": valid_unicode(self.file),
            "verdict": None if self.verdict is None else str(self.verdict),
            "document": self.document,
            "findings": [f.to_dict() for f in sort_findings(self.findings)],
            "elapsed_ms": round(self.elapsed_ms, 1),
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "mrz_region": self.mrz_region,
            "quality": self.quality,
            "engines": self.engines,
        }
        out.update(self.data)
        if self.error is not None:
            out["error"] = valid_unicode(self.error)
        return out


def load_stage(ctx: ScanContext) -> None:
    ctx.image = load_image(ctx.path)


def preloaded_stage(ctx: ScanContext) -> None:
    """Pixels handed over in memory (a booklet page) are bounded as a file would be."""
    assert ctx.image is not None
    check_shape(*ctx.image.size, str(ctx.path))


def mrz_stage(ctx: ScanContext) -> None:
    """Locate + read + fuse + MRZ rules (the ``mrz_ms`` of the issue)."""
    assert ctx.image is not None
    result = read_image_mrz(ctx.image.gray, use_tesseract=ctx.options.use_tesseract)
    ctx.mrz = result
    if result.status is MrzStatus.NOT_FOUND:
        ctx.findings.append(
            make_finding(
                "MRZ_NOT_FOUND",
                "No machine-readable zone was found in this image.",
            )
        )
        return
    if result.status is MrzStatus.UNREADABLE:
        ctx.findings.append(
            make_finding(
                "MRZ_UNREADABLE",
                "A machine-readable zone was found but could not be read reliably; "
                "no MRZ text is reported.",
                region=result.region,
            )
        )
        return
    report = image_mrz_report(result, ctx.settings)
    ctx.mrz_report = report
    ctx.findings.extend(report.findings)
    assert result.fused is not None
    for fix in result.fused.corrections:
        ctx.findings.append(
            make_finding(
                "MRZ_OCR_CORRECTED",
                f"Line {fix.line + 1}, position {fix.index + 1}: read as '{fix.old}', "
                f"corrected to '{fix.new}' ({fix.reason.replace('_', ' ')}).",
                field=fix.field or None,
                value=fix.new,
                line=fix.line + 1,
                positions=(fix.index + 1, fix.index + 1),
                region=result.cell_region(fix.line, fix.index),
                read=fix.old,
                reason=fix.reason,
            )
        )


def image_mrz_report(result: ImageMrz, settings: Settings) -> MrzReport:
    """The MRZ rules on text read from an image (a FOUND read)."""
    report = check_mrz(result.lines, settings)
    report.findings = [_image_country_finding(f, report, result) for f in report.findings]
    return report


def _image_country_finding(finding: Finding, report: MrzReport, mrz: ImageMrz) -> Finding:
    """An invalid country code one character from the other (valid) one, read from an
    image, is most likely a misread: MRZ_COUNTRY_CODE_MISREAD (refer), not an alert."""
    name = finding.evidence.field or ""
    if finding.code != "MRZ_COUNTRY_CODE" or finding.evidence.line is None:
        return finding
    misread = country_misread(report.fields, name)
    if misread is None or finding.evidence.positions is None:
        return finding
    other, index = misread
    read = str(report.fields.get(name))
    label = name.replace("_", " ")
    return make_finding(
        "MRZ_COUNTRY_CODE_MISREAD",
        f"The {label} was read as {read!r}, which is no ICAO code, one character from the "
        f"other country code {other!r}: probably a misread character. Check it on the "
        "document.",
        field=name,
        value=read,
        expected=other,
        line=finding.evidence.line,
        positions=finding.evidence.positions,
        region=mrz.cell_region(
            finding.evidence.line - 1, finding.evidence.positions[0] - 1 + index
        ),
    )


def quality_stage(ctx: ScanContext) -> None:
    assert ctx.image is not None
    mrz = ctx.mrz
    strips = [ln.strip for ln in mrz.read.lines] if mrz and mrz.read else []
    region = mrz.region if mrz else None
    ctx.quality = measure(ctx.image.gray, strips, mrz.char_height_px if mrz else None, region)
    # Rescan advice where it changes something: the MRZ could not be read. A read that
    # passed the gate (corrections included) stands on its check digits.
    if mrz is None or mrz.status is not MrzStatus.FOUND:
        ctx.findings.extend(quality_findings(ctx.quality, region))


def viz_stage(ctx: ScanContext) -> None:
    if not ctx.options.check_viz or ctx.mrz_report is None or ctx.image is None:
        return
    from screening.imaging.viz import compare_viz  # imported lazily: optional stage

    assert ctx.mrz is not None
    outcome = compare_viz(ctx.image, ctx.mrz, ctx.mrz_report, ctx.options.use_tesseract)
    ctx.findings.extend(outcome.findings)
    if outcome.fields:
        ctx.data["viz"] = outcome.fields


DEFAULT_STAGES: tuple[Stage, ...] = (
    ("load", load_stage),
    ("mrz", mrz_stage),
    ("quality", quality_stage),
    ("viz", viz_stage),
)


def _document(ctx: ScanContext) -> dict[str, Any] | None:
    if ctx.mrz_report is None:
        return None
    report = ctx.mrz_report.to_dict()
    return {
        "format": report["format"],
        "mrz_lines": report["mrz_lines"],
        "fields": report["fields"],
        "check_digits": report["check_digits"],
        "mrz_valid": report["mrz_valid"],
    }


def _engines(ctx: ScanContext) -> dict[str, Any] | None:
    mrz = ctx.mrz
    if mrz is None or mrz.read is None:
        return None
    return {
        "ocrb": [ln.text for ln in mrz.read.lines],
        "tesseract_ran": mrz.tesseract_ran,
        "tesseract": mrz.tesseract_lines,
        "min_confidence": None if mrz.fused is None else round(mrz.fused.min_confidence, 3),
        "orientation_flipped": mrz.read.reversed,
        "light_flattened": mrz.light_flattened,
        "deblurred": None
        if mrz.deblurred is None
        else {"length_px": mrz.deblurred[0], "angle_deg": mrz.deblurred[1]},
    }


def scan_image(
    path: str | Path,
    settings: Settings,
    options: ScanOptions | None = None,
    stages: Sequence[Stage] = DEFAULT_STAGES,
    *,
    image: LoadedImage | None = None,
) -> ScanReport:
    """Run every stage on one image file. A file we cannot read gives an error report.

    ``image``: pixels already in memory (a page cut from a booklet spread or PDF); the
    load stage is then skipped and ``path`` only names the image in the report.
    """
    ctx = ScanContext(path=Path(path), settings=settings, options=options or ScanOptions())
    if image is not None:
        ctx.image = image
        stages = [
            ("load", preloaded_stage),
            *((name, stage) for name, stage in stages if stage is not load_stage),
        ]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    error: str | None = None
    for name, stage in stages:
        t0 = time.perf_counter()
        try:
            stage(ctx)
        except InputFileError as exc:
            error = str(exc)
            break
        except MissingDependencyError:
            raise  # a broken installation: no image can be screened, stop (exit 4)
        except Exception as exc:  # one image must never end the run
            # A bug or an input no stage foresaw: this image's error row, with the stage
            # and the exception, and the next image is still screened.
            error = f"{path}: internal error in stage {name!r} ({type(exc).__name__}: {exc})"
            break
        finally:
            timings[f"{name}_ms"] = (time.perf_counter() - t0) * 1000.0
    elapsed = (time.perf_counter() - started) * 1000.0
    mrz = ctx.mrz
    region = None
    if mrz is not None and mrz.read is not None:
        region = {"box": list(mrz.region or ()), "quad": mrz.quad}
    return ScanReport(
        file=str(path),
        verdict=None if error else derive_verdict(ctx.findings),
        document=_document(ctx),
        findings=ctx.findings,
        elapsed_ms=elapsed,
        timings=timings,
        mrz_region=region,
        quality=ctx.quality.to_dict() if ctx.quality else None,
        engines=_engines(ctx),
        data=ctx.data,
        error=error,
    )
