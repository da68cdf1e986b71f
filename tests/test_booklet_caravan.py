"""The ``caravan`` booklet style: every layout, capture and container renders; the truth
agrees with the plan (pages present and missing, stubs, substituted leaves, every stamp
with a box inside its image); the same plan renders to the same pixels.

Booklets are rendered at 40 dpi here (a 32-page booklet in well under a second); the
drawing is the same at any resolution, only finer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fixtures.booklet import RenderedBooklet, make_plan, render_booklet, write_booklet
from fixtures.booklet.caravan.datapage import mrz_lines
from fixtures.booklet.caravan.design import foreign_run, print_run
from fixtures.booklet.caravan.stamptext import format_date
from fixtures.booklet.plan import stub_between

DPI = 40


def _plan(seed: int = 20261206):
    return make_plan(
        seed, model="KGZ-2004", pulled=2, substituted=1, trips=4, substitution_signs=None
    )


@pytest.fixture(scope="module")
def booklet() -> tuple[Any, RenderedBooklet]:
    plan = _plan()
    return plan, render_booklet(plan, "caravan", layout="mixed", capture="clean", dpi=DPI)


@pytest.mark.parametrize(
    ("layout", "capture"), [("spreads", "phone"), ("singles", "clean"), ("mixed", "mild")]
)
def test_every_layout_and_capture_renders(layout: str, capture: str) -> None:
    plan = make_plan(31, model="KAZ-2009", pulled=1, stub=True, trips=3)
    rendered = render_booklet(plan, "caravan", layout=layout, capture=capture, dpi=DPI)
    kinds = {im["truth"]["kind"] for im in rendered.images}
    if layout == "singles":
        assert "spread" not in kinds
    if layout == "spreads":
        assert "single" not in kinds
    for image in rendered.images:
        assert image["bgr"].dtype == np.uint8 and image["bgr"].ndim == 3
        assert (image["encoded"] is None) == (capture == "clean")
        assert image["bgr"].std() > 5  # not blank


@pytest.mark.parametrize("container", ["folder", "tiff", "pdf"])
def test_every_container_writes(
    booklet: tuple[Any, RenderedBooklet], container: str, tmp_path: Path
) -> None:
    _, rendered = booklet
    path = write_booklet(rendered, tmp_path / "b", container=container)
    truth = json.loads(Path(str(path).rstrip("/") + ".truth.json").read_text("utf-8"))
    assert truth["style"] == "caravan" and truth["container"] == container
    assert path.exists()
    if container == "folder":
        assert len(list(path.iterdir())) == len(rendered.images)


def test_pages_present_and_missing_match_the_plan(booklet) -> None:
    plan, rendered = booklet
    shown = [p["number"] for im in rendered.truth["images"] for p in im["pages"]]
    present = [p.number for p in plan.pages if p.present]
    assert sorted(shown) == present  # every present page exactly once, no missing one
    assert rendered.truth["pages_missing"] == [p.number for p in plan.pages if not p.present]
    for image in rendered.images:
        numbers = {p["number"] for p in image["truth"]["pages"]}
        assert set(image["page_offsets"]) == numbers


def test_every_stamp_has_one_box_inside_its_image(booklet) -> None:
    plan, rendered = booklet
    seen: dict[int, int] = {}
    for image in rendered.images:
        height, width = image["bgr"].shape[:2]
        for stamp in image["truth"]["stamps"]:
            quad = np.array(stamp["quad"])
            assert (quad >= -0.5).all() and (quad[:, 0] <= width + 0.5).all()
            assert (quad[:, 1] <= height + 0.5).all()
            seen[stamp["id"]] = seen.get(stamp["id"], 0) + 1
    present = {p.number for p in plan.pages if p.present}
    expected = {s.id for s in plan.stamps if s.page in present}
    assert seen == dict.fromkeys(expected, 1)
    for stamp in plan.stamps:
        if stamp.page in present:
            x, y, w, h = stamp.drawn["box_page_px"]
            assert w > 0 and h > 0 and x >= 0 and y >= 0
            assert 0 < stamp.drawn["visible_fraction"] <= 1
            assert stamp.drawn["lines"]["names"][0] == stamp.name
            assert stamp.drawn["lines"]["date"] == format_date(
                stamp.date, stamp.drawn["date_format"]
            )
        else:
            assert stamp.drawn == {}


def test_stubs_show_only_where_a_leaf_was_torn_out_with_one(booklet) -> None:
    plan, rendered = booklet
    for image in rendered.truth["images"]:
        pages = {p["side"]: p["number"] for p in image["pages"]}
        if image["kind"] == "spread" and "left" in pages and "right" in pages:
            assert image["stub"] == stub_between(plan, pages["left"], pages["right"])
        else:
            assert not image["stub"]


def test_the_data_page_mrz_is_the_plans() -> None:
    plan = _plan()
    assert mrz_lines(plan) == plan.spec.mrz_lines()


@pytest.mark.parametrize("sign", ["tint", "pattern", "font"])
def test_a_leaf_from_another_booklet_differs_by_its_signs_only(sign: str) -> None:
    run = print_run("KGZ-2006", "KGZ", np.random.default_rng(3))
    other = foreign_run(run, (sign,), np.random.default_rng(4))
    changed = {
        "tint": other.tint != run.tint,
        "pattern": other.pattern != run.pattern,
        "font": other.page_number.font != run.page_number.font,
    }
    assert changed == {s: s == sign for s in changed}


def test_same_plan_same_pixels() -> None:
    first = render_booklet(_plan(7), "caravan", layout="mixed", capture="phone", dpi=DPI)
    again = render_booklet(_plan(7), "caravan", layout="mixed", capture="phone", dpi=DPI)
    assert first.truth == again.truth
    assert all(
        np.array_equal(a["bgr"], b["bgr"]) for a, b in zip(first.images, again.images, strict=True)
    )
