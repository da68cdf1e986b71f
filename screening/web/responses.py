"""Every view is data, rendered as HTML (Jinja2) or JSON (``Accept: application/json``,
a ``.json`` suffix, or any ``/api/`` path), with one JSON error shape::

    {"error": {"status": 403, "code": "forbidden", "message": "..."}}
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from screening.web.i18n import Labels

ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "too_large",
    422: "unprocessable",
    429: "too_many_attempts",
    500: "internal_error",
    503: "unavailable",
}


def wants_json(request: Request) -> bool:
    if request.scope.get("state", {}).get("want_json") or request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return None
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class StationJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_default).encode("utf-8")


@cache
def environment() -> jinja2.Environment:
    root = resources.files("screening.web").joinpath("templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def page(request: Request, template: str, data: dict[str, Any], *, status: int = 200) -> Response:
    """``data`` as JSON, or the template rendered with it."""
    if wants_json(request):
        return StationJSON(data, status_code=status)
    state = request.scope.get("state", {})
    context = {
        "request": request,
        "data": data,
        "labels": state.get("labels") or Labels("en"),
        "lang": state.get("lang", "en"),
        "user": state.get("account"),
        "csrf": state.get("csrf", ""),
        "nav": state.get("nav", []),
        "path": request.url.path,
    }
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status)


def error_payload(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code or ERROR_CODES.get(status, "error"),
            "message": message,
        }
    }


def error(
    request: Request,
    status: int,
    message: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = page(request, "error.html", error_payload(status, message, code), status=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
