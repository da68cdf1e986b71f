"""The trainers' gallery of forgery signs (``screening specimen gallery``).

One section per sign the project detects: a genuine specimen beside a forged one, both
made by the specimen generators and screened by the real screening, the sign outlined and
enlarged, and a classroom explanation in English or Russian::

    gallery = build_gallery(Path("gallery"), seed=0, lang="ru")
    write_gallery(gallery, Path("gallery"))   # gallery/index.html, gallery/gallery.json

Modules: ``catalogue`` (sections and texts, data files in ``data/``), ``makers`` (specimen
pairs), ``lists`` (the throwaway lost/stolen list store), ``build`` (make and screen),
``html`` (the page), ``picture`` (one section as a PNG).
"""

from __future__ import annotations

import json
from pathlib import Path

from screening.batch.files import write_atomic
from screening.gallery.build import SCREENING_DATE, Gallery, SectionResult, build_gallery
from screening.gallery.html import gallery_html

__all__ = [
    "SCREENING_DATE",
    "Gallery",
    "SectionResult",
    "build_gallery",
    "write_gallery",
]


def write_gallery(gallery: Gallery, out_dir: Path) -> Path:
    """Write ``index.html`` and ``gallery.json`` (the same data for tools and tests)."""
    index = out_dir / "index.html"
    write_atomic(index, gallery_html(gallery).encode("utf-8"))
    data = json.dumps(gallery.to_dict(), ensure_ascii=False, indent=1)
    write_atomic(out_dir / "gallery.json", data.encode("utf-8"))
    return index
