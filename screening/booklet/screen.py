"""Screen a whole booklet: the stages in order, each timed.

    pages (read, split at the fold) -> data page (scan: MRZ, lists, edition)
      -> page text (page and passport numbers) -> sequence -> stubs -> stamps (find, read)
      -> paper (tint, pattern) -> substituted pages -> route -> findings

``screen_booklet(session, path)`` is the one entry point; the CLI and ``batch`` use it.
An input that cannot be read at all gives a report with ``error``; a single bad image
inside a folder is a finding and the rest is screened.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from screening.booklet import integrity, rules
from screening.booklet.gazetteer import load_gazetteer
from screening.booklet.geometry import PageCut, mrz_band, split_pages
from screening.booklet.pages import SourceError, read_booklet
from screening.booklet.pagetext import PageText, read_page_texts
from screening.booklet.paper import paper_features
from screening.booklet.report import BookletReport, PageRecord
from screening.booklet.route import Event, check_route
from screening.booklet.sequence import analyse
from screening.booklet.stampread import read_stamps
from screening.booklet.stamps import PageInk, StampBlob, find_stamps, page_ink
from screening.booklet.stubs import find_stub, repeated_edges
from screening.documents.registry import load_registry
from screening.errors import InputFileError
from screening.findings import Finding, make_finding
from screening.imaging.load import LoadedImage
from screening.session import ScreeningSession

COVER_MAX_LIGHTNESS = 110  # median grey of a cover: dark board, not paper
FONT_MIN_CONFIDENCE = 70.0
NEAR_PAGES = 2


@dataclass(slots=True)
class _Page:
    record: PageRecord
    cut: PageCut
    gray: np.ndarray
    path: Path | None  # the image file, when it holds this page alone
    blobs: list[StampBlob] | None = None
    ink: PageInk | None = None


@contextmanager
def _timed(timings: dict[str, float], name: str):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings[f"{name}_ms"] = timings.get(f"{name}_ms", 0.0) + (time.perf_counter() - t0) * 1000


def screen_booklet(session: ScreeningSession, path: str | Path) -> BookletReport:
    """Screen the booklet at ``path`` (folder, multi-page TIFF or PDF)."""
    started = time.perf_counter()
    report = BookletReport(file=str(path))
    timings = report.timings
    try:
        with _timed(timings, "load"):
            items = read_booklet(path)
    except InputFileError as error:
        report.error = str(error)
        report.elapsed_ms = (time.perf_counter() - started) * 1000
        return report.finish()
    pages: list[_Page] = []
    spreads: list[tuple[int, int, np.ndarray]] = []
    data_found = False
    with _timed(timings, "split"):
        for item in items:
            if isinstance(item, SourceError):
                report.findings.append(
                    make_finding(
                        "BOOKLET_IMAGE_UNREADABLE",
                        f"{item.source}: {item.error}",
                        source=item.source,
                        source_index=item.index,
                    )
                )
                continue
            split = split_pages(item.bgr, mrz_possible=not data_found)
            first = len(pages)
            for cut in split.pages:
                record = PageRecord(len(pages), item.source, item.index, cut.side, cut.region)
                gray = cv2.cvtColor(cut.bgr, cv2.COLOR_BGR2GRAY)
                alone = item.path if len(split.pages) == 1 else None
                page = _Page(record, cut, gray, alone)
                pages.append(page)
                if float(np.median(gray)) < COVER_MAX_LIGHTNESS:
                    record.kind = "cover"
                elif not data_found and mrz_band(gray) is not None:
                    # The first page with an MRZ is the data page (a booklet has one).
                    record.kind = "data"
                    data_found = True
            if split.fold_band is not None and len(split.pages) == 2:
                spreads.append((first, first + 1, split.fold_band))
        if not data_found:
            # A data page photographed a quarter turned (a phone held the other way) shows
            # its MRZ lines upright in no page: looked for only when no page had one.
            turned = (p for p in pages if p.record.kind != "cover" and len(p.gray))
            found = next((p for p in turned if mrz_band(p.gray, angle=90.0) is not None), None)
            if found is not None:
                found.record.kind = "data"
    data = _data_page(session, report, pages)
    edition = _edition(report)
    inner = [p for p in pages if p.record.kind not in ("cover", "data")]
    with _timed(timings, "page_text"):
        texts = read_page_texts(
            [p.gray for p in inner], max_page=(edition or {}).get("page_count") or 64
        )
    for page, text in zip(inner, texts, strict=True):
        page.record.number = text.page_number
        page.record.number_read = text.page_number is not None
        page.record.number_confidence = text.page_number_confidence
        page.record.passport_number = text.passport_number
    numbered = [p for p in pages if p.record.kind != "cover"]
    image_ids = {key: k for k, key in enumerate(dict.fromkeys(_image_key(p) for p in numbered))}
    seq = analyse(
        [p.record.number if p.record.kind != "data" else None for p in numbered],
        [p.record.number_confidence for p in numbered],
        (edition or {}).get("page_count"),
        sides=[p.record.side for p in numbered],
        images=[image_ids[_image_key(p)] for p in numbered],
        pages_seen=sum(p.record.kind == "data" or p.record.number_read for p in numbered),
    )
    for page, number, inferred in zip(numbered, seq.numbers, seq.inferred, strict=True):
        page.record.number = number
        page.record.number_read = page.record.number_read and not inferred and number is not None
    report.findings += rules.sequence_findings(
        seq, [p.record for p in numbered], (edition or {}).get("page_count")
    )
    missing = seq.missing
    missing_count = sum(g.count for g in seq.gaps if g.interior)
    with _timed(timings, "stubs"):
        stubs = [find_stub(band) for _, _, band in spreads]
        binding = repeated_edges(stubs)
        for k, ((left, right, _), evidence) in enumerate(zip(spreads, stubs, strict=True)):
            if evidence is not None and evidence.found and k not in binding:
                report.findings.append(
                    rules.stub_finding(
                        pages[left].record,
                        pages[right].record,
                        evidence.side,
                        evidence.score,
                        evidence.distance_mm,
                    )
                )
    stamp_items = _stamps(report, inner, timings, session.settings.today)
    _substitution(report, inner, texts, data, edition, timings)
    _route(report, stamp_items, data, missing, missing_count, session, timings)
    report.pages = [p.record for p in pages]
    if data is None:
        report.findings.append(
            make_finding(
                "BOOKLET_DATA_PAGE_NOT_FOUND",
                "No page with a machine-readable zone was found: the pages cannot be checked "
                "against the document.",
            )
        )
    elif edition is None or not edition.get("page_count"):
        report.findings.append(
            make_finding(
                "BOOKLET_EDITION_UNKNOWN",
                "The edition was not identified: the page count is unknown, only gaps inside the "
                "numbering are checked.",
            )
        )
    report.elapsed_ms = (time.perf_counter() - started) * 1000
    return report.finish()


def _image_key(page: _Page) -> tuple[str, int]:
    return page.record.source, page.record.source_index


def _data_page(
    session: ScreeningSession, report: BookletReport, pages: list[_Page]
) -> _Page | None:
    """The data page found while splitting, screened by ``scan`` through the session."""
    found = next((p for p in pages if p.record.kind == "data"), None)
    if found is None:
        return None
    report.data_page = found.record.index
    with _timed(report.timings, "scan"):
        if found.path is not None:
            scan = session.scan(found.path, record=False)
        else:
            name = f"{found.record.source}#{found.record.source_index + 1}:{found.record.side}"
            image = LoadedImage(Path(name), found.cut.bgr, found.gray, 0)
            scan = session.scan(name, image=image, record=False)
    report.document = scan.document
    report.lists = scan.data.get("lists")
    for key, value in scan.timings.items():
        report.timings[f"scan_{key}"] = value
    for finding in scan.findings:
        report.findings.append(
            Finding(
                finding.code, finding.severity, finding.message, _with_page(finding, found.record)
            )
        )
    if scan.document is None and "edition" in scan.data:
        report.edition = {"identified": scan.data["edition"]}
    return found


def _with_page(finding: Finding, record: PageRecord) -> Any:
    from dataclasses import replace

    extra = dict(finding.evidence.extra, page_index=record.index, source=record.source)
    if record.number is not None:
        extra["page"] = record.number
    return replace(finding.evidence, extra=extra)


def _edition(report: BookletReport) -> dict[str, Any] | None:
    """Booklet facts of the data page's edition from the registry (None: unknown)."""
    identified = (report.document or {}).get("edition") or {}
    edition_id = identified.get("id")
    if not edition_id:
        return report.edition
    try:
        edition = load_registry().get(edition_id)
    except KeyError:
        return report.edition
    report.edition = {
        "id": edition.id,
        "name": edition.name,
        "page_count": edition.page_count,
        "number_on_every_page": edition.number_on_every_page,
        "number_pattern": edition.number_pattern,
        "provenance": {
            k: edition.provenance.get(k) for k in ("page_count", "number_on_every_page")
        },
    }
    return report.edition


def _stamps(
    report: BookletReport, inner: list[_Page], timings: dict[str, float], today: Any
) -> list[tuple[_Page, StampBlob, int]]:
    items: list[tuple[_Page, StampBlob, int]] = []
    with _timed(timings, "stamps_find"):
        for page in inner:
            page.ink = page_ink(page.cut.bgr)
            blobs = find_stamps(page.cut.bgr, ink_map=page.ink)
            page.blobs = blobs
            page.record.stamps = len(blobs)
            page.record.kind = "stamps" if blobs else "blank"
            items += [(page, blob, len(items) + k) for k, blob in enumerate(blobs)]
    gazetteer = load_gazetteer()
    with _timed(timings, "stamps_read"):
        readings = read_stamps([(p.cut.bgr, b) for p, b, _ in items], gazetteer, today)
    for (page, blob, index), reading in zip(items, readings, strict=True):
        match = reading.checkpoint
        report.stamps.append(
            {
                "id": index,
                "page": page.record.number,
                "page_index": page.record.index,
                "source": page.record.source,
                "source_index": page.record.source_index,
                "region": list(page.cut.to_source(blob.box)),
                "shape": blob.shape,
                "colour": blob.colour,
                "checkpoint": match.point.names[0] if match else None,
                "country": match.point.country if match else None,
                "gazetteer": dict(match.point.to_dict(), score=round(match.score, 2))
                if match
                else None,
                "date": reading.date.isoformat() if reading.date else None,
                "direction": reading.direction,
                "confidence": round(reading.confidence, 2),
                "upside_down": reading.flipped,
                "text": reading.text,
            }
        )
    return items


def _substitution(
    report: BookletReport,
    inner: list[_Page],
    texts: list[PageText],
    data: _Page | None,
    edition: dict[str, Any] | None,
    timings: dict[str, float],
) -> None:
    fields = (report.document or {}).get("fields") or {}
    expected = str(fields.get("document_number") or "").replace("<", "") or None
    check_number = bool(edition and edition.get("number_on_every_page") and expected)
    pattern = re.compile((edition or {}).get("number_pattern", ".*").strip("^$"))

    def number_on(text: PageText) -> str | None:
        """The passport number read on a page, when it has the edition's number form (a
        date or an officer's number in the margin is not one)."""
        read = text.passport_number
        return read if check_number and read and pattern.fullmatch(read) else None

    with _timed(timings, "paper"):
        evidence = [
            integrity.PageEvidence(
                index=p.record.index,
                number=p.record.number,
                passport_number=number_on(t),
                passport_confidence=t.passport_number_confidence,
                paper=paper_features(p.cut.bgr, p.ink),
                font=_clean_font(p, t),
            )
            for p, t in zip(inner, texts, strict=True)
        ]
        verdicts = integrity.judge(evidence, expected if check_number else None)
    by_index = {p.record.index: p.record for p in inner}
    numbers = {p.record.index: p.record.number for p in inner}
    mismatches = [
        (by_index[v.index], v.number_mismatch, expected)
        for v in verdicts
        if v.number_mismatch and expected
    ]
    flagged = {v.index for v in verdicts if v.number_mismatch}
    foreign = [
        (by_index[v.index], v)
        for v in integrity.foreign_pages(verdicts, numbers)
        if v.index not in flagged
    ]
    report.findings += rules.substitution_findings(mismatches, foreign)  # type: ignore[arg-type]


def _clean_font(page: _Page, text: PageText) -> dict[str, float]:
    """The page number's glyph measures, when they measure the number alone: read surely
    and not touched by a stamp."""
    box = text.page_number_box
    if not text.font or box is None or text.page_number_confidence < FONT_MIN_CONFIDENCE:
        return {}
    x, y, w, h = box
    for blob in page.blobs or []:
        bx, by, bw, bh = blob.box
        if bx < x + w + 8 and x < bx + bw + 8 and by < y + h + 8 and y < by + bh + 8:
            return {}
    return text.font


def _route(
    report: BookletReport,
    items: list[tuple[_Page, StampBlob, int]],
    data: _Page | None,
    missing: list[int],
    missing_count: int,
    session: ScreeningSession,
    timings: dict[str, float],
) -> None:
    import datetime as dt

    gazetteer = load_gazetteer()
    events, unread = [], []
    for stamp in report.stamps:
        point = gazetteer.get(stamp["gazetteer"]["id"]) if stamp["gazetteer"] else None
        if stamp["date"] and stamp["direction"] and point is not None:
            events.append(
                Event(
                    stamp["id"],
                    dt.date.fromisoformat(stamp["date"]),
                    stamp["direction"],
                    point.country,
                    point.id,
                    point.pair,
                    stamp["page"],
                    point.kind,
                )
            )
        else:
            unread.append(stamp)
    fields = (report.document or {}).get("fields") or {}
    home = fields.get("issuing_country")
    issued = _issue_date(report)
    with _timed(timings, "route"):
        breaks = check_route(events, home=home, issued=issued, today=session.settings.today)
    report.route = {
        "events": [
            e.to_dict() for e in sorted(events, key=lambda e: (e.date, e.page or 0, e.index))
        ],
        "breaks": [
            {
                "kind": b.kind,
                "reason": b.reason,
                "stamps": [e.index for e in b.events],
                "pages": b.pages(),
            }
            for b in breaks
        ],
        "stamps_unread": [s["id"] for s in unread],
        "home": home,
    }
    if unread:
        report.findings.append(
            make_finding(
                "BOOKLET_STAMPS_UNREAD",
                f"{len(unread)} of {len(report.stamps)} stamp(s) could not be read fully; "
                "the route leaves them out.",
                pages=sorted({s["page"] for s in unread if s["page"] is not None}),
                stamps=[s["id"] for s in unread],
            )
        )

    # A break that an unread stamp could close is not reported. A stamp with a date can
    # close the breaks around its date; one without, the breaks whose stamps lie within
    # NEAR_PAGES of it (the two stamps of one crossing are pressed side by side).
    def explained(brk: Any) -> bool:
        if brk.kind == "dates_out_of_order":
            return False
        lo, hi = brk.between
        pages_near = [e.page for e in brk.events if e.page is not None]
        for stamp in unread:
            if stamp["date"] is None:
                if stamp["page"] is None or not pages_near:
                    return True
                if any(abs(stamp["page"] - p) <= NEAR_PAGES for p in pages_near):
                    return True
                continue
            day = dt.date.fromisoformat(stamp["date"])
            if (lo is None or day >= lo) and (hi is None or day <= hi):
                return True
        return False

    report.findings += rules.route_findings(
        [b for b in breaks if not explained(b)], missing, missing_count
    )


def _issue_date(report: BookletReport) -> Any:
    """Issue date estimated from the expiry and the edition's validity (MRZ has none)."""
    import datetime as dt

    fields = (report.document or {}).get("fields") or {}
    expiry = fields.get("expiry_date")
    edition_id = ((report.document or {}).get("edition") or {}).get("id")
    if not expiry or not edition_id:
        return None
    try:
        edition = load_registry().get(edition_id)
        end = dt.date.fromisoformat(expiry)
    except (KeyError, ValueError):
        return None
    try:
        return end.replace(year=end.year - edition.validity_years) - dt.timedelta(days=1)
    except ValueError:
        return None
