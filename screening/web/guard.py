"""Who is asking, may they, and is the form theirs: the checks in front of every view.

Each route names its permission (:mod:`screening.web.roles`); :func:`guarded` turns a
view into an endpoint that

- finds the account: a session cookie, or ``Authorization: Bearer TOKEN`` on ``/api/``;
- refuses anonymous requests (HTML: to the login page; JSON: 401) and requests whose
  role lacks the permission (403);
- on a state-changing request from a browser session, refuses a missing or wrong CSRF
  token (403), after parsing the form within the upload limits;
- picks the page language and the navigation the role may see.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from screening.web import csrf
from screening.web.accounts import Account, account_for_token
from screening.web.i18n import COOKIE as LANG_COOKIE
from screening.web.i18n import Labels, negotiate
from screening.web.responses import error, wants_json
from screening.web.roles import may
from screening.web.runtime import StationRuntime
from screening.web.sessions import load_session

SESSION_COOKIE = "screening_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "public"  # a route anyone may open (the login page)
ANY = "any"  # any logged-in account (home, logout)


@dataclass(frozen=True, slots=True)
class Principal:
    account: Account
    via: str  # "session" or "token"
    csrf: str = ""
    session: str | None = None  # the session cookie value


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a view gets besides the request."""

    runtime: StationRuntime
    principal: Principal | None
    form: FormData | None
    labels: Labels

    @property
    def account(self) -> Account:
        assert self.principal is not None
        return self.principal.account


View = Callable[[Request, Ctx], Awaitable[Response]]

# Navigation: (permission, path, label key), in display order.
NAVIGATION = (
    ("screen", "/", "nav.screen"),
    ("history.station", "/history", "nav.history"),
    ("checklists", "/checklists/legacy", "nav.checklist"),
    ("lists.status", "/lists", "nav.lists"),
    ("indicators", "/indicators", "nav.indicators"),
    ("specimens", "/specimens", "nav.specimens"),
    ("gallery", "/gallery", "nav.gallery"),
    ("accounts", "/admin/accounts", "nav.accounts"),
    ("lists.import", "/admin/lists", "nav.import"),
    ("audit.view", "/audit", "nav.audit"),
)


def runtime_of(request: Request) -> StationRuntime:
    return request.app.state.station  # type: ignore[no-any-return]


def identify(request: Request, runtime: StationRuntime) -> Principal | None:
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        if not request.url.path.startswith("/api/"):
            return None
        account = account_for_token(runtime.db, authorization[7:].strip())
        return None if account is None else Principal(account, "token")
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    session = load_session(runtime.db, raw, runtime.config.sessions, runtime.clock())
    if session is None:
        return None
    return Principal(session.account, "session", session.csrf, raw)


def choose_language(request: Request) -> str:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language", ""),
    )


def prepare_request(request: Request, principal: Principal | None) -> Labels:
    lang = choose_language(request)
    labels = Labels(lang)
    state = request.scope.setdefault("state", {})
    state.update(lang=lang, labels=labels)
    if principal is not None:
        role = principal.account.role
        state.update(
            account=principal.account,
            csrf=principal.csrf,
            nav=[(path, labels[key]) for perm, path, key in NAVIGATION if may(role, perm)],
        )
    return labels


def _refuse_anonymous(request: Request) -> Response:
    if wants_json(request) or request.method not in SAFE_METHODS:
        return error(
            request,
            401,
            "Log in first (a session, or Authorization: Bearer TOKEN on /api/).",
            headers={"WWW-Authenticate": 'Bearer realm="screening"'},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def read_form(request: Request, runtime: StationRuntime) -> FormData | None:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return None
    config = runtime.config
    return await request.form(
        max_files=config.max_pages, max_fields=50, max_part_size=config.max_upload_bytes
    )


def guarded(view: View, permission: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        runtime = runtime_of(request)
        principal = None if permission == PUBLIC else identify(request, runtime)
        labels = prepare_request(request, principal)
        if permission != PUBLIC:
            if principal is None:
                return _refuse_anonymous(request)
            if permission != ANY and not may(principal.account.role, permission):
                return error(request, 403, labels["errors.forbidden"])
        form = None
        if request.method not in SAFE_METHODS:
            form = await read_form(request, runtime)
            if principal is not None and principal.via == "session":
                given = csrf.submitted_token(request.headers, form)
                if not csrf.tokens_match(principal.csrf, given):
                    return error(request, 403, labels["errors.csrf"], code="csrf")
        response = await view(request, Ctx(runtime, principal, form, labels))
        lang = request.query_params.get("lang")
        if lang and lang == request.scope["state"]["lang"]:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
        return response

    endpoint.permission = permission  # type: ignore[attr-defined]
    return endpoint


def form_text(ctx: Ctx, name: str, default: str = "") -> str:
    value: Any = ctx.form.get(name) if ctx.form is not None else None
    return value.strip() if isinstance(value, str) else default
