"""Indicators from the other sources (``indicators import`` tables) for one corridor.

- ``arrivals_departures``: the corridor's nationalities' share of arrivals among arrivals
  plus departures, against the other nationalities' share in the same table (or the
  table's ``ALL`` row): people who arrived and did not leave;
- ``detentions``, ``avr_cases``, ``visas_issued``, ``residence_permit_prolongations``:
  the latest period's count per day against the earlier periods' (exact rate-ratio
  bound): a growing count. A single period is listed as context with strength 0.

Rows apply to a corridor through their nationality (one of the corridor's), checkpoint
(one it is screened at) or route (the corridor's places in order); only rows whose period
overlaps the report window count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from screening.indicators.places import Gazetteer
from screening.indicators.scoring import Scoring
from screening.indicators.stats import log2_excess, odds, rate_ratio_lower, wilson

if TYPE_CHECKING:
    from screening.indicators.vector import Candidate

ALL = "ALL"


def _days(row: dict[str, Any]) -> int:
    return (date.fromisoformat(row["period_to"]) - date.fromisoformat(row["period_from"])).days + 1


def _overlaps(row: dict[str, Any], window: tuple[str, str] | None) -> bool:
    if window is None:
        return True
    return row["period_from"] < window[1][:10] and row["period_to"] >= window[0][:10]


def _applies(row: dict[str, Any], candidate: Candidate, gaz: Gazetteer) -> bool:
    nat, cp, route = row.get("nationality"), row.get("checkpoint"), row.get("route")
    if nat and nat != ALL and candidate.nationalities and nat not in candidate.nationalities:
        return False
    if cp and cp not in {c for c, _ in candidate.screened}:
        return False
    if route:
        it = iter(candidate.places)
        return all(place in it for place in route.split(">"))
    return bool((nat and nat != ALL) or cp)


def external_indicators(
    candidate: Candidate,
    rows: Sequence[dict[str, Any]],
    window: tuple[str, str] | None,
    scoring: Scoring,
    gaz: Gazetteer,
    lines: list[str],
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    for kind, kind_rows in sorted(by_kind.items()):
        if kind == "arrivals_departures":
            result = _arrivals(candidate, kind_rows, window, scoring, gaz)
        else:
            result = _growth(candidate, kind_rows, window, scoring, gaz)
        if result is None:
            continue
        result["weight"] = scoring.weight("external")
        result["contribution"] = round(result["weight"] * result["strength"], 3)
        out[f"external:{kind}"] = result
        lines.append(f"{kind.replace('_', ' ')} ({result['source']}): {result['summary']}")
    return out


def _arrivals(
    candidate: Candidate,
    rows: list[dict[str, Any]],
    window: tuple[str, str] | None,
    scoring: Scoring,
    gaz: Gazetteer,
) -> dict[str, Any] | None:
    rows = [r for r in rows if _overlaps(r, window)]
    mine = defaultdict(float)
    total = defaultdict(float)
    others = defaultdict(float)
    sources = set()
    for row in rows:
        measure, value = row["measure"], float(row["value"])
        if row.get("nationality") == ALL:
            total[measure] += value
        elif _applies(row, candidate, gaz):
            mine[measure] += value
            sources.add(row["source"])
        else:
            others[measure] += value
    arrivals, departures = int(mine["arrivals"]), int(mine["departures"])
    if arrivals + departures == 0:
        return None
    if total["arrivals"] + total["departures"] > 0:
        bg_a = total["arrivals"] - arrivals
        bg_d = total["departures"] - departures
    else:
        bg_a, bg_d = others["arrivals"], others["departures"]
    share = wilson(arrivals, arrivals + departures, scoring.confidence)
    bg = bg_a / (bg_a + bg_d) if bg_a + bg_d > 0 else 0.5
    strength = log2_excess(odds(share.low), odds(bg), scoring.strength_cap)
    return {
        "present": True,
        "arrivals": arrivals,
        "departures": departures,
        "arrival_share": share.to_dict(),
        "background_share": round(bg, 6),
        "strength": round(strength, 3),
        "source": "; ".join(sorted(sources)),
        "summary": f"{arrivals:,} arrivals vs {departures:,} departures (arrival share "
        f"lower bound {100 * share.low:.1f}% vs {100 * bg:.1f}% for the others): strength "
        f"{strength:.2f}.",
    }


def _growth(
    candidate: Candidate,
    rows: list[dict[str, Any]],
    window: tuple[str, str] | None,
    scoring: Scoring,
    gaz: Gazetteer,
) -> dict[str, Any] | None:
    mine = [r for r in rows if _applies(r, candidate, gaz)]
    if not mine or not any(_overlaps(r, window) for r in mine):
        return None
    per_period: dict[tuple[str, str], float] = defaultdict(float)
    for row in mine:
        per_period[(row["period_from"], row["period_to"])] += float(row["value"])
    periods = sorted(per_period)
    latest = periods[-1]
    k2, n2 = int(per_period[latest]), _days({"period_from": latest[0], "period_to": latest[1]})
    k1 = int(sum(per_period[p] for p in periods[:-1]))
    n1 = sum(_days({"period_from": p[0], "period_to": p[1]}) for p in periods[:-1])
    strength = 0.0
    if k1 and n1 and k2 >= scoring.min_documents:
        low = rate_ratio_lower(k1, n1, k2, n2, scoring.confidence)
        strength = log2_excess(low, 1.0, scoring.strength_cap)
    counts = ", ".join(f"{p[0]}..{p[1]}: {per_period[p]:,.0f}" for p in periods)
    return {
        "present": True,
        "periods": [{"from": p[0], "to": p[1], "value": per_period[p]} for p in periods],
        "strength": round(strength, 3),
        "source": "; ".join(sorted({r["source"] for r in mine})),
        "summary": f"{counts} (growth strength {strength:.2f}).",
    }
