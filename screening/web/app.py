"""The station's app factory: routes with their permissions, middleware, error pages."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from importlib import resources

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from screening.errors import BadArgumentsError, InputFileError, ScreeningError
from screening.web import history
from screening.web.guard import ANY, PUBLIC, View, guarded, prepare_request
from screening.web.middleware import BodyLimit, JsonSuffix, SecurityHeaders, TrustedHosts
from screening.web.responses import error
from screening.web.runtime import StationRuntime
from screening.web.views import admin, api, auth_views, records, screen, trainer

log = logging.getLogger("screening.web")

# (path, view, methods, permission): the whole surface of the station. Tests walk this
# table (every route refuses anonymous requests; roles reach only their routes).
ROUTES: tuple[tuple[str, View, tuple[str, ...], str], ...] = (
    ("/login", auth_views.login_form, ("GET",), PUBLIC),
    ("/login", auth_views.login_submit, ("POST",), PUBLIC),
    ("/logout", auth_views.logout, ("POST",), ANY),
    ("/", screen.home, ("GET",), ANY),
    ("/screen", screen.screen_submit, ("POST",), "screen"),
    ("/screenings/{ref}", screen.screening_view, ("GET",), "history.station"),
    ("/history", records.history_view, ("GET",), "history.station"),
    ("/checklists/{name}", records.checklist_view, ("GET",), "checklists"),
    ("/lists", records.lists_view, ("GET",), "lists.status"),
    ("/indicators", records.indicators_view, ("GET",), "indicators"),
    ("/audit", records.audit_view, ("GET",), "audit.view"),
    ("/specimens", trainer.specimens_view, ("GET",), "specimens"),
    ("/specimens/{name}", trainer.specimen_image, ("GET",), "specimens"),
    ("/gallery", trainer.gallery_view, ("GET",), "gallery"),
    ("/admin/accounts", admin.accounts_view, ("GET",), "accounts"),
    ("/admin/accounts", admin.account_add, ("POST",), "accounts"),
    ("/admin/accounts/{name}/{action}", admin.account_change, ("POST",), "accounts"),
    ("/admin/lists", admin.lists_admin_view, ("GET",), "lists.import"),
    ("/admin/lists", admin.lists_import, ("POST",), "lists.import"),
    ("/api/scan", api.api_scan, ("POST",), "screen"),
    ("/api/booklet", api.api_booklet, ("POST",), "screen"),
    ("/api/history", records.history_view, ("GET",), "history.station"),
)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    prepare_request(request, None)
    return error(request, exc.status_code, str(exc.detail), headers=exc.headers)


# Typed library errors that reach a view: the station says what failed, with a status
# the client can act on, instead of a bare 500.
_STATUS_OF_ERROR: tuple[tuple[type[ScreeningError], int], ...] = (
    (BadArgumentsError, 400),
    (InputFileError, 422),
    (ScreeningError, 503),  # list store, station database, missing Tesseract or model
)


async def _screening_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ScreeningError)
    status = next(code for kind, code in _STATUS_OF_ERROR if isinstance(exc, kind))
    log.warning("%s on %s: %s", type(exc).__name__, request.url.path, exc)
    prepare_request(request, None)
    return error(request, status, exc.message)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    prepare_request(request, None)
    return error(request, 500, "Internal error: the screening station could not answer.")


def create_app(runtime: StationRuntime) -> Starlette:
    """The ASGI app over an opened :class:`StationRuntime` (closed at shutdown)."""
    static = StaticFiles(directory=str(resources.files("screening.web").joinpath("static")))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        history.purge_expired(runtime.db, runtime.clock())
        warming = threading.Thread(target=_warm_up, args=(runtime,), daemon=True)
        if runtime.config.warm_up:
            warming.start()
        try:
            yield
        finally:
            if warming.is_alive():  # do not close the session under a running scan
                warming.join(timeout=60)
            runtime.close()

    app = Starlette(
        routes=[
            *(
                Route(path, guarded(view, permission), methods=list(methods))
                for path, view, methods, permission in ROUTES
            ),
            Mount("/static", app=static, name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(TrustedHosts, allowed=runtime.config.allowed_hosts),
            Middleware(BodyLimit, limit=runtime.config.max_request_bytes),
            Middleware(JsonSuffix),
        ],
        exception_handlers={
            HTTPException: _http_error,
            ScreeningError: _screening_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.station = runtime
    return app


def _warm_up(runtime: StationRuntime) -> None:
    """Open the screening session and load the models before the first officer waits."""
    from screening.web.views.trainer import SAMPLES

    try:
        runtime.screener_ready().warm_up(SAMPLES / "td3-kgz-clean.png")
    except Exception:  # a failed warm-up only means a slower first screening
        log.exception("warm-up failed")
