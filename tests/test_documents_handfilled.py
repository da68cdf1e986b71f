"""Hand-filled detection on generated pages, the features, and model reproducibility."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from fixtures.handwriting import render_handwritten, render_printed
from fixtures.legacy import LegacySpec, generate_legacy
from screening.documents.features import FEATURE_NAMES, page_region_features
from screening.documents.legacy import CARD_FILE, assess_handfilled, load_model, page_score
from screening.documents.stage import screen_documents
from screening.settings import Settings
from tests.conftest import REPO, SCREENING_DATE

SAMPLES = REPO / "fixtures" / "samples"

# Seeds outside every training/validation/evaluation range of the training script.
PAGES = {
    "handfilled-scan": LegacySpec(seed=9_000_001, kind="handfilled", tier="scan"),
    "handfilled-phone": LegacySpec(seed=9_000_002, kind="handfilled", tier="phone"),
    "printed-typed-desk": LegacySpec(seed=9_000_003, kind="printed", tier="desk"),
    "printed-generic-phone": LegacySpec(
        seed=9_000_004, kind="printed", layout="generic", tier="phone"
    ),
    # Both carry a rubber stamp under the photo (extension stamp / border stamp).
    "handfilled-stamped-desk": LegacySpec(
        seed=9_000_008, kind="handfilled", tier="desk", stamp=True
    ),
    "printed-stamped-scan": LegacySpec(seed=9_000_009, kind="printed", tier="scan", stamp=True),
}


def _overlap(box: tuple[int, int, int, int], other: list[int]) -> float:
    x, y, w, h = box
    ox, oy, ow, oh = other
    ix = max(0, min(x + w, ox + ow) - max(x, ox))
    iy = max(0, min(y + h, oy + oh) - max(y, oy))
    return ix * iy / max(1, w * h)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_decision(name: str) -> None:
    page = generate_legacy(PAGES[name])
    result = assess_handfilled(np.asarray(page.image))
    assert result.is_handfilled is page.truth["handwritten"], (name, result.to_dict())
    if page.truth["handwritten"]:
        # The regions reported as handwritten are the hand-entered values.
        hand = [r["box"] for r in page.truth["regions"] if r["handwritten"]]
        hits = [max(_overlap(r.box, b) for b in hand) >= 0.3 for r in result.regions]
        assert sum(hits) >= 0.8 * len(hits) and sum(hits) >= 3


def test_handfilled_page_through_the_stage() -> None:
    page = generate_legacy(PAGES["handfilled-scan"])
    rgb = np.asarray(page.image)
    outcome = screen_documents(
        rgb, settings=Settings(today=SCREENING_DATE), photo_box=tuple(page.truth["photo_box"])
    )
    codes = sorted(f.code for f in outcome.findings)
    assert {"LEGACY_HANDFILLED", "LEGACY_NOT_ICAO", "EDITION_WITHDRAWN"} <= set(codes)
    assert outcome.edition["id"] == "KGZ-P-1994"
    assert outcome.edition["handfilled"]["handfilled"] is True
    assert "photo" in outcome.edition


def test_features_tell_hand_from_print() -> None:
    rng = np.random.default_rng(5)
    hand = render_handwritten("Asanov Bakyt 12.05.1961", rng, height=30)
    typed = render_printed("Asanov Bakyt 12.05.1961", rng, height=30, typewriter=False)
    assert hand.ink != typed.ink or hand.alpha.shape != typed.alpha.shape
    canvas = np.full((200, 1000, 3), 235, np.uint8)

    def place(stroke, y: int) -> None:
        h, w = stroke.alpha.shape
        ink = np.array(stroke.ink, np.float32)
        region = canvas[y : y + h, 50 : 50 + w].astype(np.float32)
        a = stroke.alpha[..., None]
        canvas[y : y + h, 50 : 50 + w] = (region * (1 - a) + ink * a).astype(np.uint8)

    place(hand, 20)
    place(typed, 120)
    regions, features = page_region_features(canvas)
    assert features.shape == (len(regions), len(FEATURE_NAMES))
    by_row = {
        ("hand" if r.box[1] < 100 else "print"): f for r, f in zip(regions, features, strict=True)
    }
    wobble = FEATURE_NAMES.index("baseline_wobble")
    assert by_row["hand"][wobble] > by_row["print"][wobble]


def test_page_score_is_kth_best() -> None:
    assert page_score(np.array([0.9, 0.1, 0.8, 0.7]), 3) == pytest.approx(0.7)
    assert page_score(np.array([0.9]), 2) == 0.0


def test_generated_pages_are_reproducible() -> None:
    a = generate_legacy(PAGES["handfilled-phone"]).image.tobytes()
    b = generate_legacy(PAGES["handfilled-phone"]).image.tobytes()
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()


def test_retrain_with_same_seed_is_identical() -> None:
    from models.train_handfilled import build_dataset, fit, make_pages

    pages = make_pages(777, 6)
    features, labels = build_dataset(pages)
    first = fit(features, labels, 3).predict_proba(features)
    second = fit(features, labels, 3).predict_proba(features)
    assert np.array_equal(first, second)


def test_committed_model_matches_its_fingerprint() -> None:
    """The committed model gives the probabilities recorded when it was trained."""
    from models.train_handfilled import FINGERPRINT_FILE

    card = json.loads(CARD_FILE.read_text("utf-8"))
    model = load_model()
    assert model.k == card["k"] and model.threshold == card["threshold"]
    stored = np.load(FINGERPRINT_FILE)
    # Trained on today's features (in_frame included) and with stamp pages in validation.
    assert card["features"] == list(FEATURE_NAMES)
    assert stored["features"].shape[1] == len(FEATURE_NAMES)
    assert card["validation_stamp_pages"] >= 10
    assert card["validation_highest_stamp_page"] < card["threshold"]
    probabilities = model.classifier.predict_proba(stored["features"])[:, 1]
    assert np.allclose(probabilities, stored["probabilities"], rtol=0, atol=1e-12)
    # The fast tree walk used at run time gives the same probabilities as scikit-learn.
    assert np.allclose(
        model.region_probabilities(stored["features"]), probabilities, rtol=0, atol=1e-12
    )


@pytest.mark.slow
def test_full_retrain_matches_card() -> None:
    from models.train_handfilled import main

    assert main(["--check"]) == 0


def _rgb(path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


@pytest.mark.parametrize("name", ["td3-kgz-mild-no-mrz.jpg", "td3-kgz-hard-no-mrz.jpg"])
def test_committed_stamp_pages_are_not_handfilled(name: str) -> None:
    """Observations pages with violet/blue border stamps: printed, not hand-filled, and
    so no 1994 edition (no LEGACY_* or EDITION_WITHDRAWN) either."""
    rgb = _rgb(SAMPLES / name)
    result = assess_handfilled(rgb)
    assert not result.is_handfilled, result.to_dict()
    outcome = screen_documents(rgb, settings=Settings(today=SCREENING_DATE), check_photo=False)
    codes = {f.code for f in outcome.findings}
    assert not codes & {"LEGACY_HANDFILLED", "LEGACY_NOT_ICAO", "EDITION_WITHDRAWN"}, codes
    assert outcome.edition["id"] is None


@pytest.mark.parametrize(
    ("state", "tier", "seed"),
    [
        ("KGZ", "clean", 9_100_001),
        ("TJK", "mild", 9_100_002),
        ("KAZ", "hard", 9_100_003),
        ("UZB", "mild", 9_100_004),
    ],
)
def test_generated_stamp_pages_are_not_handfilled(state: str, tier: str, seed: int) -> None:
    import cv2

    from fixtures.specimens import random_spec, render_specimen

    spec = random_spec(np.random.default_rng(seed), format="TD3", state=state, page_kind="no_mrz")
    specimen = render_specimen(spec, capture=tier, seed=seed)
    rgb = cv2.cvtColor(specimen.image, cv2.COLOR_BGR2RGB)
    assert any(k.startswith("stamp_") for k in specimen.truth["boxes"])
    assert not assess_handfilled(rgb).is_handfilled


def test_committed_handfilled_page_still_is(tmp_path) -> None:
    """A hand-filled page saved as JPEG (as a sample would be) and read back."""
    page = generate_legacy(PAGES["handfilled-stamped-desk"])
    assert page.truth["stamp_box"] is not None
    path = tmp_path / "handfilled.jpg"
    page.image.save(path, quality=85)
    result = assess_handfilled(_rgb(path))
    assert result.is_handfilled, result.to_dict()
    # The extension stamp's lines are not among the regions reported as handwritten.
    stamp = page.truth["stamp_box"]
    assert all(_overlap(r.box, stamp) < 0.5 for r in result.regions), result.to_dict()


def test_in_frame_feature_marks_stamp_text() -> None:
    """The same printed line inside a rotated rectangle frame and on its own."""
    from PIL import Image, ImageDraw

    from fixtures.fonts import font_for_cap

    image = Image.new("RGB", (1000, 500), (235, 232, 225))
    draw = ImageDraw.Draw(image)
    font = font_for_cap("sans-bold", 14)
    draw.text((80, 100), "TORUGART 12.05.2019", font=font, fill=(70, 50, 150))
    stamp = Image.new("L", (320, 160), 0)
    stamp_draw = ImageDraw.Draw(stamp)
    stamp_draw.rounded_rectangle((10, 10, 310, 150), radius=14, outline=255, width=4)
    stamp_draw.text((40, 65), "TORUGART 12.05.2019", font=font, fill=255)
    stamp = stamp.rotate(12, expand=True)
    image.paste(Image.new("RGB", stamp.size, (70, 50, 150)), (520, 220), stamp)
    regions, features = page_region_features(np.asarray(image))
    column = FEATURE_NAMES.index("in_frame")
    framed = {
        ("stamp" if r.box[0] > 500 else "free"): f[column]
        for r, f in zip(regions, features, strict=True)
    }
    assert framed == {"free": 0.0, "stamp": 1.0}
