"""Image-quality measures and the IMAGE_* findings that ask the officer to rescan.

Measures are taken where they matter: on the MRZ band when one was located (sharpness
of the rectified line strips, character height in input pixels, saturated pixels over
the band), otherwise on the whole image. The pipeline raises the findings only when no
MRZ text could be reported (not found or unreadable): a read that passed the gate needs
no rescan, whatever the measure says.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from screening.findings import Finding, make_finding
from screening.imaging.locate import work_image

BLUR_BELOW = 0.18  # edge-sharpness score of the strips (0 = flat, ~0.5 = crisp print)
GLARE_ABOVE = 0.04  # fraction of saturated pixels
LOW_RES_CHAR_PX = 9.0  # MRZ character height in input pixels
LOW_RES_SIDE_PX = 500  # short side of an image with no MRZ located


@dataclass(frozen=True, slots=True)
class Quality:
    sharpness: float | None
    glare: float
    char_height_px: float | None
    short_side_px: int

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "sharpness": None if self.sharpness is None else round(self.sharpness, 3),
            "glare": round(self.glare, 4),
            "char_height_px": (
                None if self.char_height_px is None else round(self.char_height_px, 1)
            ),
            "short_side_px": self.short_side_px,
        }


def strip_sharpness(strips: list[np.ndarray]) -> float | None:
    """Mean of the strongest edge responses relative to the ink/paper contrast."""
    scores = []
    for strip in strips:
        img = strip.astype(np.float32)
        lo, hi = np.percentile(img, (3, 97))
        contrast = max(float(hi - lo), 1.0)
        gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
        magnitude = np.sqrt(gx * gx + gy * gy) / (4.0 * contrast)
        scores.append(float(np.percentile(magnitude, 98)))
    return float(np.mean(scores)) if scores else None


def glare_fraction(gray: np.ndarray, region: tuple[int, int, int, int] | None) -> float:
    if region is not None:
        x, y, w, h = region
        x0, y0 = max(x, 0), max(y, 0)
        patch = gray[y0 : y + h, x0 : x + w]
        if patch.size:
            gray = patch
    return float(np.mean(gray >= 250))


def measure(
    gray: np.ndarray,
    strips: list[np.ndarray],
    char_height_px: float | None,
    region: tuple[int, int, int, int] | None,
) -> Quality:
    if not strips:
        # No MRZ located: judge the whole page at the locator's working size.
        strips = [work_image(gray)[0]]
    return Quality(
        sharpness=strip_sharpness(strips),
        glare=glare_fraction(gray, region),
        char_height_px=char_height_px,
        short_side_px=int(min(gray.shape[:2])),
    )


def quality_findings(quality: Quality, region: tuple[int, int, int, int] | None) -> list[Finding]:
    """IMAGE_* findings for the measures that fall below the bar."""
    findings: list[Finding] = []
    where = {"region": region} if region else {}
    if quality.sharpness is not None and quality.sharpness < BLUR_BELOW:
        findings.append(
            make_finding(
                "IMAGE_BLUR",
                "The machine-readable zone is blurred: rescan or retake the photo holding "
                "the document still and in focus.",
                value=f"{quality.sharpness:.2f}",
                expected=f">= {BLUR_BELOW}",
                **where,
            )
        )
    if quality.glare > GLARE_ABOVE:
        findings.append(
            make_finding(
                "IMAGE_GLARE",
                "Glare hides part of the document: tilt it away from the light and rescan.",
                value=f"{quality.glare:.1%}",
                expected=f"<= {GLARE_ABOVE:.0%} saturated pixels",
                **where,
            )
        )
    low_chars = quality.char_height_px is not None and quality.char_height_px < LOW_RES_CHAR_PX
    low_side = quality.char_height_px is None and quality.short_side_px < LOW_RES_SIDE_PX
    if low_chars or low_side:
        value = (
            f"{quality.char_height_px:.1f} px characters"
            if low_chars
            else f"{quality.short_side_px} px short side"
        )
        findings.append(
            make_finding(
                "IMAGE_LOW_RESOLUTION",
                "The image resolution is too low to read the document reliably: rescan at "
                "300 dpi or closer.",
                value=value,
                expected=f">= {LOW_RES_CHAR_PX:.0f} px MRZ characters",
                **where,
            )
        )
    return findings
