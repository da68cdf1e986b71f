"""One gallery section as a PNG picture (the README shows one), drawn directly with
OpenCV and Pillow from a built gallery's ``gallery.json`` and its specimen files.

Drawn rather than screenshotted so the picture is the same on every machine (no browser,
no font differences): the genuine page and the forged one with the screening's outlines
and the sign's place, the verdicts and findings, the sign enlarged on both, and what to
look for.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from screening.errors import InputFileError
from screening.gallery.catalogue import texts
from screening.report.annotate import Outline, as_box, view_outlines
from screening.report.picture import COLOURS, draw_outlines, zoom

PANE = 780
GAP = 40
WIDTH = 2 * PANE + 3 * GAP // 2
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)
VERDICT_COLOURS = {"clear": (27, 94, 32), "refer": (160, 90, 0), "alert": (176, 0, 32)}


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT_FILES[bold], size)
    except OSError:  # fonts-dejavu-core missing: still a picture, in the default font
        return ImageFont.load_default()


def _annotated(root: Path, shot: Mapping[str, Any], sign: list[Any]) -> np.ndarray:
    bgr = cv2.imread(str(root / shot["file"]), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputFileError(f"{root / shot['file']}: cannot read the specimen image")
    marks = [Outline(as_box(b), "sign", "") for b in sign]
    marks += view_outlines(shot["report"], shot.get("source"))
    drawn = draw_outlines(bgr, marks)
    scale = PANE / drawn.shape[1]
    size = (PANE, round(drawn.shape[0] * scale))
    return cv2.resize(drawn, size, interpolation=cv2.INTER_AREA)


def _rgb(bgr: np.ndarray) -> Image.Image:
    return Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def section_picture(root: Path, data: Mapping[str, Any], key: str) -> Image.Image:
    """Section ``key`` of the gallery built in ``root`` (``data``: its gallery.json)."""
    section = next(s for s in data["sections"] if s["key"] == key)
    words = texts(str(data.get("lang", "en")))
    labels, text = words["labels"], words["sections"][key]
    sign = section["sign"]
    genuine = _annotated(root, section["genuine"], sign if section["same_layout"] else [])
    forged = _annotated(root, section["forged"], sign)
    zooms = []
    for role in ("genuine", "forged") if section["same_layout"] else ("forged",):
        bgr = cv2.imread(str(root / section[role]["file"]), cv2.IMREAD_COLOR)
        zooms.append((labels[role], zoom(bgr, as_box(sign[0]))[0]))
    pages_h = max(genuine.shape[0], forged.shape[0])
    zoom_h = max(z.shape[0] for _, z in zooms)
    look = textwrap.wrap(text["look_for"], 125)
    height = 70 + 40 + pages_h + 120 + 40 + zoom_h + 30 + 34 * len(look) + 60
    canvas = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(canvas)
    draw.text((GAP // 2, 18), text["title"], fill=(20, 20, 20), font=_font(34, bold=True))
    y = 80
    for x, shot, picture, role in (
        (GAP // 2, section["genuine"], genuine, "genuine"),
        (GAP // 2 + PANE + GAP, section["forged"], forged, "forged"),
    ):
        verdict = str(shot["report"]["verdict"])
        draw.text((x, y), f"{labels[role]}: ", fill=(20, 20, 20), font=_font(26, bold=True))
        offset = draw.textlength(f"{labels[role]}: ", font=_font(26, bold=True))
        word = labels[f"verdict_{verdict}"].upper()
        draw.text((x + offset, y), word, fill=VERDICT_COLOURS[verdict], font=_font(26, True))
        canvas.paste(_rgb(picture), (x, y + 40))
        codes = [f["code"] for f in shot["report"]["findings"]] or [labels["no_findings"]]
        for i, line in enumerate(textwrap.wrap(", ".join(codes), 60)[:3]):
            draw.text((x, y + 50 + pages_h + 30 * i), line, fill=(60, 60, 60), font=_font(22))
    y += 40 + pages_h + 120
    draw.text((GAP // 2, y), labels["where"], fill=(20, 20, 20), font=_font(24, bold=True))
    x = GAP // 2
    for caption, picture in zooms:
        canvas.paste(_rgb(picture), (x, y + 40))
        draw.text((x, y + 45 + picture.shape[0]), caption, fill=(60, 60, 60), font=_font(20))
        x += picture.shape[1] + GAP
    colour = COLOURS["sign"][::-1]
    key_x = GAP // 2 + draw.textlength(labels["where"], font=_font(24, bold=True)) + GAP
    draw.rectangle((key_x, y + 4, key_x + 24, y + 28), outline=colour, width=4)
    draw.text((key_x + 34, y + 4), labels["legend_sign"], fill=(60, 60, 60), font=_font(20))
    y += 40 + zoom_h + 40
    draw.text((GAP // 2, y), labels["look_for"], fill=(20, 20, 20), font=_font(24, bold=True))
    for i, line in enumerate(look):
        draw.text((GAP // 2, y + 36 + 34 * i), line, fill=(40, 40, 40), font=_font(22))
    return canvas
