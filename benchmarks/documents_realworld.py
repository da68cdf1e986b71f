"""Real specimen documents as a second truth for the documents checks (issue 11).

The images of ``../shared/realworld`` (``images/`` and ``more/images/``) are genuine
printed documents: none may be called hand-filled (even when its MRZ is ignored), and
none may get a photo alert. Their portraits were annotated by viewing the images
(``benchmarks/data/realworld_portraits.json``: boxes only, no image data); from them,
:func:`substituted_copies` makes substituted copies at run time (never stored) — another
specimen holder's portrait pasted into the photo area:

* ``pasted`` — pasted as it is, square and flush (the other print's own texture and
  tones are the only signs, with the ghost image where the design has one);
* ``cut_edge`` — pasted as a glued print: turned by a degree or two, with a thin cut
  line round it and a shadow along two sides;
* ``broken_seal`` — pasted, with an inked seal over the photo's corner whose ring stops
  at the photo border.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ANNOTATIONS = Path(__file__).resolve().parent / "data" / "realworld_portraits.json"
VARIANTS = ("pasted", "cut_edge", "broken_seal")


@dataclass(frozen=True, slots=True)
class RealImage:
    file: str
    path: Path
    portrait: tuple[int, int, int, int] | None
    ghost: tuple[int, int, int, int] | None
    holder: str

    def rgb(self) -> np.ndarray:
        return np.asarray(Image.open(self.path).convert("RGB"))


def load_images(root: Path) -> list[RealImage]:
    """The annotated real images present under ``root`` (checked against their sha256)."""
    records = json.loads(ANNOTATIONS.read_text("utf-8"))["images"]
    out = []
    for rec in records:
        path = root / rec["file"]
        if not path.is_file():
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != rec["sha256"]:
            raise ValueError(f"{path}: not the image the portrait boxes were drawn on")
        out.append(
            RealImage(
                file=rec["file"],
                path=path,
                portrait=tuple(rec["portrait"]) if rec["portrait"] else None,  # type: ignore[arg-type]
                ghost=tuple(rec["ghost"]) if rec["ghost"] else None,  # type: ignore[arg-type]
                holder=rec["holder"],
            )
        )
    return out


def encode_png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def _donor(images: list[RealImage], target: RealImage, index: int) -> RealImage:
    """Another holder's portrait, taken half-way round the list."""
    with_portrait = [im for im in images if im.portrait is not None]
    start = (with_portrait.index(target) + len(with_portrait) // 2 + index) % len(with_portrait)
    for k in range(len(with_portrait)):
        candidate = with_portrait[(start + k) % len(with_portrait)]
        if candidate.holder != target.holder:
            return candidate
    raise ValueError("no donor of another holder")


def _seal_outside(
    page: Image.Image, box: tuple[int, int, int, int], rng: np.random.Generator
) -> None:
    """An inked double-ring seal over the photo's lower right corner, drawn on the page
    only: its ring stops at the photo border."""
    from fixtures.marks import seal_mask

    x, y, w, h = box
    radius = w * 0.35
    centre = (x + w + rng.uniform(-0.2, 0.2) * radius, y + h + rng.uniform(-0.2, 0.2) * radius)
    mask = seal_mask(radius, "MINISTRY * PASSPORT OFFICE *", rng, opacity=0.7)
    full = Image.new("L", page.size, 0)
    full.paste(mask, (round(centre[0] - mask.width / 2), round(centre[1] - mask.height / 2)))
    ImageDraw.Draw(full).rectangle((x, y, x + w - 1, y + h - 1), fill=0)
    page.paste(Image.new("RGB", page.size, (75, 50, 150)), (0, 0), full)


def substituted_copy(
    target: RealImage, donor: RealImage, variant: str, seed: int
) -> tuple[np.ndarray, dict[str, Any]]:
    """``target`` with ``donor``'s portrait pasted into its photo area (see the module)."""
    assert target.portrait is not None and donor.portrait is not None
    rng = np.random.default_rng(seed)
    page = Image.open(target.path).convert("RGB")
    x, y, w, h = target.portrait
    dx, dy, dw, dh = donor.portrait
    photo = Image.open(donor.path).convert("RGB").crop((dx, dy, dx + dw, dy + dh))
    photo = photo.resize((w, h), Image.Resampling.LANCZOS)
    truth: dict[str, Any] = {"variant": variant, "donor": donor.file}
    if variant == "cut_edge":
        tone = (245, 245, 245) if rng.random() < 0.5 else (60, 60, 60)
        ImageDraw.Draw(photo).rectangle((0, 0, w - 1, h - 1), outline=tone, width=1)
        depth = max(2, round(w * 0.025))
        shadow = Image.new("L", page.size, 0)
        ImageDraw.Draw(shadow).rectangle(
            (x + depth, y + depth, x + w + depth, y + h + depth), fill=90
        )
        shadow = shadow.filter(ImageFilter.GaussianBlur(depth / 2))
        page.paste(Image.new("RGB", page.size, (0, 0, 0)), (0, 0), shadow)
        tilt = float(rng.uniform(1.0, 2.0) * rng.choice([-1, 1]))
        turned = photo.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True)
        mask = Image.new("L", photo.size, 255).rotate(tilt, expand=True)
        page.paste(
            turned,
            (round(x + w / 2 - turned.width / 2), round(y + h / 2 - turned.height / 2)),
            mask,
        )
        truth["tilt_deg"] = round(tilt, 2)
    else:
        page.paste(photo, (x, y))
    if variant == "broken_seal":
        _seal_outside(page, target.portrait, rng)
    return np.asarray(page), truth


def substituted_copies(images: list[RealImage]) -> Iterator[tuple[RealImage, str, np.ndarray]]:
    """Every variant for every image with a portrait (seeded, reproducible)."""
    for i, target in enumerate(images):
        if target.portrait is None:
            continue
        for j, variant in enumerate(VARIANTS):
            donor = _donor(images, target, j)
            rgb, _ = substituted_copy(target, donor, variant, seed=1000 * i + j)
            yield target, variant, rgb
