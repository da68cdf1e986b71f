"""Booklet and route findings from what the stages measured. Pure: no pixels, no I/O.

Page-level evidence names the printed page numbers in ``pages`` (or ``page``); where a
page's number is unknown, ``page_index`` gives its place in scan order (0-based), and
``region`` its box in the source image named by ``source``.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq

from screening.booklet.integrity import Verdict
from screening.booklet.report import PageRecord
from screening.booklet.route import Break
from screening.booklet.sequence import Sequence
from screening.findings import Finding, make_finding


def _span(numbers: Seq[int]) -> str:
    numbers = sorted(numbers)
    if not numbers:
        return ""
    parts, start, prev = [], numbers[0], numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def sequence_findings(
    seq: Sequence, pages: list[PageRecord], page_count: int | None
) -> list[Finding]:
    out: list[Finding] = []
    for gap in seq.gaps:
        named = list(gap.missing)
        if gap.interior:
            where = f"between pages {gap.after} and {gap.before}"
            what = (
                f"page{'s' if gap.count > 1 else ''} {_span(named)}"
                if named
                else f"{gap.count} page(s)"
            )
            out.append(
                make_finding(
                    "BOOKLET_PAGES_MISSING",
                    f"{what.capitalize()} missing {where}: the numbering jumps from {gap.after} to "
                    f"{gap.before}.",
                    pages=named,
                    count=gap.count,
                    after=gap.after,
                    before=gap.before,
                    page_index=[gap.after_index, gap.before_index],
                )
            )
        else:
            end = "first" if gap.after is None else "last"
            out.append(
                make_finding(
                    "BOOKLET_PAGES_NOT_SEEN",
                    f"The {end} page(s) {_span(named)} of {page_count or '?'} are not in the scan.",
                    pages=named,
                    count=gap.count,
                    page_count=page_count,
                )
            )
    for after, before, count in seq.uncertain:
        out.append(
            make_finding(
                "BOOKLET_PAGES_UNCERTAIN",
                f"The page numbers read jump from {after} to {before} ({count} page(s) unaccounted "
                "for), but the reads are not sure enough to call them missing.",
                pages=[after, before],
                count=count,
            )
        )
    if seq.duplicates:
        indices = sorted(set(seq.duplicates))
        out.append(
            make_finding(
                "BOOKLET_PAGES_EXTRA",
                f"{len(indices)} page(s) more than the page numbers allow (scan positions "
                f"{', '.join(str(i + 1) for i in indices)}).",
                page_index=indices,
                sources=[pages[i].source for i in indices if i < len(pages)],
            )
        )
    return out


def stub_finding(
    left: PageRecord, right: PageRecord, side: str, score: float, distance_mm: tuple[float, float]
) -> Finding:
    numbers = [n for n in (left.number, right.number) if n is not None]
    names = " and ".join(str(n) for n in numbers) or f"scan {left.source}"
    return make_finding(
        "BOOKLET_TORN_STUB",
        f"A torn stub lies in the fold between pages {names}: a leaf was torn out there.",
        pages=numbers,
        source=left.source,
        side=side,
        score=score,
        distance_from_fold_mm=list(distance_mm),
        page_index=[left.index, right.index],
    )


def substitution_findings(
    number_mismatches: list[tuple[PageRecord, str, str]], foreign: list[tuple[PageRecord, Verdict]]
) -> list[Finding]:
    out = []
    for page, read, expected in number_mismatches:
        label = page.number if page.number is not None else f"at scan position {page.index + 1}"
        out.append(
            make_finding(
                "BOOKLET_PAGE_SUBSTITUTED",
                f"Page {label} carries passport number {read}, the data page {expected}: the page "
                "comes from another booklet.",
                value=read,
                expected=expected,
                region=page.region,
                page=page.number,
                page_index=page.index,
                source=page.source,
            )
        )
    for page, verdict in foreign:
        label = page.number if page.number is not None else f"at scan position {page.index + 1}"
        signs = ", ".join(
            {"tint": "paper tint", "pattern": "background print", "font": "page-number font"}[s]
            for s in verdict.visual
        )
        out.append(
            make_finding(
                "BOOKLET_PAGE_FOREIGN",
                f"Page {label} differs from the other pages in {signs}.",
                region=page.region,
                page=page.number,
                page_index=page.index,
                source=page.source,
                signs=verdict.signs,
            )
        )
    return out


ROUTE_CODES = {
    "exit_without_entry": "ROUTE_EXIT_WITHOUT_ENTRY",
    "entry_without_exit": "ROUTE_ENTRY_WITHOUT_EXIT",
    "dates_out_of_order": "ROUTE_DATES_OUT_OF_ORDER",
}


def route_findings(
    breaks: list[Break], missing_pages: list[int], missing_count: int
) -> list[Finding]:
    """One finding per break; a break in the alternation while pages are missing is the
    stronger ROUTE_GAP_AT_MISSING_PAGES (the closing stamp may have been on them)."""
    out = []
    for brk in breaks:
        stamps = [e.index for e in brk.events]
        between = [d.isoformat() if d else None for d in brk.between]
        if brk.kind != "dates_out_of_order" and missing_count:
            out.append(
                make_finding(
                    "ROUTE_GAP_AT_MISSING_PAGES",
                    f"The route breaks ({brk.reason}) and {missing_count} page(s) "
                    f"{'(' + _span(missing_pages) + ') ' if missing_pages else ''}are missing: the "
                    "stamps that would close it were probably on them.",
                    pages=missing_pages,
                    stamp_pages=brk.pages(),
                    stamps=stamps,
                    between=between,
                    gap=brk.kind,
                )
            )
            continue
        out.append(
            make_finding(
                ROUTE_CODES[brk.kind],
                f"Stamp on page(s) {_span(brk.pages()) or '?'}: {brk.reason}.",
                pages=brk.pages(),
                stamps=stamps,
                between=between,
            )
        )
    return out
