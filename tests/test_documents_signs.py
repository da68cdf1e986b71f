"""The measurements behind the documents checks, on pictures built for each case:
the upright page, text-line direction, the border signs, seal continuity, the ghost
image, and the compiled models against scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PIL import Image, ImageDraw

from fixtures.marks import seal_mask
from fixtures.photo_portrait import draw_photo_portrait
from screening.documents.ink import page_ink, text_angle
from screening.documents.legacy import page_score
from screening.documents.photo_crop import PHOTO_WIDTH, photo_crop, tilt_features
from screening.documents.photo_ghost import GHOST_FEATURES, ghost_features
from screening.documents.photo_seal import SEAL_FEATURES, seal_features
from screening.documents.upright import MrzGeometry, upright_by_angle, upright_from_mrz

PAPER = (236, 232, 222)


def _page_with_portrait(
    portrait: Image.Image, *, tilt: float = 0.0, ghost: Image.Image | None = None
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A plain 125 x 88 mm page at 4 px/mm with the portrait at a known place."""
    page = Image.new("RGB", (500, 352), PAPER)
    draw = ImageDraw.Draw(page)
    for i in range(12):  # some text lines right of the portrait
        draw.rectangle((190, 40 + 20 * i, 190 + 120 + 9 * (i % 4), 47 + 20 * i), fill=(40, 40, 50))
    box = (30, 60, 130, 170)
    if tilt:
        turned = portrait.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True)
        mask = Image.new("L", portrait.size, 255).rotate(tilt, expand=True)
        page.paste(turned, (30 + 65 - turned.width // 2, 60 + 85 - turned.height // 2), mask)
    else:
        page.paste(portrait, box[:2])
    if ghost is not None:
        small = ghost.convert("L").resize((52, 68))
        tone = np.asarray(small, np.float32) / 255
        region = np.asarray(page.crop((400, 150, 452, 218)), np.float32)
        faded = region * (1 - 0.5 * (1 - tone[..., None]))
        page.paste(Image.fromarray(faded.astype(np.uint8)), (400, 150))
    return np.asarray(page), box


def _view(rgb: np.ndarray):
    # An MRZ line along the bottom of the page: 44 characters at 2.54 mm, 4 px/mm.
    geometry = MrzGeometry(first=(24.0, 300.0), last=(24.0 + 43 * 2.54 * 4, 300.0), chars=44)
    return upright_from_mrz(rgb, geometry, px_per_mm=2.5)


@pytest.mark.parametrize("turn", [0.0, 17.0, 90.0, 180.0, -123.0])
def test_upright_from_mrz_undoes_any_turn(turn: float) -> None:
    page, box = _page_with_portrait(draw_photo_portrait(100, 110, np.random.default_rng(1)))
    # The page on a table wide enough that the MRZ's region never leaves the picture.
    table = Image.new("RGB", (900, 800), (90, 90, 90))
    table.paste(Image.fromarray(page), (200, 300))
    rgb = np.asarray(table)
    box = (box[0] + 200, box[1] + 300, box[2], box[3])
    mrz = ((224.0, 600.0), (224.0 + 43 * 2.54 * 4, 600.0))
    turned = table.rotate(
        -turn, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(90, 90, 90)
    )
    # Where the MRZ line's ends went.
    t = np.deg2rad(turn)
    centre_in = np.array([rgb.shape[1], rgb.shape[0]]) / 2
    centre_out = np.array([turned.width, turned.height]) / 2
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])

    def moved(x: float, y: float) -> tuple[float, float]:
        p = rot @ (np.array([x, y]) - centre_in) + centre_out
        return float(p[0]), float(p[1])

    geometry = MrzGeometry(first=moved(*mrz[0]), last=moved(*mrz[1]), chars=44)
    view = upright_from_mrz(np.asarray(turned), geometry, px_per_mm=2.5)
    straight = upright_from_mrz(
        rgb, MrzGeometry(first=mrz[0], last=mrz[1], chars=44), px_per_mm=2.5
    )
    assert view.rgb.shape == straight.rgb.shape
    inside = view.valid & straight.valid
    difference = np.abs(view.rgb.astype(int) - straight.rgb.astype(int)).mean(axis=2)
    assert np.median(difference[inside]) < 12
    # The portrait box maps back onto the input where it was drawn.
    up_box = straight.box_from_input(box)
    assert np.allclose(straight.box_to_input(up_box), box, atol=2)


@pytest.mark.parametrize("angle", [0.0, 12.0, -35.0, 90.0, 61.0])
def test_text_angle_finds_the_lines(angle: float) -> None:
    canvas = Image.new("L", (700, 700), 0)
    draw = ImageDraw.Draw(canvas)
    rng = np.random.default_rng(3)
    for row in range(14):
        x = 60
        while x < 620:
            w = int(rng.integers(8, 30))
            draw.rectangle((x, 60 + 40 * row, x + w, 60 + 40 * row + 14), fill=255)
            x += w + int(rng.integers(6, 16))
    turned = np.asarray(canvas.rotate(-angle, resample=Image.Resampling.NEAREST)) > 0
    found = text_angle(turned)
    assert min(abs(found - angle), 180 - abs(found - angle)) <= 1.5


def test_page_ink_turns_a_photographed_page_level() -> None:
    canvas = Image.new("RGB", (900, 650), (230, 228, 220))
    draw = ImageDraw.Draw(canvas)
    for row in range(10):
        draw.rectangle((80, 80 + 45 * row, 760, 80 + 45 * row + 16), fill=(30, 30, 90))
    turned = np.asarray(canvas.rotate(28, expand=True, fillcolor=(120, 120, 120)))
    page = page_ink(turned)
    assert abs(abs(page.angle) - 28) <= 1.5
    # On the upright page the lines are level: ink rows come in bands.
    profile = page.ink.mean(axis=1)
    assert profile.max() > 0.4


def test_page_score_counts_one_region_per_row() -> None:
    # A signature in three pieces on one row, and two values on rows of their own.
    boxes = [
        (10, 100, 40, 20),
        (60, 102, 40, 18),
        (110, 98, 30, 22),
        (10, 10, 50, 20),
        (10, 40, 50, 20),
    ]
    probabilities = np.array([0.95, 0.94, 0.93, 0.6, 0.5])
    assert page_score(probabilities, boxes, 2) == pytest.approx(0.6)
    assert page_score(probabilities, boxes, 3) == pytest.approx(0.5)
    assert page_score(probabilities, boxes, 4) == 0.0


@pytest.mark.parametrize(("tilt", "turned"), [(0.0, False), (2.0, True), (-1.5, True)])
def test_tilt_of_a_glued_print(tilt: float, turned: bool) -> None:
    portrait = Image.new("RGB", (130, 170), (90, 110, 150))
    ImageDraw.Draw(portrait).ellipse((35, 30, 95, 110), fill=(210, 170, 140))
    rgb, box = _page_with_portrait(portrait, tilt=tilt)
    view = _view(rgb)
    crop = photo_crop(rgb, view, view.box_from_input(box))
    mean_tilt = tilt_features(crop)[0]
    if turned:
        assert mean_tilt == pytest.approx(abs(tilt), abs=0.6)
    else:
        assert mean_tilt < 0.3


def _sealed_page(broken: bool) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    portrait = draw_photo_portrait(130, 170, np.random.default_rng(7))
    rgb, box = _page_with_portrait(portrait)
    page = Image.fromarray(rgb)
    mask = seal_mask(48, "MINISTRY * OF THE INTERIOR *", np.random.default_rng(2), opacity=0.7)
    centre = (box[0] + box[2], box[1] + box[3])
    full = Image.new("L", page.size, 0)
    full.paste(mask, (round(centre[0] - mask.width / 2), round(centre[1] - mask.height / 2)))
    if broken:  # the new photo covers the impression
        ImageDraw.Draw(full).rectangle(
            (box[0], box[1], box[0] + box[2] - 1, box[1] + box[3] - 1), fill=0
        )
    page.paste(Image.new("RGB", page.size, (70, 50, 150)), (0, 0), full)
    return np.asarray(page), box


def test_seal_ring_continues_onto_a_genuine_photo_only() -> None:
    index = SEAL_FEATURES.index("ring_continuity")
    values = {}
    for broken in (False, True):
        rgb, box = _sealed_page(broken)
        view = _view(rgb)
        values[broken] = seal_features(photo_crop(rgb, view, view.box_from_input(box)))[index]
    assert values[False] > 0.5
    assert values[True] < 0.3


def test_ghost_matches_the_face_it_was_printed_from() -> None:
    rng = np.random.default_rng(11)
    original = draw_photo_portrait(130, 170, rng)
    other = draw_photo_portrait(130, 170, np.random.default_rng(12))
    index = GHOST_FEATURES.index("ghost_face_z")
    results = {}
    for name, main in (("genuine", original), ("substituted", other)):
        rgb, box = _page_with_portrait(main, ghost=original)
        view = _view(rgb)
        results[name] = ghost_features(view, view.box_from_input(box))[index]
    rgb, box = _page_with_portrait(original)
    view = _view(rgb)
    results["no ghost"] = ghost_features(view, view.box_from_input(box))[index]
    assert results["genuine"] > results["substituted"]
    assert results["genuine"] > results["no ghost"]


def test_photo_crop_is_portrait_wide_and_snaps_to_a_crisp_edge() -> None:
    portrait = Image.new("RGB", (130, 170), (60, 80, 120))
    rgb, box = _page_with_portrait(portrait)
    view = _view(rgb)
    x, y, w, h = view.box_from_input(box)
    # The locator's box is off by a few millimetres; the close-up finds the print's edge.
    crop = photo_crop(rgb, view, (x + 0.08 * w, y - 0.06 * h, w * 0.9, h * 1.05))
    assert abs(crop.box[2] - PHOTO_WIDTH / 0.9) < 0.1 * PHOTO_WIDTH
    back = crop.view.box_to_input(crop.box)
    assert np.allclose(back, box, atol=6)


def test_upright_by_angle_keeps_the_page() -> None:
    rgb, box = _page_with_portrait(draw_photo_portrait(130, 170, np.random.default_rng(5)))
    view = upright_by_angle(rgb, 0.0, px_per_mm=2.5)
    x, y, w, h = view.box_from_input(box)
    assert w > 0 and h > 0
    assert np.allclose(view.box_to_input((x, y, w, h)), box, atol=2)


def test_compiled_models_give_scikit_learn_probabilities() -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from screening.documents.forest import batch_forest, compile_forest
    from screening.documents.mlp import compile_mlp

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] ** 2 > 0.3).astype(int)
    forest = RandomForestClassifier(n_estimators=12, max_depth=6, random_state=0).fit(x, y)
    expected = forest.predict_proba(x)[:, 1]
    assert np.allclose(compile_forest(forest).positive_proba(x), expected, atol=1e-12)
    assert np.allclose(batch_forest(forest).positive_proba(x), expected, atol=1e-12)
    mlp = make_pipeline(StandardScaler(), MLPClassifier((8,), max_iter=40, random_state=0))
    with warnings.catch_warnings():  # convergence does not matter: only the equivalence
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(x, y)
    assert np.allclose(compile_mlp(mlp).positive_proba(x), mlp.predict_proba(x)[:, 1], atol=1e-9)
