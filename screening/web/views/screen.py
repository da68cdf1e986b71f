"""Screen a document (upload, drag or camera) and show the result once."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from screening.web import history
from screening.web.guard import Ctx
from screening.web.responses import error, page, wants_json
from screening.web.result import booklet_data, page_data, screening_data
from screening.web.roles import may
from screening.web.screener import (
    BookletResult,
    BookletSource,
    PageResult,
    Upload,
    booklet_screener,
    is_booklet_container,
)
from screening.web.sessions import purge_sessions


async def home(request: Request, ctx: Ctx) -> Response:
    if not may(ctx.account.role, "screen"):
        nav = request.scope["state"].get("nav") or [("/checklists/legacy", "")]
        return RedirectResponse(nav[0][0], status_code=303)
    config = ctx.runtime.config
    data = {
        "station": config.station,
        "max_pages": config.max_pages,
        "max_upload_mb": config.max_upload_bytes // (1024 * 1024),
        "keep_days": config.keep_days,
        "lists_checked": config.check_lists,
    }
    return page(request, "screen.html", data)


async def uploads_from(request: Request, ctx: Ctx) -> list[Upload] | Response:
    """The uploaded pages (form field ``file``, one or several), within the limits."""
    config = ctx.runtime.config
    files = [f for f in (ctx.form.getlist("file") if ctx.form else []) if isinstance(f, UploadFile)]
    files = [f for f in files if f.filename or (f.size or 0) > 0]
    if not files:
        return error(request, 400, ctx.labels["errors.no_file"])
    if len(files) > config.max_pages:
        return error(request, 413, ctx.labels["errors.too_many"].format(limit=config.max_pages))
    uploads = []
    for upload in files:
        data = await upload.read(config.max_upload_bytes + 1)
        if len(data) > config.max_upload_bytes:
            limit = config.max_upload_bytes // (1024 * 1024)
            return error(request, 413, ctx.labels["errors.too_big"].format(limit=limit))
        await upload.close()
        uploads.append(Upload(upload.filename or "upload", data))
    return uploads


def _screen(ctx: Ctx, uploads: list[Upload]) -> list[PageResult]:
    screener = ctx.runtime.screener_ready()
    return [screener.screen_page(upload) for upload in uploads]


def record(
    ctx: Ctx,
    reports: list[dict[str, Any]],
    *,
    via: str,
    kept: dict[str, Any],
    image: bytes | None = None,
    pages: int | None = None,
) -> dict[str, Any]:
    """The history row and audit entry of a screening; returns the result's header.
    ``kept`` (and ``image``) are stored only when a retention period is configured."""
    runtime, config = ctx.runtime, ctx.runtime.config
    ref, now = history.new_ref(), runtime.clock()
    # Retention is enforced as the station works: what has passed its date goes now.
    history.purge_expired(runtime.db, now)
    purge_sessions(runtime.db, now)
    summary = history.summary_of(reports, runtime.history_key)
    if pages is not None:
        summary["pages"] = pages
    keep_until = now + timedelta(days=config.keep_days) if config.keep_days > 0 else None
    history.record_screening(
        runtime.db,
        ref=ref,
        when=now,
        station=config.station,
        actor=ctx.account.name,
        summary=summary,
        keep_until=keep_until,
        report=kept if keep_until else None,
        image=image if keep_until else None,
        image_type="image/jpeg" if keep_until and image else None,
    )
    runtime.audit.append(
        ctx.account.name,
        "screen",
        {
            "ref": ref,
            "via": via,
            "station": config.station,
            "verdict": summary["verdict"],
            "codes": summary["codes"],
            "pages": summary["pages"],
            "list_versions": summary["list_versions"],
        },
    )
    return {
        "ref": ref,
        "time": now.isoformat(timespec="seconds"),
        "station": config.station,
        "officer": ctx.account.name,
        "retained_until": keep_until.isoformat(timespec="seconds") if keep_until else None,
    }


def record_pages(ctx: Ctx, pages: list[PageResult], *, via: str) -> dict[str, Any]:
    image = pages[0].display_jpeg if len(pages) == 1 else None
    meta = record(ctx, [p.report for p in pages], via=via, kept=_kept(pages), image=image)
    return screening_data(pages, meta, ctx.labels.lang)


def record_booklet(ctx: Ctx, result: BookletResult, *, via: str) -> dict[str, Any]:
    report = result.report
    kept = {"booklet": report, "sources": [_source_dict(s) for s in result.sources]}
    meta = record(ctx, [report], via=via, kept=kept, pages=len(report.get("pages") or []))
    return booklet_data(result, meta, ctx.labels.lang)


def _source_dict(source: BookletSource) -> dict[str, Any]:
    return {"name": source.name, "source": source.source, "size": source.size}


def _as_booklet(uploads: list[Upload]) -> bool:
    """Several pages, or one PDF / multi-page TIFF, are a booklet when booklet screening
    is installed; otherwise every page is screened on its own."""
    if booklet_screener() is None:
        return False
    return len(uploads) > 1 or is_booklet_container(uploads[0])


async def screen_submit(request: Request, ctx: Ctx) -> Response:
    uploads = await uploads_from(request, ctx)
    if isinstance(uploads, Response):
        return uploads
    if _as_booklet(uploads):
        screener = ctx.runtime.screener_ready()
        booklet = await run_in_threadpool(screener.screen_booklet, uploads)
        data = record_booklet(ctx, booklet, via="web")
        images = [_data_uri(s.display_jpeg) for s in booklet.sources]
    else:
        pages = await run_in_threadpool(_screen, ctx, uploads)
        data = record_pages(ctx, pages, via="web")
        images = [_data_uri(p.display_jpeg) for p in pages]
    if wants_json(request):
        return page(request, "result.html", data)
    ctx.runtime.results.put(data["ref"], ctx.account.name, (data, images))
    return RedirectResponse(f"/screenings/{data['ref']}", status_code=303)


def _kept(pages: list[PageResult]) -> dict[str, Any]:
    return {
        "pages": [p.report for p in pages],
        "sizes": [list(p.size) if p.size else None for p in pages],
        "photo_boxes": [list(p.photo_box) if p.photo_box else None for p in pages],
    }


def _data_uri(jpeg: bytes | None) -> str | None:
    return None if jpeg is None else "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


async def screening_view(request: Request, ctx: Ctx) -> Response:
    """The full result once, for the officer who screened; afterwards the history record
    (and the kept report and image when a retention period is configured)."""
    ref = request.path_params["ref"]
    fresh = ctx.runtime.results.pop(ref, ctx.account.name)
    if fresh is not None:
        data, images = fresh
        request.scope["state"]["images"] = images
        return page(request, "result.html", data)
    row = history.get(ctx.runtime.db, ref)
    if row is None or not _may_see(ctx, row):
        return error(request, 404, ctx.labels["errors.not_found"])
    kept, image, _ = history.retained(ctx.runtime.db, ref)
    data = {**row, "personal_data": kept is not None}
    if kept is not None and "booklet" in kept:
        sources = [
            BookletSource(s["name"], s["source"], tuple(s["size"]) if s["size"] else None)  # type: ignore[arg-type]
            for s in kept.get("sources", [])
        ]
        data.update(booklet_data(BookletResult(kept["booklet"], sources), {}, ctx.labels.lang))
        data["personal_data"] = True
    elif kept is not None:
        pages = [
            PageResult(r, size=tuple(s) if s else None, photo_box=tuple(b) if b else None)  # type: ignore[arg-type]
            for r, s, b in zip(
                kept.get("pages", []),
                kept.get("sizes", []),
                kept.get("photo_boxes", []),
                strict=False,
            )
        ]
        data["pages"] = [page_data(p, ctx.labels.lang) for p in pages]
        request.scope["state"]["images"] = [_data_uri(image)]
    return page(request, "record.html", data)


def _may_see(ctx: Ctx, row: dict[str, Any]) -> bool:
    role = ctx.account.role
    if may(role, "history.all"):
        return True
    return may(role, "history.station") and row["station"] == ctx.runtime.config.station
