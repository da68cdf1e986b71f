"""The edition registry: load and validate ``data/editions.toml``, identify an edition.

An *edition* is one generation of one state's document (the 1994 Kyrgyz passport, the
2006 Kyrgyz passport, ...). The facts live in the data file, each with its provenance
(a cited source or ``illustrative``); this module only reads them and matches documents
against them:

* :func:`identify_from_mrz` — from MRZ fields: issuing state, document code, document
  number pattern, and whether the estimated issue year (expiry minus validity) falls in
  the edition's years of issue;
* :func:`identify_from_page` — from what the page itself shows when there is no MRZ:
  hand-filled or printed, photo side, a state hint.

Both return an :class:`Identification` with a confidence in [0, 1] and the reasons.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from screening.errors import ExitCode, ScreeningError

ILLUSTRATIVE = "illustrative"
FILL_METHODS = frozenset({"handwritten", "printed"})
MRZ_FORMATS = frozenset({"TD1", "TD2", "TD3", "MRVA", "MRVB"})
REQUIRED_KEYS = (
    "id",
    "issuing_state",
    "document_type",
    "name",
    "issued_from",
    "validity_years",
    "machine_readable",
    "fill_method",
    "number_pattern",
    "page_count",
    "security_features",
    "forgery_signs",
    "layout",
    "provenance",
)
# Facts that must say where they come from (when present in the edition).
SOURCED_FACTS = (
    "issued_from",
    "issued_until",
    "validity_years",
    "last_valid",
    "machine_readable",
    "mrz_formats",
    "fill_method",
    "number_pattern",
    "page_count",
    "security_features",
    "forgery_signs",
    "layout",
)
# Facts only some editions state; when stated, they must say where they come from too.
OPTIONAL_SOURCED_FACTS = ("number_on_every_page",)

# Weights of the MRZ evidence; state must match for an edition to be a candidate at all.
_W_TYPE = 0.2
_W_NUMBER = 0.4
_W_DATES = 0.4


class EditionRegistryError(ScreeningError):
    """The editions data file is missing or breaks its schema."""

    exit_code = ExitCode.missing_dependency


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Edition:
    id: str
    issuing_state: str
    document_type: str
    name: str
    issued_from: int
    issued_until: int | None
    validity_years: int
    last_valid: date | None
    machine_readable: bool
    fill_method: str
    number_pattern: str
    page_count: int
    security_features: tuple[str, ...]
    forgery_signs: tuple[str, ...]
    layout: Mapping[str, Any]
    provenance: Mapping[str, str]
    mrz_formats: tuple[str, ...] = ()  # empty: the registry does not say
    # The passport number is printed or perforated on every page (booklet checks).
    number_on_every_page: bool = False

    @property
    def handwritten(self) -> bool:
        return self.fill_method == "handwritten"

    def is_withdrawn_on(self, day: date) -> bool:
        """True when the state (or ICAO) withdrew the edition before ``day``."""
        return self.last_valid is not None and day > self.last_valid

    def matches_number(self, number: str) -> bool:
        return re.fullmatch(self.number_pattern.strip("^$"), number) is not None

    def accepts_document_code(self, code: str) -> bool:
        """The MRZ document code belongs to this edition's family: the first letter says
        passport (P), card (I, A, C) or visa (V) in ICAO 9303."""
        code = code.replace("<", "")
        return not code or code[0] == self.document_type[0]

    def accepts_mrz_format(self, mrz_format: str | None) -> bool:
        """The MRZ format fits, or one of the two is unknown."""
        return not mrz_format or not self.mrz_formats or mrz_format in self.mrz_formats

    def issued_in(self, year: int, *, today: date) -> bool:
        last = self.issued_until if self.issued_until is not None else today.year
        return self.issued_from <= year <= last

    def illustrative_facts(self) -> list[str]:
        return sorted(k for k, v in self.provenance.items() if v == ILLUSTRATIVE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "issuing_state": self.issuing_state,
            "document_type": self.document_type,
            "name": self.name,
            "issued_from": self.issued_from,
            "issued_until": self.issued_until,
            "validity_years": self.validity_years,
            "last_valid": self.last_valid.isoformat() if self.last_valid else None,
            "machine_readable": self.machine_readable,
            "mrz_formats": list(self.mrz_formats),
            "fill_method": self.fill_method,
            "number_pattern": self.number_pattern,
            "page_count": self.page_count,
            "number_on_every_page": self.number_on_every_page,
            "security_features": list(self.security_features),
            "forgery_signs": list(self.forgery_signs),
            "layout": dict(self.layout),
            "provenance": dict(self.provenance),
        }


@dataclass(frozen=True, slots=True)
class Registry:
    editions: tuple[Edition, ...]
    sources: Mapping[str, Source]
    non_machine_readable_expired_by: date
    icao_source: str
    checklists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default_photo_zone: tuple[float, float, float, float] = (0.048, 0.16, 0.26, 0.48)
    # format -> (MRZ text width in mm, photo [dx, dy, w, h] in mm from the MRZ text corner)
    mrz_anchored_photo: Mapping[str, tuple[float, tuple[float, float, float, float]]] = field(
        default_factory=dict
    )

    def get(self, edition_id: str) -> Edition:
        for edition in self.editions:
            if edition.id == edition_id:
                return edition
        raise KeyError(edition_id)

    def by_state(self, state: str) -> list[Edition]:
        return [e for e in self.editions if e.issuing_state == state]

    def photo_zone(self, edition: Edition | None) -> tuple[float, float, float, float]:
        """The edition's photo zone (layout.photo_zone) or the default one."""
        if edition is not None and "photo_zone" in edition.layout:
            return _photo_zone(edition.layout["photo_zone"])
        return self.default_photo_zone


@dataclass(frozen=True, slots=True)
class Identification:
    """The best edition for a document (or none) and how sure we are."""

    edition: Edition | None
    confidence: float
    method: str  # "mrz" | "page"
    reasons: tuple[str, ...] = ()
    candidates: tuple[tuple[str, float], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.edition.id if self.edition else None,
            "name": self.edition.name if self.edition else None,
            "confidence": round(self.confidence, 3),
            "method": self.method,
            "reasons": list(self.reasons),
            "candidates": [{"id": i, "score": round(s, 3)} for i, s in self.candidates],
        }


def _parse_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise EditionRegistryError(f"{where}: not an ISO date: {value!r}") from error


def _parse_edition(raw: Mapping[str, Any], sources: Mapping[str, Source]) -> Edition:
    where = f"edition {raw.get('id', '?')}"
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        raise EditionRegistryError(f"{where}: missing keys {', '.join(missing)}")
    provenance: Mapping[str, str] = raw["provenance"]
    for fact in SOURCED_FACTS + OPTIONAL_SOURCED_FACTS:
        if fact not in raw:
            continue
        origin = provenance.get(fact)
        if origin is None:
            raise EditionRegistryError(f"{where}: fact {fact!r} has no provenance")
        if origin != ILLUSTRATIVE and origin not in sources:
            raise EditionRegistryError(f"{where}: fact {fact!r} cites unknown source {origin!r}")
    if raw["fill_method"] not in FILL_METHODS:
        raise EditionRegistryError(f"{where}: fill_method must be one of {sorted(FILL_METHODS)}")
    try:
        re.compile(raw["number_pattern"])
    except re.error as error:
        raise EditionRegistryError(f"{where}: bad number_pattern: {error}") from error
    if bool(raw["layout"].get("has_mrz")) != bool(raw["machine_readable"]):
        raise EditionRegistryError(f"{where}: layout.has_mrz contradicts machine_readable")
    mrz_formats = tuple(str(f) for f in raw.get("mrz_formats", ()))
    unknown_formats = sorted(set(mrz_formats) - MRZ_FORMATS)
    if unknown_formats:
        raise EditionRegistryError(f"{where}: unknown mrz_formats {unknown_formats}")
    if mrz_formats and not raw["machine_readable"]:
        raise EditionRegistryError(f"{where}: mrz_formats on an edition without MRZ")
    return Edition(
        id=str(raw["id"]),
        issuing_state=str(raw["issuing_state"]),
        document_type=str(raw["document_type"]),
        name=str(raw["name"]),
        issued_from=int(raw["issued_from"]),
        issued_until=int(raw["issued_until"]) if "issued_until" in raw else None,
        validity_years=int(raw["validity_years"]),
        last_valid=_parse_date(raw["last_valid"], where) if "last_valid" in raw else None,
        machine_readable=bool(raw["machine_readable"]),
        fill_method=str(raw["fill_method"]),
        number_pattern=str(raw["number_pattern"]),
        page_count=int(raw["page_count"]),
        security_features=tuple(raw["security_features"]),
        forgery_signs=tuple(raw["forgery_signs"]),
        layout=dict(raw["layout"]),
        provenance=dict(provenance),
        mrz_formats=mrz_formats,
        number_on_every_page=bool(raw.get("number_on_every_page", False)),
    )


def parse_registry(text: str) -> Registry:
    """Parse and validate the registry TOML text; raise :class:`EditionRegistryError`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EditionRegistryError(f"editions file is not valid TOML: {error}") from error
    sources = {
        s["id"]: Source(id=s["id"], title=s["title"], url=s["url"]) for s in raw.get("sources", [])
    }
    editions = tuple(_parse_edition(e, sources) for e in raw.get("editions", []))
    ids = [e.id for e in editions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise EditionRegistryError(f"duplicate edition ids: {', '.join(duplicates)}")
    if not editions:
        raise EditionRegistryError("editions file lists no editions")
    icao = raw.get("icao", {})
    if "non_machine_readable_expired_by" not in icao or icao.get("source") not in sources:
        raise EditionRegistryError("[icao] needs non_machine_readable_expired_by and a source")
    checklists = raw.get("checklists", {})
    for needed in ("legacy", "photo"):
        if not checklists.get(needed):
            raise EditionRegistryError(f"[checklists] needs a non-empty {needed!r} list")
    return Registry(
        editions=editions,
        sources=sources,
        non_machine_readable_expired_by=_parse_date(
            icao["non_machine_readable_expired_by"], "[icao]"
        ),
        icao_source=str(icao["source"]),
        checklists={k: tuple(v) for k, v in raw.get("checklists", {}).items()},
        default_photo_zone=_photo_zone(raw.get("layout_defaults", {}).get("photo_zone")),
        mrz_anchored_photo={
            fmt: (float(v["mrz_text_width_mm"]), tuple(float(x) for x in v["photo_mm"]))
            for fmt, v in raw.get("layout_defaults", {}).get("mrz_anchored_photo", {}).items()
        },
    )


def _photo_zone(value: Any) -> tuple[float, float, float, float]:
    if value is None:
        raise EditionRegistryError("[layout_defaults] needs photo_zone = [x, y, w, h]")
    zone = tuple(float(v) for v in value)
    if len(zone) != 4 or not all(0.0 <= v <= 1.0 for v in zone):
        raise EditionRegistryError("photo_zone must be four fractions of the page in [0, 1]")
    return zone  # type: ignore[return-value]


@cache
def load_registry(path: Path | None = None) -> Registry:
    """The packaged registry (or one at ``path``), read and validated once."""
    if path is None:
        text = (
            resources.files("screening.documents").joinpath("data/editions.toml").read_text("utf-8")
        )
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as error:
            raise EditionRegistryError(f"cannot read editions file {path}: {error}") from error
    return parse_registry(text)


def _year(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        return date.fromisoformat(iso).year
    except ValueError:
        return None


def _score_mrz(edition: Edition, fields: Mapping[str, Any], today: date) -> tuple[float, list[str]]:
    reasons: list[str] = [f"issuing state {edition.issuing_state}"]
    score = 0.0
    doc_type = str(fields.get("document_type") or "").replace("<", "")
    if doc_type and (doc_type == edition.document_type or doc_type[0] == edition.document_type):
        score += _W_TYPE
        reasons.append(f"document code {doc_type}")
    number = str(fields.get("document_number") or "").replace("<", "")
    if number and edition.matches_number(number):
        score += _W_NUMBER
        reasons.append(f"number {number} fits {edition.number_pattern}")
    expiry_year = _year(fields.get("expiry_date"))
    if expiry_year is not None and edition.validity_years > 0:
        issue_year = expiry_year - edition.validity_years
        # One year of slack: validity may be counted from the application, not the issue.
        if edition.issued_in(issue_year, today=today) or edition.issued_in(
            issue_year + 1, today=today
        ):
            score += _W_DATES
            reasons.append(f"estimated issue year {issue_year} within years of issue")
    return score, reasons


def _best(
    scored: list[tuple[Edition, float, list[str]]],
    method: str,
    reasons_if_none: tuple[str, ...] = (),
) -> Identification:
    if not scored:
        return Identification(edition=None, confidence=0.0, method=method, reasons=reasons_if_none)
    scored.sort(key=lambda item: (-item[1], item[0].id))
    best, best_score, reasons = scored[0]
    candidates = tuple((e.id, s) for e, s, _ in scored)
    confidence = best_score
    if len(scored) > 1:
        runner_up = scored[1][1]
        # An edition that only ties another is not identified; a narrow lead is doubtful.
        confidence = best_score * min(1.0, 0.5 + (best_score - runner_up))
    return Identification(
        edition=best,
        confidence=max(0.0, min(1.0, confidence)),
        method=method,
        reasons=tuple(reasons),
        candidates=candidates,
    )


def identify_from_mrz(
    fields: Mapping[str, Any],
    *,
    today: date,
    registry: Registry | None = None,
    mrz_format: str | None = None,
) -> Identification:
    """Identify the edition from MRZ fields (as in ``MrzReport.fields``).

    Candidates are the machine-readable editions of the issuing state whose document
    family agrees with the MRZ document code (first letter: an ``I<`` card is never a
    ``P`` passport edition) and, when both are known, whose MRZ formats include
    ``mrz_format`` (``MrzReport.format``). Each earns points for the document code, the
    number pattern and the issue-year window. The confidence is the winner's score,
    lowered when a second edition scores close to it. No candidate: no edition (the
    caller reports ``EDITION_UNKNOWN``), whatever the state's passports are.
    """
    registry = registry or load_registry()
    state = str(fields.get("issuing_country") or "").replace("<", "")
    doc_code = str(fields.get("document_type") or "").replace("<", "")
    scored = []
    excluded: list[str] = []
    for edition in registry.by_state(state):
        if not edition.machine_readable:
            continue
        if not edition.accepts_document_code(doc_code):
            excluded.append(f"{edition.id}: document code {edition.document_type}, not {doc_code}")
            continue
        if not edition.accepts_mrz_format(mrz_format):
            excluded.append(f"{edition.id}: MRZ {'/'.join(edition.mrz_formats)}, not {mrz_format}")
            continue
        score, reasons = _score_mrz(edition, fields, today)
        scored.append((edition, score, reasons))
    if not scored and excluded:
        what = f"{mrz_format + ' ' if mrz_format else ''}document code {doc_code or '?'}"
        none = (f"no {state} edition with {what} in the registry", *excluded)
        return _best(scored, "mrz", none)
    return _best(scored, "mrz")


@dataclass(frozen=True, slots=True)
class PageEvidence:
    """What the page shows when its edition must be found without an MRZ.

    ``handwritten_probability`` comes from the hand-filled classifier; ``photo_side`` from
    the photo locator; ``state_hint`` from anything else (OCR of the cover title, the
    officer) and may be None.
    """

    has_mrz: bool
    handwritten_probability: float
    photo_side: str | None = None
    state_hint: str | None = None


def identify_from_page(page: PageEvidence, *, registry: Registry | None = None) -> Identification:
    """Identify the edition from layout features of the page itself.

    Without an MRZ the evidence is weak: candidates are the editions whose layout
    agrees on MRZ presence; the hand-filled probability, the photo side and a state
    hint each add points. Kyrgyz editions are preferred among hand-filled ones only
    through the state hint and the edition's ``layout.page_prior`` (how often officers
    in the region meet it; illustrative).
    """
    registry = registry or load_registry()
    scored = []
    p_hand = max(0.0, min(1.0, page.handwritten_probability))
    for edition in registry.editions:
        if bool(edition.layout.get("has_mrz")) != page.has_mrz:
            continue
        reasons = ["MRZ present" if page.has_mrz else "no MRZ on the page"]
        fill_agreement = p_hand if edition.handwritten else 1.0 - p_hand
        if fill_agreement < 0.5:
            continue  # a printed page is no hand-filled edition, and the reverse
        score = 0.5 * fill_agreement + float(edition.layout.get("page_prior", 0.0))
        reasons.append(f"{edition.fill_method} entries (p={fill_agreement:.2f})")
        if page.photo_side and edition.layout.get("photo_side") == page.photo_side:
            score += 0.1
            reasons.append(f"photo on the {page.photo_side}")
        if page.state_hint and page.state_hint == edition.issuing_state:
            score += 0.4
            reasons.append(f"state {page.state_hint}")
        scored.append((edition, score, reasons))
    return _best(scored, "page")


def withdrawn_reason(edition: Edition, today: date, registry: Registry) -> str | None:
    """Why the edition is no longer valid on ``today``, or None when it still may be."""
    if edition.is_withdrawn_on(today):
        assert edition.last_valid is not None
        origin = edition.provenance.get("last_valid", ILLUSTRATIVE)
        return f"{edition.name} valid only until {edition.last_valid.isoformat()} ({origin})"
    if not edition.machine_readable and today > registry.non_machine_readable_expired_by:
        return (
            f"non-machine-readable passports had to expire by "
            f"{registry.non_machine_readable_expired_by.isoformat()} ({registry.icao_source})"
        )
    return None
