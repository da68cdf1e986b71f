"""Build the gallery: make each section's pair, screen both pages with the real screening,
and keep what the HTML page and the tests need.

For every available section (:mod:`screening.gallery.catalogue`) the maker draws a pair
from the seed; both pages are written to ``DIR/specimens/`` (with their truth JSON, for
exercises) and screened by a :class:`~screening.session.ScreeningSession` against the
throwaway list store, with the annotated view's extra stages. The forged page must get
one of the section's codes and the genuine one none; when a pair does not show that, the
next seed is tried (at most ``MAX_TRIES``) and the page says how many were tried. A
section still not caught is shown as it is, marked missed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from screening import __version__
from screening.batch.files import write_atomic
from screening.errors import OutputFileError
from screening.gallery.catalogue import Section, select
from screening.gallery.lists import GalleryLists
from screening.gallery.makers import make_pair, require_generator
from screening.gallery.pairs import Page, Pair, Request
from screening.pipeline import ScanOptions
from screening.report.annotate import Box
from screening.report.details import DETAIL_STAGES
from screening.report.picture import encode
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings

# The generator makes documents valid on this date (fixtures.identity.REFERENCE_DATE);
# screened later, every genuine specimen would become an expired document.
SCREENING_DATE = date(2026, 11, 28)
MAX_TRIES = 3
SEED_STEP = 1009
DEFAULT_DPI = 200


@dataclass(slots=True)
class Shot:
    page: Page
    file: str  # relative to the gallery folder: the image shown
    report: dict[str, Any]  # a scan report, or a booklet report for a booklet page
    source: str | None = None  # the shown scan's name inside the booklet report
    target: str = ""  # what was written and screened: the image, or the booklet folder

    def codes(self) -> list[str]:
        return [str(f["code"]) for f in self.report.get("findings") or []]


@dataclass(slots=True)
class SectionResult:
    section: Section
    genuine: Shot
    forged: Shot
    sign: list[Box]
    made: str
    seed: int
    tries: int
    same_layout: bool

    @property
    def caught(self) -> bool:
        codes = set(self.section.codes)
        return bool(codes & set(self.forged.codes())) and not codes & set(self.genuine.codes())

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.section.key,
            "codes": list(self.section.codes),
            "caught": self.caught,
            "seed": self.seed,
            "tries": self.tries,
            "made": self.made,
            "photo_check": self.section.photo_check,
            "sign": [list(b) for b in self.sign],
            "same_layout": self.same_layout,
            "genuine": _shot_dict(self.genuine),
            "forged": _shot_dict(self.forged),
        }


def _shot_dict(shot: Shot) -> dict[str, Any]:
    height, width = shot.page.bgr.shape[:2]
    return {
        "file": shot.file,
        "size": [width, height],
        "report": shot.report,
        "source": shot.source,
    }


@dataclass(slots=True)
class Gallery:
    seed: int
    lang: str
    today: date
    results: list[SectionResult] = field(default_factory=list)
    missing: list[Section] = field(default_factory=list)
    lists: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "screening.gallery/1",
            "screening_version": __version__,
            "seed": self.seed,
            "lang": self.lang,
            "today": self.today.isoformat(),
            "lists": self.lists,
            "sections": [r.to_dict() for r in self.results],
            "missing": [
                {
                    "key": s.key,
                    "codes": list(s.codes),
                    "reason": "no check" if not s.check_exists else "no maker",
                }
                for s in self.missing
            ],
        }


def _digest(path: Path) -> str:
    """Content digest of a file, or of every file of a booklet folder."""
    digest = hashlib.sha256()
    for item in sorted(path.iterdir()) if path.is_dir() else [path]:
        digest.update(item.name.encode("utf-8") + b"\0" + item.read_bytes())
    return digest.hexdigest()


class _Screener:
    """Sessions opened once per photo-check setting and screening date, re-opened after a
    list import; results cached by content (pairs share their genuine page)."""

    def __init__(self, lists: GalleryLists, today: date) -> None:
        self.lists = lists
        self.today = today
        self.sessions: dict[tuple[bool, date], ScreeningSession] = {}
        self.cache: dict[tuple[str, bool, date], dict[str, Any]] = {}

    def reopen(self) -> None:
        self.close()

    def _session(self, photo_check: bool, today: date) -> ScreeningSession:
        if (photo_check, today) not in self.sessions:
            settings = Settings(today=today, lists_url=self.lists.url)
            self.sessions[(photo_check, today)] = ScreeningSession.open(
                settings, ScanOptions(), SessionOptions(check_photo=photo_check)
            )
        return self.sessions[(photo_check, today)]

    def scan(self, path: Path, photo_check: bool, today: date | None = None) -> dict[str, Any]:
        """The report of a page image, or of a whole booklet when ``path`` is a folder."""
        today = today or self.today
        key = (_digest(path), photo_check, today)
        if key not in self.cache:
            session = self._session(photo_check, today)
            if path.is_dir():
                from screening.booklet import screen_booklet  # booklet sections only

                self.cache[key] = screen_booklet(session, path).to_dict()
            else:
                report = session.scan(path, extra_stages=DETAIL_STAGES)
                self.cache[key] = report.to_dict()
        report = dict(self.cache[key])
        report["file"] = path.name
        return report

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.sessions.clear()


def _save(page: Page, folder: Path) -> tuple[str, str, str | None]:
    """Write ``page`` (with its truth JSON) under ``folder``: (what to screen, the image
    shown, its scan name inside a booklet), paths relative to the gallery folder."""
    if page.booklet is not None:
        from fixtures.booklet import write_booklet

        write_booklet(page.booklet, folder / page.name, container="folder")
        source = str(page.booklet.truth["images"][page.focus]["file"])
        return f"specimens/{page.name}", f"specimens/{page.name}/{source}", source
    name = f"{page.name}.png"
    write_atomic(folder / name, encode(page.bgr, kind="png"))
    truth = json.dumps(page.truth, ensure_ascii=False, indent=1, default=str)
    write_atomic(folder / f"{page.name}.json", truth.encode("utf-8"))
    return f"specimens/{name}", f"specimens/{name}", None


def _targets(results: list[SectionResult]) -> set[str]:
    return {shot.target for r in results for shot in (r.genuine, r.forged)}


def _prune(out_dir: Path, tried: list[SectionResult], kept: list[SectionResult]) -> None:
    """Remove the specimens of pairs tried and not shown (a whole booklet is ~25 MB)."""
    for target in _targets(tried) - _targets(kept):
        path = out_dir / target
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            path.with_name(path.name + ".truth.json").unlink(missing_ok=True)
        else:
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)


def _screen_pair(
    section: Section, pair: Pair, screener: _Screener, out_dir: Path, seed: int, tries: int
) -> SectionResult:
    if screener.lists.ensure(pair.listed):
        screener.reopen()  # a new list version: sessions read the active one when opened
        screener.cache.clear()
    shots = []
    for page in (pair.genuine, pair.forged):
        target, shown, source = _save(page, out_dir / "specimens")
        report = screener.scan(out_dir / target, section.photo_check, page.today)
        shots.append(Shot(page, shown, report, source, target))
    return SectionResult(
        section, shots[0], shots[1], pair.sign, pair.made, seed, tries, pair.same_layout
    )


def build_gallery(
    out_dir: Path,
    *,
    seed: int = 0,
    lang: str = "en",
    keys: list[str] | None = None,
    dpi: int = DEFAULT_DPI,
    today: date = SCREENING_DATE,
) -> Gallery:
    """Make, screen and collect every available section (``keys``: a subset). Writes the
    specimens under ``out_dir/specimens``; the page is written by
    :func:`screening.gallery.write_gallery`."""
    require_generator()
    chosen = select(keys)
    try:
        (out_dir / "specimens").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFileError(f"{out_dir}: cannot create ({error.strerror or error})") from None
    gallery = Gallery(seed=seed, lang=lang, today=today)
    gallery.missing = [s for s in chosen if not s.available]
    available = [s for s in chosen if s.available]
    # Every first pair is made before any is screened, so one list version (holding every
    # listed number) serves the whole gallery and shared pages are screened once.
    first = [make_pair(s.maker, Request(s.key, seed, dpi, s.params)) for s in available]
    with GalleryLists(seed) as lists:
        lists.ensure(row for pair in first for row in pair.listed)
        screener = _Screener(lists, today)
        try:
            tried: list[SectionResult] = []
            for section, pair in zip(available, first, strict=True):
                result = _screen_pair(section, pair, screener, out_dir, seed, 1)
                tried.append(result)
                for attempt in range(1, MAX_TRIES):
                    if result.caught:
                        break
                    pair_seed = seed + attempt * SEED_STEP
                    pair = make_pair(
                        section.maker, Request(section.key, pair_seed, dpi, section.params)
                    )
                    result = _screen_pair(section, pair, screener, out_dir, pair_seed, attempt + 1)
                    tried.append(result)
                gallery.results.append(result)
        finally:
            screener.close()
        _prune(out_dir, tried, gallery.results)
        gallery.lists = lists.summary()
    return gallery
