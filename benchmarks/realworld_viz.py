"""Visual-zone cases on real document designs: the real images of ``../shared/realworld``
(genuine), and altered copies of them made at run time, never stored.

Where each printed field is comes from ``benchmarks/data/realworld_viz_boxes.json``
(boxes and field names only). An altered copy replaces one glyph of a printed value by
another glyph cut from the same value on the same page, scaled to the replaced glyph's
box, as a forger with a scanner and an editor would:

- ``document_number``: a digit near the middle of the number;
- ``birth_date`` / ``expiry_date``: the last glyph of the date (the year's last digit in
  every format that prints the year last);
- ``surname``: a letter near the middle of the name.

The donor is a glyph of another character whose identity is known: the MRZ gives the
characters of the number and the surname, so when a value cuts into exactly that many
glyphs each glyph's character is known (a digit from the printed number is the donor for
a date). A value whose glyphs cannot be cut apart (touching letters, a box holding more
than the value) gives no case; the benchmark says how many were made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

BOXES = Path(__file__).resolve().parent / "data" / "realworld_viz_boxes.json"
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
ALTERED_FIELDS = ("document_number", "birth_date", "expiry_date", "surname")
# Genuine images whose printed page itself differs from their MRZ: the ICAO 9303 TD1
# example figure prints the surname ERIKKSON above an MRZ saying ERIKSSON. A mismatch
# there is a true finding, counted apart from false alerts.
KNOWN_DISCREPANCIES = {"fastmrz__td1": "surname"}


@dataclass(slots=True)
class RealCase:
    path: Path
    group: str
    field: str | None
    subtlety: str
    tier: str
    image: bytes | None = None


def records() -> Iterator[tuple[Path, dict]]:
    """(image path, record) of every real image with transcribed MRZ lines."""
    for index in (REALWORLD / "images.jsonl", REALWORLD / "more" / "images.jsonl"):
        if not index.is_file():
            continue
        for line in index.read_text("utf-8").splitlines():
            record = json.loads(line)
            if record.get("mrz_lines"):
                yield index.parent / record["file"], record


def glyph_boxes(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Glyphs of a printed value, left to right: dark blobs (Otsu), pieces stacked above
    each other (accents, dots) merged, specks dropped."""
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    blobs = [tuple(int(v) for v in stats[i][:4]) for i in range(1, count)]
    height = grey.shape[0]
    blobs = [b for b in blobs if b[3] >= 0.3 * height and b[2] * b[3] >= 6]
    blobs.sort(key=lambda b: b[0])
    merged: list[list[int]] = []
    for x, y, w, h in blobs:
        if merged and x < merged[-1][0] + merged[-1][2] * 0.6:
            m = merged[-1]
            x1, y1 = max(m[0] + m[2], x + w), max(m[1] + m[3], y + h)
            m[0], m[1] = min(m[0], x), min(m[1], y)
            m[2], m[3] = x1 - m[0], y1 - m[1]
        else:
            merged.append([x, y, w, h])
    return [(m[0], m[1], m[2], m[3]) for m in merged]


def _mrz_fields(record: dict) -> dict:
    from screening.mrz import check_mrz
    from screening.settings import Settings

    return check_mrz(record["mrz_lines"], Settings()).fields


def _printed_chars(fields: dict, field: str) -> str:
    """The characters the printed value has, in order, where the MRZ says so."""
    value = str(fields.get(field) or "")
    return value.replace("<", "").replace(" ", "")


def _cut(image: np.ndarray, box: list[int]) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    x, y, w, h = box
    grey = cv2.cvtColor(image[y : y + h, x : x + w], cv2.COLOR_BGR2GRAY)
    return grey, [(gx + x, gy + y, gw, gh) for gx, gy, gw, gh in glyph_boxes(grey)]


def _known_glyphs(image: np.ndarray, box: list[int] | None, chars: str) -> list[tuple[str, tuple]]:
    """(character, input-pixel box) of each glyph of a value whose characters are known,
    when the value cuts into exactly that many glyphs."""
    if box is None or not chars:
        return []
    _, glyphs = _cut(image, box)
    return list(zip(chars, glyphs, strict=True)) if len(glyphs) == len(chars) else []


def alter(
    image: np.ndarray, boxes: dict[str, list[int]], field: str, fields: dict
) -> np.ndarray | None:
    """A copy of ``image`` with one glyph of ``field`` replaced by a glyph of another
    character cut from the same page (see the module docstring), or None."""
    if field in ("birth_date", "expiry_date"):
        _, glyphs = _cut(image, boxes[field])
        if len(glyphs) < 4:
            return None
        target = glyphs[-1]
        raw = str(fields.get(field + "_raw") or "")
        # The last glyph is the year's last digit (or, printed year first, the day's):
        # the donor is a digit that is neither, from the number or from this date.
        avoid = {raw[1:2], raw[5:6]}
        donors = [
            g
            for c, g in _known_glyphs(
                image, boxes.get("document_number"), _printed_chars(fields, "document_number")
            )
            if c.isdigit() and c not in avoid
        ]
    else:
        known = _known_glyphs(image, boxes[field], _printed_chars(fields, field))
        if len(known) < 3:
            return None
        kind = str.isdigit if field == "document_number" else str.isalpha
        inner = [i for i in range(1, len(known) - 1) if kind(known[i][0])]
        if not inner:
            return None
        char, target = known[inner[len(inner) // 2]]
        donors = [g for c, g in known if kind(c) and c != char]
    tx, ty, tw, th = target
    donors = [g for g in donors if 0.6 < g[3] / th < 1.6 and 0.4 < g[2] / max(tw, 1) < 2.5]
    if not donors:
        return None
    gx, gy, gw, gh = donors[len(donors) // 2]
    out = image.copy()
    out[ty : ty + th, tx : tx + tw] = cv2.resize(image[gy : gy + gh, gx : gx + gw], (tw, th))
    return out


def cases() -> list[RealCase]:
    """Every genuine real image, then the altered copies that could be made."""
    out = []
    by_file = {}
    for path, record in records():
        tier = str(record.get("capture") or "scan")
        known = KNOWN_DISCREPANCIES.get(path.stem)
        if known:
            out.append(RealCase(path, "real_discrepancy", known, "printed_in_the_figure", tier))
        else:
            out.append(RealCase(path, "genuine", None, "genuine", tier))
        by_file[str(path.relative_to(REALWORLD))] = (path, record, tier)
    if not BOXES.is_file():
        return out
    for entry in json.loads(BOXES.read_text("utf-8"))["images"]:
        if entry["file"] not in by_file:
            continue
        path, record, tier = by_file[entry["file"]]
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        fields = _mrz_fields(record)
        for field in entry["fields"]:
            if field not in ALTERED_FIELDS or image is None:
                continue
            altered = alter(image, entry["fields"], field, fields)
            if altered is None:
                continue
            ok, png = cv2.imencode(".png", altered)
            if ok:
                name = path.with_name(f"{path.stem}-altered-{field}.png")
                out.append(
                    RealCase(name, "viz_altered", field, "glyph_from_page", tier, png.tobytes())
                )
    return out
