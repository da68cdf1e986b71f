"""``POST /api/scan``: the ``scan --json`` object of one uploaded image (multipart field
``file``), for tools holding an API token (``Authorization: Bearer TOKEN``)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from screening.web.guard import Ctx
from screening.web.responses import StationJSON, error
from screening.web.screener import booklet_screener
from screening.web.views.screen import record_booklet, record_pages, uploads_from


async def api_scan(request: Request, ctx: Ctx) -> Response:
    uploads = await uploads_from(request, ctx)
    if isinstance(uploads, Response):
        return uploads
    if len(uploads) != 1:
        return error(request, 400, "POST /api/scan takes one image in the field 'file'")
    screener = ctx.runtime.screener_ready()
    result = await run_in_threadpool(screener.screen_page, uploads[0])
    data = record_pages(ctx, [result], via="api")
    report = result.report
    if report.get("error"):
        return error(request, 422, str(report["error"]), code="unreadable_image")
    return StationJSON({**report, "screening_ref": data["ref"]})


async def api_booklet(request: Request, ctx: Ctx) -> Response:
    """``POST /api/booklet``: the ``booklet --json`` object of the uploaded pages
    (multipart ``file``, several, in page order; or one PDF / multi-page TIFF)."""
    uploads = await uploads_from(request, ctx)
    if isinstance(uploads, Response):
        return uploads
    if booklet_screener() is None:
        return error(request, 503, "booklet screening (screening.booklet) is not installed")
    screener = ctx.runtime.screener_ready()
    result = await run_in_threadpool(screener.screen_booklet, uploads)
    data = record_booklet(ctx, result, via="api")
    if result.report.get("error"):
        return error(request, 422, str(result.report["error"]), code="unreadable_image")
    return StationJSON({**result.report, "screening_ref": data["ref"]})
