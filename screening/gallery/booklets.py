"""Booklet pairs for the gallery: a whole genuine booklet and the same booklet with
leaves pulled out, a leaf from another booklet, or a stamp that breaks the route
(``fixtures.booklet``). Both are screened whole (``screen_booklet``); the gallery shows
one scan of each, the one holding the sign, with the sign's place from the generator's
truth.

The booklet is dated by its plan (a 2004 Kyrgyz passport is screened on a day it was
valid), so ``Pair.today`` carries the screening date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from screening.gallery.pairs import Page, Pair, Request
from screening.report.annotate import Box, as_box, union

BOOKLET_STYLE = "ledger"
BOOKLET_MODEL = "KGZ-2004"
# The booklet reader was tuned and measured on scans of this resolution
# (benchmarks/booklet.py); a lower gallery resolution is raised to it for booklets.
MIN_DPI = 200
# The passport number printed on every page sits in the page's top band (its top tenth):
# what an officer compares, page by page, to find a leaf from another booklet.
NUMBER_BAND = 0.1


@lru_cache(maxsize=4)
def _booklet(
    seed: int, dpi: int, model: str, trips: int, defect: tuple[tuple[str, Any], ...]
) -> Any:
    from fixtures.booklet import make_plan, render_booklet

    plan = make_plan(seed, model=model, trips=trips, **dict(defect))
    return render_booklet(plan, BOOKLET_STYLE, layout="spreads", capture="clean", dpi=dpi)


def _quad_box(quad: Iterable[Iterable[float]]) -> Box:
    points = [tuple(p) for p in quad]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return as_box((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))


def _image_with_page(booklet: Any, number: int) -> int:
    for image in booklet.truth["images"]:
        if any(p["number"] == number for p in image["pages"]):
            return int(image["index"])
    return 0


def _page(booklet: Any, index: int, name: str, today: date) -> Page:
    image = booklet.images[index]
    truth = {"booklet": booklet.truth, "image_index": index}
    return Page(name, image["bgr"], truth, booklet=booklet, focus=index, today=today)


def _stub_box(image: Mapping[str, Any], dpi: int) -> Box | None:
    """The fold of a spread with a torn stub: where the stub's paper shows."""
    if not image.get("stub") or len(image["pages"]) != 2:
        return None
    left = _quad_box(image["pages"][0]["quad"])
    width_mm = max((image.get("stub_info") or {}).get("width_mm") or [8.0])
    reach = round(width_mm * dpi / 25.4) + 4
    fold = left[0] + left[2]
    return (fold - reach, left[1], 2 * reach, left[3])


def _stamp_boxes(image: Mapping[str, Any], ids: set[int]) -> list[Box]:
    return [_quad_box(s["quad"]) for s in image.get("stamps") or [] if s["id"] in ids]


def booklet_pages_missing(req: Request) -> Pair:
    return _booklet_pair(req, {"pulled": 1, "stub": True})


def booklet_page_substituted(req: Request) -> Pair:
    signs = tuple(req.get("substitution_signs", ["number"]))
    return _booklet_pair(req, {"substituted": 1, "substitution_signs": signs})


def booklet_route(req: Request) -> Pair:
    return _booklet_pair(req, {"route_defect": str(req.get("route_defect", "entry_removed"))})


def _booklet_pair(req: Request, defect: dict[str, Any]) -> Pair:
    model, trips = str(req.get("model", BOOKLET_MODEL)), int(req.get("trips", 2))
    dpi = max(req.dpi, MIN_DPI)
    genuine = _booklet(req.seed, dpi, model, trips, ())
    forged = _booklet(req.seed, dpi, model, trips, tuple(sorted(defect.items())))
    truth = forged.truth
    today = date.fromisoformat(str(truth["screening_date"]))
    focus, sign = _focus(forged, dpi)
    pages = [p["number"] for p in truth["images"][focus]["pages"]]
    genuine_focus = _image_with_page(genuine, pages[0])
    stem = f"booklet-{model.lower()}-{trips}trips-{req.seed}"  # one genuine per plan
    tag = "-".join(_tag(v) for v in defect.values() if not isinstance(v, bool))
    return Pair(
        _page(genuine, genuine_focus, f"{stem}-genuine", today),
        _page(forged, focus, f"{stem}-{req.key}-{tag}", today),
        sign,
        made=", ".join(f"{k}={v}" for k, v in defect.items()),
        same_layout=False,
    )


def _tag(value: Any) -> str:
    """A defect parameter as a file-name part (``("number", "tint")`` -> ``number+tint``)."""
    parts = value if isinstance(value, (list, tuple)) else [value]
    return "+".join(str(v) for v in parts).replace(" ", "")


def _focus(booklet: Any, dpi: int) -> tuple[int, list[Box]]:
    """The scan holding the sign, and the sign's boxes on it."""
    truth = booklet.truth
    images = truth["images"]
    for image in images:
        stub = _stub_box(image, dpi)
        if stub is not None:
            return int(image["index"]), [stub]
    for leaf in truth.get("substituted") or []:
        index = _image_with_page(booklet, leaf["pages"][0])
        quads = [p["quad"] for p in images[index]["pages"] if p["number"] in leaf["pages"]]
        boxes = [_quad_box(q) for q in quads]
        if "number" in (leaf.get("signs") or []):
            boxes = [(x, y, w, max(1, round(h * NUMBER_BAND))) for x, y, w, h in boxes]
        return index, boxes
    for leaf in truth.get("pulled") or []:  # pulled without a stub: the pages around it
        index = _image_with_page(booklet, leaf["pages"][0] - 1)
        return index, [_quad_box(p["quad"]) for p in images[index]["pages"]]
    for defect in truth.get("route_defects") or []:
        ids = {int(defect[k]) for k in ("stamp", "exit_stamp") if defect.get(k) is not None}
        if not ids:  # a stamp removed: the stamps of the same day are the rest of the crossing
            ids = {int(s["id"]) for s in truth["stamps"] if s["date"] == defect.get("date")}
        for image in images:
            boxes = _stamp_boxes(image, ids)
            if boxes:
                return int(image["index"]), [union(boxes) or boxes[0]]
    return 0, []
