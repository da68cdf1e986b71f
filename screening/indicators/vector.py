"""The vector: for each corridor, checkpoint and nationality, every indicator's presence,
strength against the traffic baseline, and trend, combined into an explained score. Pure
(a cube and external rows in, plain data out).

Candidates come from three places:

- the region's known corridors (``data/corridors.toml``);
- corridors observed in recorded routes (booklet stamps, imported events);
- discovered ones: every nationality x checkpoint x direction cell is scored alone, and the
  cells of one nationality whose fraud signs clear their backgrounds are joined into one
  corridor (entries, then exits), unless a reported known corridor already covers them.

A candidate's background is the larger of its checkpoints' rate (other nationalities
there) and its nationalities' rate (at other checkpoints): a corridor is reported only when
it stands out against both, so a scanner that misreads everything at one checkpoint, or a
large nationality at the national rate, does not make a corridor.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from screening.indicators.cube import FRAUD_ANY, Cell, Cube
from screening.indicators.external import external_indicators
from screening.indicators.places import Corridor, Gazetteer, load_corridors, load_gazetteer
from screening.indicators.scoring import Scoring
from screening.indicators.stats import log2_excess, odds, rate_ratio_lower, wilson
from screening.indicators.taxonomy import load_taxonomy

TrafficKey = tuple[str | None, str | None]


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    places: tuple[str, ...]
    nationalities: frozenset[str]
    screened: frozenset[TrafficKey]
    route: tuple[str, ...] = ()  # cells whose route contains these places in order
    kind: str = "known"  # known | route | discovered
    source: str = ""

    def matches(self, cell: Cell) -> bool:
        if self.nationalities and cell.nationality not in self.nationalities:
            return False
        if cell.in_traffic and (cell.checkpoint, cell.direction) in self.screened:
            return True
        return bool(self.route) and _contains_in_order(cell.route, self.route)


def _contains_in_order(route: Sequence[str], pattern: Sequence[str]) -> bool:
    it = iter(route)
    return all(place in it for place in pattern)


@dataclass
class Margins:
    """Additive totals for backgrounds: traffic and events per indicator by checkpoint
    (and direction), by nationality, and nationwide."""

    traffic_cp: Counter[TrafficKey] = field(default_factory=Counter)
    traffic_nat: Counter[str] = field(default_factory=Counter)
    events_cp: dict[TrafficKey, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    events_nat: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    traffic_all: int = 0
    events_all: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, cube: Cube) -> Margins:
        m = cls()
        for cell, n in cube.traffic.items():
            if not cell.in_traffic:
                continue
            key = (cell.checkpoint, cell.direction)
            m.traffic_cp[key] += n
            m.traffic_nat[cell.nationality] += n
            m.traffic_all += n
            for indicator, k in cube.events.get(cell, {}).items():
                m.events_cp[key][indicator] += k
                m.events_nat[cell.nationality][indicator] += k
                m.events_all[indicator] += k
        return m


@dataclass
class Scored:
    candidate: Candidate
    score: float
    flagged: bool
    traffic: int
    indicators: dict[str, dict[str, Any]]
    explanation: list[str]
    monthly: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        c = self.candidate
        return {
            "id": c.id,
            "name": c.name,
            "corridor": list(c.places),
            "kind": c.kind,
            "nationalities": sorted(c.nationalities),
            "screened_at": [f"{cp} {d}" for cp, d in sorted(c.screened, key=str)],
            "score": round(self.score, 3),
            "flagged": self.flagged,
            "traffic": self.traffic,
            "indicators": self.indicators,
            "explanation": " ".join(self.explanation),
            "monthly": self.monthly,
            "source": c.source,
        }


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%" if x < 0.1 else f"{100 * x:.1f}%"


class VectorModel:
    """Scores candidates over one cube; one per report."""

    def __init__(
        self,
        cube: Cube,
        scoring: Scoring,
        external_rows: Sequence[dict[str, Any]] = (),
        window: tuple[str, str] | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.cube = cube
        self.scoring = scoring
        self.margins = Margins.of(cube)
        self.external_rows = list(external_rows)
        self.window = window
        self.gazetteer = gazetteer or load_gazetteer()
        self.fraud_indicators = (FRAUD_ANY, *load_taxonomy().fraud)
        months = cube.months
        self.later_months = set(months[len(months) // 2 :]) if len(months) >= 2 else set()

    # -- backgrounds -------------------------------------------------------------------
    def _background(self, members: Sequence[Cell], indicator: str) -> tuple[float, str]:
        own_cp: Counter[TrafficKey] = Counter()
        own_cp_k: Counter[TrafficKey] = Counter()
        own_nat: Counter[str] = Counter()
        own_nat_k: Counter[str] = Counter()
        for cell in members:
            if not cell.in_traffic:
                continue
            key = (cell.checkpoint, cell.direction)
            k = self.cube.events.get(cell, {}).get(indicator, 0)
            own_cp[key] += self.cube.traffic[cell]
            own_cp_k[key] += k
            own_nat[cell.nationality] += self.cube.traffic[cell]
            own_nat_k[cell.nationality] += k
        m = self.margins
        cp_n = sum(m.traffic_cp[key] - own_cp[key] for key in own_cp)
        cp_k = sum(m.events_cp[key][indicator] - own_cp_k[key] for key in own_cp)
        nat_n = sum(m.traffic_nat[nat] - own_nat[nat] for nat in own_nat)
        nat_k = sum(m.events_nat[nat][indicator] - own_nat_k[nat] for nat in own_nat)
        floor = self.scoring.min_background_traffic
        options = []
        if cp_n >= floor:
            options.append((cp_k / cp_n, "the same checkpoints, other nationalities"))
        if nat_n >= floor:
            options.append((nat_k / nat_n, "the same nationality, other checkpoints"))
        if not options:
            rest_n = m.traffic_all - sum(own_cp.values())
            rest_k = m.events_all[indicator] - sum(own_cp_k.values())
            return (rest_k / rest_n if rest_n > 0 else 0.0), "all other screenings"
        return max(options)

    # -- one candidate -----------------------------------------------------------------
    def members(self, candidate: Candidate) -> list[Cell]:
        return [cell for cell in self.cube.traffic if candidate.matches(cell)]

    def score(self, candidate: Candidate, members: Sequence[Cell] | None = None) -> Scored:
        s = self.scoring
        members = list(self.members(candidate) if members is None else members)
        traffic = sum(self.cube.traffic[c] for c in members)
        indicators: dict[str, dict[str, Any]] = {}
        lines: list[str] = []
        who = "/".join(sorted(candidate.nationalities)) or "all nationalities"
        lines.append(f"{who}: {traffic:,} screenings on this corridor.")
        screening_signal = False
        for name in self.fraud_indicators:
            docs: set[str] = set()
            events = 0
            for cell in members:
                docs |= self.cube.documents.get(cell, {}).get(name, set())
                events += self.cube.events.get(cell, {}).get(name, 0)
            if not docs:
                continue
            k = len(docs)
            interval = wilson(k, traffic, s.confidence)
            background, against = self._background(members, name)
            strength = (
                log2_excess(interval.low, background, s.strength_cap)
                if k >= s.min_documents
                else 0.0
            )
            weight = s.weight(name)
            screening_signal |= strength > 0
            indicators[name] = {
                "present": True,
                "documents": k,
                "events": events,
                "traffic": traffic,
                "rate": round(interval.estimate, 6),
                "interval": interval.to_dict(),
                "background": round(background, 6),
                "background_from": against,
                "strength": round(strength, 3),
                "weight": weight,
                "contribution": round(weight * strength, 3),
            }
            if strength > 0 or name == FRAUD_ANY:
                lines.append(
                    f"{name.replace('_', ' ')}: {k} documents ({events} screenings) of "
                    f"{traffic:,} = {_pct(interval.estimate)} (lower bound {_pct(interval.low)})"
                    f" vs {_pct(background)} on {against}: strength {strength:.2f} x "
                    f"weight {weight:g}."
                )
        indicators.update(self._imbalance(candidate, lines))
        indicators.update(self._trend(members, lines))
        indicators.update(
            external_indicators(
                candidate, self.external_rows, self.window, s, self.gazetteer, lines
            )
        )
        score = sum(v["contribution"] for v in indicators.values())
        flagged = score >= s.flag_score and screening_signal
        lines.append(
            f"Score {score:.2f} ({'reported' if flagged else 'not reported'}: threshold "
            f"{s.flag_score:g}{'' if screening_signal else ', and no fraud sign stands out'})."
        )
        return Scored(candidate, score, flagged, traffic, indicators, lines, self._monthly(members))

    def _imbalance(self, candidate: Candidate, lines: list[str]) -> dict[str, dict[str, Any]]:
        """Entries vs exits of the corridor's nationalities in the countries it is
        screened in, against the other nationalities' share: people who came in and did
        not leave through a checkpoint."""
        countries = {self.gazetteer.country_of(cp) for cp, _ in candidate.screened if cp}
        if not candidate.nationalities or not countries:
            return {}
        counts: Counter[tuple[bool, str]] = Counter()
        for cell, n in self.cube.traffic.items():
            if not cell.in_traffic or self.gazetteer.country_of(cell.checkpoint) not in countries:
                continue
            counts[(cell.nationality in candidate.nationalities, cell.direction)] += n
        entries, exits = counts[(True, "entry")], counts[(True, "exit")]
        other_e, other_x = counts[(False, "entry")], counts[(False, "exit")]
        if entries + exits < self.scoring.min_background_traffic or other_e + other_x == 0:
            return {}
        interval = wilson(entries, entries + exits, self.scoring.confidence)
        bg = other_e / (other_e + other_x)
        strength = log2_excess(odds(interval.low), odds(bg), self.scoring.strength_cap)
        weight = self.scoring.weight("entry_exit_imbalance")
        if strength > 0:
            lines.append(
                f"entries {entries:,} vs exits {exits:,} in {', '.join(sorted(countries))} "
                f"(entry share {_pct(interval.estimate)}, lower bound {_pct(interval.low)}, "
                f"other nationalities {_pct(bg)}): strength {strength:.2f} x weight {weight:g}."
            )
        return {
            "entry_exit_imbalance": {
                "present": strength > 0,
                "entries": entries,
                "exits": exits,
                "entry_share": interval.to_dict(),
                "background_share": round(bg, 6),
                "strength": round(strength, 3),
                "weight": weight,
                "contribution": round(weight * strength, 3),
            }
        }

    def _trend(self, members: Sequence[Cell], lines: list[str]) -> dict[str, dict[str, Any]]:
        """Later half of the window vs earlier half: distinct documents with a fraud sign
        per screening, exact conditional test, against the national change."""
        if not self.later_months:
            return {}
        k = [set(), set()]
        n = [0, 0]
        for cell in members:
            half = int(cell.month in self.later_months)
            n[half] += self.cube.traffic[cell]
            k[half] |= self.cube.documents.get(cell, {}).get(FRAUD_ANY, set())
        k1, k2 = len(k[0]), len(k[1])
        if k2 < self.scoring.min_documents or n[0] == 0 or n[1] == 0:
            return {}
        low = rate_ratio_lower(k1, n[0], k2, n[1], self.scoring.confidence)
        national = self._national_change()
        strength = log2_excess(low, max(national, 1.0), self.scoring.strength_cap)
        weight = self.scoring.weight("trend")
        if strength > 0:
            lines.append(
                f"trend: {k1} documents in {n[0]:,} screenings, then {k2} in {n[1]:,} "
                f"(rate ratio at least {low:.2f}; nationally {national:.2f}): "
                f"strength {strength:.2f} x weight {weight:g}."
            )
        return {
            "trend": {
                "present": strength > 0,
                "earlier": {"documents": k1, "traffic": n[0]},
                "later": {"documents": k2, "traffic": n[1]},
                "rate_ratio": round((k2 / n[1]) / (k1 / n[0]), 3) if k1 else None,
                "rate_ratio_low": round(low, 3) if low != float("inf") else None,
                "national_ratio": round(national, 3),
                "strength": round(strength, 3),
                "weight": weight,
                "contribution": round(weight * strength, 3),
            }
        }

    def _national_change(self) -> float:
        k = [0, 0]
        n = [0, 0]
        for cell, traffic in self.cube.traffic.items():
            half = int(cell.month in self.later_months)
            n[half] += traffic
            k[half] += self.cube.events.get(cell, {}).get(FRAUD_ANY, 0)
        if not (k[0] and n[0] and n[1]):
            return 1.0
        return (k[1] / n[1]) / (k[0] / n[0])

    def _monthly(self, members: Sequence[Cell]) -> list[dict[str, Any]]:
        traffic: Counter[str] = Counter()
        docs: dict[str, set[str]] = defaultdict(set)
        for cell in members:
            traffic[cell.month] += self.cube.traffic[cell]
            docs[cell.month] |= self.cube.documents.get(cell, {}).get(FRAUD_ANY, set())
        out = []
        for month in sorted(traffic):
            interval = wilson(len(docs[month]), traffic[month], self.scoring.confidence)
            out.append(
                {"month": month, "traffic": traffic[month], "documents": len(docs[month])}
                | {"rate": interval.to_dict()}
            )
        return out


# -- candidates ------------------------------------------------------------------------


def known_candidates(corridors: Iterable[Corridor] | None = None) -> list[Candidate]:
    """The known corridors; a recorded route matches one when it passes the corridor's
    crossing points (its places that are not towns) in order: stamps are made there."""
    gaz = load_gazetteer()

    def crossings(places: Sequence[str]) -> tuple[str, ...]:
        return tuple(p for p in places if p in gaz.places and gaz.places[p].kind != "city")

    return [
        Candidate(
            c.id,
            c.name,
            c.places,
            frozenset(c.nationalities),
            frozenset(c.screened),
            route=crossings(c.places),
            kind="known",
            source=c.source,
        )
        for c in (corridors if corridors is not None else load_corridors())
    ]


def route_candidates(cube: Cube, min_screenings: int) -> list[Candidate]:
    """Routes seen in recorded events (2+ places), with their origin when one is given."""
    seen: Counter[tuple[str | None, tuple[str, ...]]] = Counter()
    for cell, n in cube.traffic.items():
        if len(cell.route) >= 2:
            seen[(cell.origin, cell.route)] += n
    out = []
    for (origin, route), n in sorted(seen.items(), key=lambda item: str(item[0])):
        if n < min_screenings:
            continue
        places = ((origin,) if origin and origin != route[0] else ()) + route
        out.append(
            Candidate(
                "route:" + ">".join(places),
                " - ".join(places),
                places,
                frozenset(),
                frozenset(),
                route=route,
                kind="route",
                source=f"observed in {n:,} recorded routes",
            )
        )
    return out


def cell_candidates(cube: Cube) -> dict[Candidate, list[Cell]]:
    groups: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
    for cell in cube.traffic:
        if cell.in_traffic:
            groups[(cell.nationality, cell.checkpoint, cell.direction)].append(cell)  # type: ignore[index]
    return {
        Candidate(
            f"cell:{nat}@{cp}:{d}",
            f"{nat} at {cp} ({d})",
            (nat, cp),
            frozenset({nat}),
            frozenset({(cp, d)}),
            kind="discovered",
            source="nationality x checkpoint cell",
        ): members
        for (nat, cp, d), members in groups.items()
    }


def discovered_corridors(
    model: VectorModel, reported_known: Sequence[Scored]
) -> tuple[list[Candidate], list[Scored]]:
    """Join the significant cells of each nationality into one corridor (entries first),
    leaving out cells a reported known corridor already covers."""
    cells = cell_candidates(model.cube)
    scored_cells = [model.score(c, members) for c, members in cells.items()]
    significant: dict[str, list[Scored]] = defaultdict(list)
    for sc in scored_cells:
        if any(sc.indicators.get(i, {}).get("strength", 0) > 0 for i in model.fraud_indicators):
            (nat,) = sc.candidate.nationalities
            (key,) = sc.candidate.screened
            if any(
                nat in k.candidate.nationalities and key in k.candidate.screened
                for k in reported_known
            ):
                continue
            significant[nat].append(sc)
    out = []
    for nat, group in sorted(significant.items()):
        group.sort(key=lambda sc: (next(iter(sc.candidate.screened))[1] != "entry", -sc.traffic))
        keys = [next(iter(sc.candidate.screened)) for sc in group]
        checkpoints = list(dict.fromkeys(cp for cp, _ in keys))
        out.append(
            Candidate(
                f"discovered:{nat}:" + ">".join(checkpoints),
                f"{nat}: " + " - ".join(checkpoints),
                (nat, *checkpoints),
                frozenset({nat}),
                frozenset(keys),
                kind="discovered",
                source="significant nationality x checkpoint cells",
            )
        )
    return out, scored_cells
