"""Login and logout."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from screening.web import csrf
from screening.web.accounts import authenticate
from screening.web.guard import SESSION_COOKIE, Ctx, form_text, identify, runtime_of
from screening.web.responses import error, page
from screening.web.sessions import end_session, start_session


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(request: Request, ctx: Ctx, *, status: int = 200, problem: str = "") -> Response:
    token, is_new = csrf.login_token(request.cookies)
    data = {"next": _safe_next(request.query_params.get("next")), "problem": problem or None}
    request.scope["state"]["csrf"] = token
    response = page(request, "login.html", data, status=status)
    if is_new:
        response.set_cookie(
            csrf.LOGIN_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=ctx.runtime.config.secure_cookies,
        )
    return response


async def login_form(request: Request, ctx: Ctx) -> Response:
    if identify(request, runtime_of(request)) is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return _login_page(request, ctx)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login_submit(request: Request, ctx: Ctx) -> Response:
    runtime = ctx.runtime
    if not csrf.tokens_match(
        request.cookies.get(csrf.LOGIN_COOKIE), csrf.submitted_token(request.headers, ctx.form)
    ):
        return error(request, 403, ctx.labels["errors.csrf"], code="csrf")
    name = form_text(ctx, "username").lower()
    password = ctx.form.get("password") if ctx.form is not None else None
    keys = (f"account:{name}", f"address:{_client(request)}")
    now = time.monotonic()
    wait = runtime.throttle.retry_after(keys, now)
    if wait:
        runtime.audit.append(
            name or "-", "login_refused", {"address": _client(request), "retry_after": wait}
        )
        return error(
            request,
            429,
            ctx.labels["errors.throttled"].format(seconds=wait),
            headers={"Retry-After": str(wait)},
        )
    account = (
        authenticate(runtime.db, name, password)
        if name and isinstance(password, str) and password
        else None
    )
    if account is None:
        runtime.throttle.failed(keys, now)
        runtime.audit.append(name or "-", "login_failed", {"address": _client(request)})
        return _login_page(request, ctx, status=401, problem=ctx.labels["login.failed"])
    runtime.throttle.succeeded(keys[0])
    raw, _ = start_session(runtime.db, account, runtime.config.sessions, runtime.clock())
    runtime.audit.append(account.name, "login", {"address": _client(request), "via": "web"})
    target = _safe_next(form_text(ctx, "next") or None)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        httponly=True,
        samesite="strict",
        secure=runtime.config.secure_cookies,
        max_age=int(runtime.config.sessions.lifetime.total_seconds()),
    )
    response.delete_cookie(csrf.LOGIN_COOKIE)
    return response


async def logout(request: Request, ctx: Ctx) -> Response:
    assert ctx.principal is not None
    if ctx.principal.session:
        end_session(ctx.runtime.db, ctx.principal.session)
    ctx.runtime.audit.append(ctx.account.name, "logout", {"via": "web"})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
