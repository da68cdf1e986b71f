"""Pages of the specimen families for the documents models and benchmark.

Every documents model is trained on pages drawn, in memory, by several independently
written families (``house``: :mod:`fixtures.house_documents`; ``atlas``, ``borealis``:
:mod:`fixtures.families`), and reported on families it was not trained on. This module
draws the pages of a seeded plan, decodes them, and reads their MRZ the way a scan does
(our own reader, :func:`screening.imaging.mrz_image.read_image_mrz`), so that training,
validation and the benchmark see the same inputs as ``screening scan``.

Rendering is the slow part (about 0.5-1 s a page); ``SCREENING_PAGE_CACHE`` names a
folder where decoded pages are kept between runs (a cache only: the same seed draws the
same page). MRZ reads are cached beside them under a fingerprint of the reader (its
source and its OCR-B model): a read kept from another version of the reader once made a
model's ``--check`` agree with a card the current reader no longer reproduces.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fixtures.families import FAMILIES, plan
from fixtures.families.contract import PageRequest
from screening.imaging.load import decode_image

HOUSE = "house"
# The seeded pools of the documents plan, per family: training (every model), validation
# (operating points), test (the benchmark). Disjoint seeds. The sizes are what a 2-core
# machine shared by several engineers draws in minutes (pages take 1-3 s each); a plan of
# n requests is a prefix of a longer one, so larger pools only add pages.
TRAIN_SEED, TRAIN_REQUESTS = 20261301, 192
VALID_SEED, VALID_REQUESTS = 20261302, 48
TEST_SEED, TEST_REQUESTS = 20261303, 48
# The families the committed models are trained (and validated) on. The others are kept
# out of training, validation and tuning: the benchmark reports them as designs never
# seen (the truly held-out one, written by code we never read, is run after merging).
# Borealis was held out until measured so (issue 11: hand-filled 3/12); it is now
# trained and tuned on, and the benchmark's --lofo keeps the figures of each family as
# not trained on.
TRAIN_FAMILIES = ("house", "atlas", "borealis")


def available_families() -> list[str]:
    """``house`` and every independent family whose module is present."""
    names = [HOUSE]
    for name, module in FAMILIES.items():
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        names.append(name)
    return names


@dataclass(slots=True)
class Page:
    family: str
    request: PageRequest
    rgb: np.ndarray
    gray: np.ndarray
    truth: dict[str, Any]
    mrz: Any = None  # screening.imaging ImageMrz, when read (not when cached)
    geometry: Any = None  # screening.documents.upright MrzGeometry, when read

    @property
    def kind(self) -> str:
        return self.request.kind


def _render(family: str, request: PageRequest) -> tuple[bytes, dict[str, Any]]:
    if family == HOUSE:
        from fixtures import house_documents

        page = house_documents.render(request)
    else:
        from fixtures.families import family as family_module

        page = family_module(family).render(request)
    return page.image_bytes, page.truth


def _cache_path(family: str, request: PageRequest) -> Path | None:
    folder = os.environ.get("SCREENING_PAGE_CACHE")
    if not folder:
        return None
    key = json.dumps(
        [
            family,
            request.kind,
            request.seed,
            request.format,
            request.capture,
            request.subtle,
            request.state,
        ],
        sort_keys=True,
    )
    return Path(folder) / f"{family}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def render_page(family: str, request: PageRequest) -> Page:
    """Draw (or load from the cache) one page and decode it to RGB."""
    cached = _cache_path(family, request)
    if cached is not None and cached.with_suffix(".json").is_file():
        data = cached.with_suffix(".img").read_bytes()
        truth = json.loads(cached.with_suffix(".json").read_text("utf-8"))
    else:
        data, truth = _render(family, request)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.with_suffix(".img").write_bytes(data)
            cached.with_suffix(".json").write_text(json.dumps(truth), "utf-8")
    image = decode_image(data, f"{family}-{request.kind}-{request.seed}")
    rgb = np.ascontiguousarray(image.bgr[..., ::-1])
    return Page(family=family, request=request, rgb=rgb, gray=image.gray, truth=truth)


@functools.cache
def reader_fingerprint() -> str:
    """A digest of everything that decides a cached read: the image-reading code, the OCR-B
    model files and the geometry taken from the read. Changes whenever the reader would
    read a page differently."""
    import screening.documents.upright as upright
    import screening.imaging as imaging

    root = Path(imaging.__file__).resolve().parent
    model_dir = Path(__file__).resolve().parent / "ocrb"
    files = [*root.rglob("*.py"), *model_dir.glob("*"), Path(upright.__file__).resolve()]
    digest = hashlib.sha256()
    for path in sorted(files):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_mrz(page: Page) -> Page:
    """Read the page's MRZ as a scan does (our reader, no Tesseract); its geometry is
    kept in ``page.geometry`` (and in the cache)."""
    from screening.documents.upright import MrzGeometry, mrz_geometry
    from screening.imaging.mrz_image import read_image_mrz

    cached = _cache_path(page.family, page.request)
    sidecar = (
        cached.with_suffix(f".mrz-{reader_fingerprint()}.json") if cached is not None else None
    )
    if sidecar is not None and sidecar.is_file():
        data = json.loads(sidecar.read_text("utf-8"))
        page.geometry = MrzGeometry(**data) if data else None
        return page
    page.mrz = read_image_mrz(page.gray, use_tesseract=False)
    page.geometry = mrz_geometry(page.mrz)
    if sidecar is not None:
        g = page.geometry
        sidecar.write_text(
            json.dumps({"first": g.first, "last": g.last, "chars": g.chars} if g else None), "utf-8"
        )
    return page


def pages(
    family: str, n: int, seed: int, *, kinds: tuple[str, ...] | None = None, with_mrz: bool = False
) -> Iterator[Page]:
    """The pages of the ``documents`` plan (``n`` requests from ``seed``), optionally
    only some kinds, optionally with their MRZ read."""
    for request in plan("documents", n, seed):
        if kinds is not None and request.kind not in kinds:
            continue
        page = render_page(family, request)
        yield (
            read_mrz(page)
            if with_mrz and request.kind in ("genuine", "photo_substituted")
            else page
        )
