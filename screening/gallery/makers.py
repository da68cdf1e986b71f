"""Specimen pairs for the gallery: a genuine page and the same page with one forgery sign,
made by the project's specimen generators (``fixtures/``), with where the sign is.

Each maker takes a :class:`Request` (the section's parameters from ``sections.toml``,
a seed, the rendering resolution) and returns a :class:`Pair`. The genuine page and the
forged one come from the same seed, so they differ only where the forger worked (the
generator draws page, defect and capture from separate random streams). ``sign`` is the
generator's ground truth of where that is, in image pixels: the gallery outlines and
enlarges it; what the screening found is drawn separately from the scan.

The generator ships with the source tree, not with an installed wheel: a missing
``fixtures`` package is a :class:`~screening.errors.MissingDependencyError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from screening.errors import BadArgumentsError, MissingDependencyError
from screening.gallery.booklets import (
    booklet_page_substituted,
    booklet_pages_missing,
    booklet_route,
)
from screening.gallery.pairs import Maker, Page, Pair, Request
from screening.report.annotate import Box, as_box, union


def require_generator() -> None:
    """Stop with a clear error when the generator (the ``fixtures`` package of the
    source tree) is not installed."""
    try:
        import fixtures.specimens  # noqa: F401
    except ImportError as error:
        raise MissingDependencyError(
            "the specimen generator (package 'fixtures') is not installed",
            hint="install the project from its source tree: pip install -e .",
        ) from error


def _bbox(truth: Mapping[str, Any], *path: str) -> Box | None:
    node: Any = truth.get("boxes") or {}
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return as_box(node["bbox"]) if isinstance(node, Mapping) and "bbox" in node else None


def _house(req: Request, defects: list[str], *, number: str | None = None) -> Page:
    page = _house_page(
        req.seed,
        req.dpi,
        str(req.get("format", "TD3")),
        str(req.get("state", "KGZ")),
        str(req.get("capture", "clean")),
        tuple(defects),
        number,
    )
    return Page(page.name, page.bgr, page.truth)  # a copy: callers rename theirs


# Sections share their genuine page (same seed, same spec): render it once per build.
@lru_cache(maxsize=8)
def _house_page(
    seed: int,
    dpi: int,
    fmt: str,
    state: str,
    capture: str,
    defects: tuple[str, ...],
    number: str | None,
) -> Page:
    from fixtures.identity import random_spec
    from fixtures.specimens import render_specimen

    spec = random_spec(np.random.default_rng(seed), format=fmt, state=state, dpi=dpi)
    if number is not None:
        spec = spec.replace(document_number=number)
    made = render_specimen(spec, capture=capture, defects=list(defects), seed=seed)
    tag = "-".join(d.split(":")[0] for d in defects) or "genuine"
    return Page(f"{state.lower()}-{fmt.lower()}-{tag}-{seed}", made.image, made.truth)


def house_defect(req: Request) -> Pair:
    """A data page and the same page with one generator defect (``defect``: as
    ``screening specimen --defect``)."""
    defect = str(req.get("defect"))
    genuine = _house(req, [])
    forged = _house(req, [defect])
    forged.name += "-" + defect.split(":", 1)[-1].replace(":", "-")
    sign: list[Box] = []
    for record in forged.truth.get("defects") or []:
        if record.get("region"):
            sign.append(as_box(record["region"]))
        # An MRZ altered with recomputed check digits shows where the printed page
        # disagrees: the field's printed value.
        printed = _bbox(forged.truth, "fields", str(record.get("field", "")))
        if record.get("kind") == "mrz_recomputed" and printed is not None:
            sign.append(printed)
    return Pair(genuine, forged, sign, made=defect)


def house_listed(req: Request) -> Pair:
    """A data page, and the same holder's page with a number on the lost/stolen list
    (``status``: ``stolen``, ``lost``, ``stolen_blank``; a blank is listed as a series
    of a thousand numbers around it, as stolen-blank circulars list them)."""
    genuine = _house(req, [])
    number = str(genuine.truth["spec"]["document_number"])
    # Another number of the same shape: every digit turned over, so it is no near hit
    # of the genuine one.
    shift = int(req.get("digit_shift", 5))
    listed_number = "".join(str((int(c) + shift) % 10) if c.isdigit() else c for c in number)
    forged = _house(req, [], number=listed_number)
    status = str(req.get("status", "stolen"))
    forged.name += "-listed-" + status
    row = {
        "issuing_state": str(forged.truth["state"]),
        "document_type": "P" if forged.truth["format"] == "TD3" else "I",
        "document_number": listed_number,
        "status": status,
        "number_to": "",
        "reported_on": "2025-06-01",
        "review_on": "2035-06-01",
        "reporting_state": str(forged.truth["state"]),
        "reference": f"GALLERY-{req.key.upper()}",
        "source": "gallery list (synthetic)",
    }
    if status == "stolen_blank" and listed_number[-3:].isdigit():
        row["document_number"] = listed_number[:-3] + "000"
        row["number_to"] = listed_number[:-3] + "999"
    sign = [
        b
        for b in (
            _bbox(forged.truth, "fields", "document_number"),
            _bbox(forged.truth, "fields", "document_number_top_right"),
            _mrz_field_box(forged.truth, "document_number"),
        )
        if b is not None
    ]
    return Pair(genuine, forged, sign, listed=[row], made=f"number listed as {status}")


def _mrz_field_box(truth: Mapping[str, Any], name: str) -> Box | None:
    from screening.mrz.formats import FORMATS_BY_NAME

    fmt = FORMATS_BY_NAME.get(str(truth.get("format")))
    spec = next((f for f in fmt.fields if f.name == name), None) if fmt else None
    if spec is None:
        return None
    cells = (truth.get("boxes") or {}).get("mrz_cells") or []
    return union(
        as_box(c["bbox"])
        for c in cells
        if c["line"] == spec.line and spec.start <= c["index"] < spec.end
    )


def house_photo(req: Request) -> Pair:
    """A data page and the same page with its photograph replaced, leaving the signs
    named in ``signs`` (fixtures/photo.py: seal_missing, seal_redrawn, edge, texture)."""
    from fixtures.photo import mrz_photo_specimen

    signs = [str(s) for s in req.get("signs", [])]
    options: dict[str, Any] = {
        "tier": req.get("capture", "clean"),
        "fmt": req.get("format", "TD3"),
        "state": req.get("state"),
        "dpi": req.dpi,
    }
    genuine = mrz_photo_specimen(req.seed, substituted=False, **options)
    forged = mrz_photo_specimen(req.seed, substituted=True, signs=signs, **options)
    stem = f"{str(forged.truth['state']).lower()}-photo"
    photo = as_box(forged.photo_box)
    sign = [photo]
    seal = _bbox(forged.truth, "seal")
    if seal is not None and any(s.startswith("seal") for s in signs):
        sign = [union([photo, seal]) or photo]
    return Pair(
        Page(f"{stem}-genuine-{req.seed}", _bgr(genuine.image), genuine.truth),
        Page(f"{stem}-{'-'.join(signs)}-{req.seed}", _bgr(forged.image), forged.truth),
        sign,
        made="photo substituted: " + ", ".join(signs),
    )


def _bgr(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR)


def _legacy(req: Request, kind: str) -> Page:
    return _legacy_page(req.seed, req.dpi, kind, str(req.get("capture", "scan")))


@lru_cache(maxsize=4)
def _legacy_page(seed: int, dpi: int, kind: str, tier: str) -> Page:
    from fixtures.legacy import LegacySpec, generate_legacy

    spec = LegacySpec(seed=seed, kind=kind, layout="kgz1994", tier=tier, dpi=dpi)
    page = generate_legacy(spec)
    return Page(f"kgz1994-{kind}-{seed}", _bgr(np.asarray(page.image)), page.truth)


def legacy_handfilled(req: Request) -> Pair:
    """The 1994 Kyrgyz form filled on a typewriter, and the same form filled by hand."""
    genuine = _legacy(req, "printed")
    forged = _legacy(req, "handfilled")
    sign = [as_box(r["box"]) for r in forged.truth.get("regions") or [] if r.get("handwritten")]
    return Pair(genuine, forged, sign[:6], made="entries written by hand", same_layout=False)


def withdrawn_edition(req: Request) -> Pair:
    """A current machine-readable Kyrgyz passport, and a page of the withdrawn 1994
    edition (hand-filled, no MRZ)."""
    genuine = _house(req, [])
    forged = _legacy(req, "handfilled")
    number = forged.truth.get("number_box")
    sign = [as_box(number)] if number else []
    return Pair(genuine, forged, sign, made="1994 edition, withdrawn", same_layout=False)


MAKERS: dict[str, Maker] = {
    "booklet_pages_missing": booklet_pages_missing,
    "booklet_page_substituted": booklet_page_substituted,
    "booklet_route": booklet_route,
    "house_defect": house_defect,
    "house_listed": house_listed,
    "house_photo": house_photo,
    "legacy_handfilled": legacy_handfilled,
    "withdrawn_edition": withdrawn_edition,
}


def make_pair(maker: str, req: Request) -> Pair:
    """The pair of section ``req.key`` made by ``maker``."""
    if maker not in MAKERS:
        raise BadArgumentsError(f"gallery section {req.key!r}: unknown specimen maker {maker!r}")
    return MAKERS[maker](req)
