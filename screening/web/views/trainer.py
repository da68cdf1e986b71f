"""Trainers' pages: the bundled synthetic specimens with what they were made as, and
the gallery of forgery signs (issue #16) when it is installed."""

from __future__ import annotations

import importlib.util
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from screening.web.guard import Ctx
from screening.web.responses import error, page

SAMPLES = Path(str(resources.files("fixtures").joinpath("samples")))
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


def specimens(root: Path = SAMPLES) -> list[dict[str, Any]]:
    out = []
    for truth in sorted(root.glob("*.json")):
        image = next(
            (truth.with_suffix(s) for s in _IMAGE_TYPES if truth.with_suffix(s).is_file()), None
        )
        if image is None:
            continue
        meta = json.loads(truth.read_text("utf-8"))
        defects = meta.get("defects") or []
        out.append(
            {
                "name": truth.stem,
                "image": image.name,
                "format": meta.get("format"),
                "state": meta.get("state"),
                "page_kind": meta.get("page_kind"),
                "capture": (meta.get("capture") or {}).get("tier"),
                "defects": [
                    d.get("kind", str(d)) if isinstance(d, dict) else str(d) for d in defects
                ],
            }
        )
    return out


async def specimens_view(request: Request, ctx: Ctx) -> Response:
    items = specimens()
    return page(request, "specimens.html", {"specimens": items, "count": len(items)})


async def specimen_image(request: Request, ctx: Ctx) -> Response:
    name = request.path_params["name"]
    path = SAMPLES / name
    if not _NAME.fullmatch(name) or path.suffix not in _IMAGE_TYPES or not path.is_file():
        return error(request, 404, ctx.labels["errors.not_found"])
    return Response(path.read_bytes(), media_type=_IMAGE_TYPES[path.suffix])


async def gallery_view(request: Request, ctx: Ctx) -> Response:
    available = importlib.util.find_spec("screening.gallery") is not None
    data = {
        "available": available,
        "reason": None if available else ctx.labels["gallery.missing"],
        "command": "screening specimen gallery --out DIR",
    }
    return page(request, "gallery.html", data)
