"""History of screenings, the legacy-document checklist, list status and the audit
trail: the station's records, read-only."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from screening.db import redact_url
from screening.documents.registry import load_registry
from screening.errors import ListStoreError
from screening.findings import Verdict, catalog
from screening.lists.store import open_store
from screening.web import history
from screening.web.guard import Ctx
from screening.web.responses import error, page
from screening.web.result import CHECKLIST_CODES
from screening.web.roles import may


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def history_query(request: Request, ctx: Ctx) -> history.HistoryQuery | str:
    params = request.query_params
    every_station = may(ctx.account.role, "history.all") and params.get("station") != "this"
    verdict = params.get("verdict") or None
    if verdict and verdict not in {v.value for v in Verdict}:
        return f"verdict must be one of: {', '.join(v.value for v in Verdict)}"
    code = (params.get("code") or "").strip().upper() or None
    if code and code not in catalog():
        return f"unknown finding code {code!r}"
    for name in ("from", "to"):
        if params.get(name) and _date(params.get(name)) is None:
            return f"'{name}' must be a date as YYYY-MM-DD"
    try:
        offset = max(0, int(params.get("offset") or 0))
    except ValueError:
        return "'offset' must be a number"
    return history.HistoryQuery(
        station=None if every_station else ctx.runtime.config.station,
        date_from=_date(params.get("from")),
        date_to=_date(params.get("to")),
        verdict=verdict,
        code=code,
        limit=100,
        offset=offset,
    )


async def history_view(request: Request, ctx: Ctx) -> Response:
    query = history_query(request, ctx)
    if isinstance(query, str):
        return error(request, 400, query)
    rows = history.search(ctx.runtime.db, query)
    data = {
        "station": ctx.runtime.config.station,
        "all_stations": query.station is None,
        "filters": {
            "from": query.date_from,
            "to": query.date_to,
            "verdict": query.verdict,
            "code": query.code,
            "offset": query.offset,
        },
        "codes": sorted(catalog()),
        "screenings": rows,
        "more": len(rows) == query.limit,
    }
    return page(request, "history.html", data)


async def checklist_view(request: Request, ctx: Ctx) -> Response:
    name = request.path_params.get("name", "legacy")
    items = load_registry().checklists.get(name)
    if not items:
        return error(request, 404, ctx.labels["errors.not_found"])
    translated = ctx.labels[f"checklists.{name}"]
    if isinstance(translated, list) and len(translated) == len(items):
        items = tuple(translated)
    data = {"checklist": name, "items": list(items), "codes": _codes_for(name)}
    return page(request, "checklist.html", data)


def _codes_for(name: str) -> list[str]:
    return list(CHECKLIST_CODES.get(name, ()))


def list_status(ctx: Ctx) -> dict[str, Any]:
    runtime = ctx.runtime
    url = runtime.config.settings.resolved_lists_url()
    data: dict[str, Any] = {"store": _redacted(url), "checked": runtime.config.check_lists}
    try:
        store = open_store(url, create=False)
    except ListStoreError as problem:
        return {**data, "available": False, "problem": problem.message, "versions": []}
    try:
        versions = store.versions()
        mode = store.mode()[0]
    finally:
        store.close()
    return {
        **data,
        "available": True,
        "mode": mode,
        "active_version": next((v.id for v in versions if v.state == "active"), None),
        "versions": [v.to_dict() for v in reversed(versions)],
    }


def _redacted(url: str) -> str:
    return redact_url(url)


async def lists_view(request: Request, ctx: Ctx) -> Response:
    return page(request, "lists.html", list_status(ctx))


def indicators_data(ctx: Ctx, start: date, end: date) -> dict[str, Any]:
    """The indicators report data (issue #13: ``screening.indicators``) for a window, or
    why it is not available. Imported here only: the station runs without it."""
    try:
        from screening.indicators.config import RecordingConfig
        from screening.indicators.report_data import build_report
        from screening.indicators.store import open_event_store
    except ImportError:  # installed, but not (yet) with these functions
        return {"available": False, "reason": ctx.labels["indicators.no_interface"]}
    settings = ctx.runtime.config.settings
    url = RecordingConfig.resolve(settings).events_url
    with open_event_store(url) as store:
        report = build_report(store, start, end)
    return {"available": True, "reason": None, "report": report}


async def indicators_view(request: Request, ctx: Ctx) -> Response:
    """Smuggling indicators for supervisors: corridors strongest first, detections by
    checkpoint and month (default window: the last 365 days)."""
    today = ctx.runtime.clock().date()
    start = _date(request.query_params.get("from")) or today - timedelta(days=364)
    end = _date(request.query_params.get("to")) or today
    if importlib.util.find_spec("screening.indicators") is None:
        data: dict[str, Any] = {"available": False, "reason": ctx.labels["indicators.missing"]}
    else:
        data = indicators_data(ctx, start, end)
    data["window"] = {"from": start, "to": end}
    return page(request, "indicators.html", data)


async def audit_view(request: Request, ctx: Ctx) -> Response:
    audit = ctx.runtime.audit
    action = request.query_params.get("action") or None
    actor = request.query_params.get("actor") or None
    entries = list(audit.entries(action=action, actor=actor, limit=200, newest_first=True))
    check = audit.verify()
    data = {
        "verification": check.to_dict(),
        "filters": {"action": action, "actor": actor},
        "entries": [e.to_dict() for e in entries],
    }
    return page(request, "audit.html", data)
