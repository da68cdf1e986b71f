"""Photo-substitution detection on generated genuine and substituted pages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fixtures.photo import legacy_photo_specimen, mrz_photo_specimen
from screening.documents.photo import (
    CARD_FILE,
    FEATURE_NAMES,
    assess_photo,
    load_model,
    locate_photo,
    photo_box_from_mrz,
    photo_features,
    photo_findings,
)
from screening.documents.registry import load_registry

# Seeds outside the training/validation/evaluation ranges of models/train_photo.py.
CASES = {
    "legacy-genuine": (lambda: legacy_photo_specimen(8_100_001, substituted=False), False),
    "legacy-substituted": (lambda: legacy_photo_specimen(8_100_002, substituted=True), True),
    "mrz-genuine": (lambda: mrz_photo_specimen(8_100_003, substituted=False), False),
    "mrz-substituted": (lambda: mrz_photo_specimen(8_100_004, substituted=True), True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_photo_decision(name: str) -> None:
    make, substituted = CASES[name]
    specimen = make()
    result = assess_photo(specimen.image, specimen.photo_box)
    assert result.suspected is substituted, (name, specimen.truth["substitution"], result.score)
    findings = photo_findings(result)
    if substituted:
        assert [f.code for f in findings] == ["PHOTO_SUBSTITUTION_SUSPECTED"]
        evidence = findings[0].evidence
        assert evidence.region == tuple(specimen.photo_box)
        assert evidence.extra["signs"] and evidence.extra["checklist"]
    else:
        assert findings == []


def test_seal_ring_continuity_feature() -> None:
    """The ring prominence inside the photo collapses when the seal is not continued."""
    genuine = legacy_photo_specimen(8_200_001, substituted=False)
    rng_signs = {"signs": ["seal_missing"]}
    from fixtures.legacy import capture, random_legacy_spec, render_legacy_page
    from fixtures.photo import substitute_photo

    spec = random_legacy_spec(8_200_001)
    page = render_legacy_page(spec)
    substitute_photo(
        page.image,
        page.truth["photo_box"],
        page.truth["seal"],
        np.random.default_rng(1),
        signs=rng_signs["signs"],
    )
    forged = np.asarray(capture(page.image, genuine.truth["tier"], np.random.default_rng(2)))
    index = FEATURE_NAMES.index("ring_continuity")
    f_genuine = photo_features(genuine.image, genuine.photo_box)
    f_forged = photo_features(forged, page.truth["photo_box"])
    assert f_genuine[index] > 0.5
    assert f_forged[index] < 0.3


def test_locate_photo_finds_the_photo_near_the_template() -> None:
    specimen = legacy_photo_specimen(8_300_001, substituted=False)
    x, y, w, h = locate_photo(specimen.image, load_registry().default_photo_zone)
    tx, ty, tw, th = specimen.photo_box
    # The side edges are sharp; the top edge of a pale backdrop on pale paper is not.
    assert abs(x - tx) <= 6 and abs((x + w) - (tx + tw)) <= 6
    ix = max(0, min(x + w, tx + tw) - max(x, tx))
    iy = max(0, min(y + h, ty + th) - max(y, ty))
    union = w * h + tw * th - ix * iy
    assert ix * iy / union >= 0.85


def test_photo_box_from_the_mrz_position() -> None:
    specimen = mrz_photo_specimen(8_300_002, substituted=False, tier="mild", fmt="TD3")
    mrz_box = specimen.truth["boxes"]["mrz_text"]["bbox"]
    box = photo_box_from_mrz(specimen.image, mrz_box, "TD3")
    assert box is not None
    x, y, w, h = box
    tx, ty, tw, th = specimen.photo_box
    ix = max(0, min(x + w, tx + tw) - max(x, tx))
    iy = max(0, min(y + h, ty + th) - max(y, ty))
    assert ix * iy / (w * h + tw * th - ix * iy) >= 0.85
    assert photo_box_from_mrz(specimen.image, mrz_box, "TD1") is None  # MRZ on the back


def test_box_outside_image_is_a_clear_error() -> None:
    image = np.zeros((100, 100, 3), np.uint8)
    with pytest.raises(ValueError, match="outside the image"):
        photo_features(image, (80, 80, 50, 50))


def test_committed_model_matches_its_fingerprint() -> None:
    """The committed model gives the scores recorded when it was trained."""
    from models.train_photo import FINGERPRINT_FILE

    card = json.loads(CARD_FILE.read_text("utf-8"))
    model = load_model()
    assert model.threshold == card["threshold"]
    stored = np.load(FINGERPRINT_FILE)
    scores = model.classifier.predict_proba(stored["features"])[:, 1]
    assert np.allclose(scores, stored["probabilities"], rtol=0, atol=1e-12)
    # The fast tree walk used at run time gives the same scores as scikit-learn.
    assert model.forest is not None
    assert np.allclose(model.forest.positive_proba(stored["features"]), scores, rtol=0, atol=1e-12)


def test_retrain_with_same_seed_is_identical() -> None:
    from models.train_photo import fit, make_set

    features, labels = make_set(555, 4)
    first = fit(features, labels, 3).predict_proba(features)
    second = fit(features, labels, 3).predict_proba(features)
    assert np.array_equal(first, second)


@pytest.mark.slow
def test_full_retrain_matches_card() -> None:
    from models.train_photo import main

    assert main(["--check"]) == 0
