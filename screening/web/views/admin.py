"""Account pages and list imports (admin only)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from screening.errors import ScreeningError
from screening.lists.importer import import_feed
from screening.lists.store import open_store
from screening.web import accounts
from screening.web.guard import Ctx, form_text
from screening.web.responses import error, page, wants_json
from screening.web.roles import Role
from screening.web.views.records import list_status

_FEED_SUFFIXES = {".csv", ".json", ".jsonl"}


def _accounts_data(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    db = ctx.runtime.db
    return {
        "roles": [r.value for r in Role],
        "accounts": [
            {**a.to_dict(), "tokens": accounts.list_tokens(db, a.name)}
            for a in accounts.list_accounts(db)
        ],
        **extra,
    }


async def accounts_view(request: Request, ctx: Ctx) -> Response:
    return page(request, "accounts.html", _accounts_data(ctx))


def _done(request: Request, ctx: Ctx, status: int = 200, **extra: Any) -> Response:
    if wants_json(request) or extra:
        return page(request, "accounts.html", _accounts_data(ctx, **extra), status=status)
    return RedirectResponse("/admin/accounts", status_code=303)


async def account_add(request: Request, ctx: Ctx) -> Response:
    name, role = form_text(ctx, "username").lower(), form_text(ctx, "role")
    password = ctx.form.get("password") if ctx.form is not None else None
    try:
        account = accounts.add_account(
            ctx.runtime.db, name, role, password if isinstance(password, str) else ""
        )
    except ScreeningError as problem:
        return _done(request, ctx, 400, problem=problem.message)
    ctx.runtime.audit.append(
        ctx.account.name, "account_add", {"account": account.name, "role": str(account.role)}
    )
    return _done(request, ctx)


async def account_change(request: Request, ctx: Ctx) -> Response:
    """``disable``, ``enable``, ``token`` (a new API token, shown once) or ``revoke``."""
    name, action = request.path_params["name"], request.path_params["action"]
    db, audit = ctx.runtime.db, ctx.runtime.audit
    try:
        if action in ("disable", "enable"):
            if action == "disable" and name == ctx.account.name:
                return _done(request, ctx, 400, problem=ctx.labels["accounts.not_self"])
            accounts.set_disabled(db, name, action == "disable")
            audit.append(ctx.account.name, f"account_{action}", {"account": name})
        elif action == "token":
            token, token_id = accounts.issue_token(db, name)
            audit.append(ctx.account.name, "token_issue", {"account": name, "token_id": token_id})
            return _done(request, ctx, new_token={"account": name, "id": token_id, "token": token})
        elif action == "revoke":
            count = accounts.revoke_tokens(db, name)
            audit.append(ctx.account.name, "token_revoke", {"account": name, "tokens": count})
        else:
            return error(request, 404, ctx.labels["errors.not_found"])
    except ScreeningError as problem:
        return _done(request, ctx, 400, problem=problem.message)
    return _done(request, ctx)


async def lists_admin_view(request: Request, ctx: Ctx) -> Response:
    return page(request, "lists_import.html", {"status": list_status(ctx), "import": None})


def _import(url: str, feed: Path, source: str, delta: bool) -> dict[str, Any]:
    store = open_store(url, create=True)
    try:
        report = import_feed(store, feed, kind="delta" if delta else "full", source=source)
    finally:
        store.close()
    return report.to_dict()


async def lists_import(request: Request, ctx: Ctx) -> Response:
    upload = ctx.form.get("feed") if ctx.form is not None else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        return error(request, 400, ctx.labels["errors.no_file"])
    name = Path(upload.filename.replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    if suffix not in _FEED_SUFFIXES:
        return error(request, 400, ctx.labels["errors.feed_type"])
    delta = form_text(ctx, "kind") == "delta"
    url = ctx.runtime.config.settings.resolved_lists_url()
    fd, tmp = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            while chunk := await upload.read(1 << 20):
                fh.write(chunk)
        report = await run_in_threadpool(_import, url, Path(tmp), name, delta)
    except ScreeningError as problem:
        ctx.runtime.audit.append(
            ctx.account.name, "lists_import_failed", {"feed": name, "reason": problem.message}
        )
        return error(request, 422, problem.message)
    finally:
        os.unlink(tmp)
    ctx.runtime.audit.append(
        ctx.account.name,
        "lists_import",
        {"feed": name, "version": report.get("version"), "digest": report.get("digest")},
    )
    return page(request, "lists_import.html", {"status": list_status(ctx), "import": report})
