"""``POST /api/scan``: the ``scan --json`` object of one uploaded image (multipart field
``file``), for tools holding an API token (``Authorization: Bearer TOKEN``)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from screening.web.guard import Ctx
from screening.web.responses import StationJSON, error
from screening.web.views.screen import record, uploads_from


async def api_scan(request: Request, ctx: Ctx) -> Response:
    uploads = await uploads_from(request, ctx)
    if isinstance(uploads, Response):
        return uploads
    if len(uploads) != 1:
        return error(request, 400, "POST /api/scan takes one image in the field 'file'")
    screener = ctx.runtime.screener_ready()
    result = await run_in_threadpool(screener.screen_page, uploads[0])
    data = record(ctx, [result], via="api", uploads=uploads)
    report = result.report
    if report.get("error"):
        return error(request, 422, str(report["error"]), code="unreadable_image")
    return StationJSON({**report, "screening_ref": data["ref"]})
