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
from screening.web.result import page_data, screening_data
from screening.web.roles import may
from screening.web.screener import PageResult, Upload
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


def record(ctx: Ctx, pages: list[PageResult], *, via: str, uploads: list[Upload]) -> dict[str, Any]:
    """History row, audit entry and the result data (with personal data) of a screening."""
    runtime, config = ctx.runtime, ctx.runtime.config
    ref, now = history.new_ref(), runtime.clock()
    # Retention is enforced as the station works: what has passed its date goes now.
    history.purge_expired(runtime.db, now)
    purge_sessions(runtime.db, now)
    summary = history.summary_of([p.report for p in pages], runtime.history_key)
    keep_until = now + timedelta(days=config.keep_days) if config.keep_days > 0 else None
    retained_image = uploads[0].data if keep_until and len(uploads) == 1 else None
    history.record_screening(
        runtime.db,
        ref=ref,
        when=now,
        station=config.station,
        actor=ctx.account.name,
        summary=summary,
        keep_until=keep_until,
        report=_kept(pages) if keep_until else None,
        image=pages[0].display_jpeg if retained_image else None,
        image_type="image/jpeg" if retained_image else None,
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
    meta = {
        "ref": ref,
        "time": now.isoformat(timespec="seconds"),
        "station": config.station,
        "officer": ctx.account.name,
        "retained_until": keep_until.isoformat(timespec="seconds") if keep_until else None,
    }
    return screening_data(pages, meta, ctx.labels.lang)


async def screen_submit(request: Request, ctx: Ctx) -> Response:
    uploads = await uploads_from(request, ctx)
    if isinstance(uploads, Response):
        return uploads
    pages = await run_in_threadpool(_screen, ctx, uploads)
    data = record(ctx, pages, via="web", uploads=uploads)
    if wants_json(request):
        return page(request, "result.html", data)
    images = [_data_uri(p.display_jpeg) for p in pages]
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
    if kept is not None:
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
