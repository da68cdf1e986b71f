"""Rates with honest intervals, and the tests that keep small counts from looking like trends.

Pure functions on counts. Intervals are one-sided where a score needs only one side: an
indicator counts as *present with strength* only when the lower bound of its rate clears
the background rate, and by how much: 3 documents among 10 screenings (30%) count for a
lower bound of 6.3% at 99.9%, 300 among 10,000 (3%) for 2.5%.

- :func:`wilson` — Wilson score interval of a proportion (good coverage down to a few
  counts, never outside [0, 1]).
- :func:`rate_ratio_lower` — exact (Clopper-Pearson) lower bound of the ratio of two
  Poisson rates, from the conditional binomial: given k1 + k2 events, k2 is binomial with
  p = r2 n2 / (r1 n1 + r2 n2). Used for trends (later period vs earlier period).
- :func:`z_for` — the normal quantile for a one-sided confidence level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import betaincinv, ndtri


def z_for(confidence: float) -> float:
    """One-sided normal quantile: ``z_for(0.975) == 1.96``."""
    if not 0.5 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0.5, 1), not {confidence}")
    return float(ndtri(confidence))


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float

    def to_dict(self, digits: int = 6) -> dict[str, float]:
        return {
            "estimate": round(self.estimate, digits),
            "low": round(self.low, digits),
            "high": round(self.high, digits),
        }


def wilson(k: int, n: int, confidence: float) -> Interval:
    """Wilson score interval of ``k`` successes in ``n`` trials; each bound one-sided at
    ``confidence`` (so the pair is a two-sided ``2 * confidence - 1`` interval)."""
    if n <= 0:
        return Interval(0.0, 0.0, 1.0)
    k = min(max(k, 0), n)
    z = z_for(confidence)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


def binomial_lower(k: int, n: int, confidence: float) -> float:
    """Exact (Clopper-Pearson) one-sided lower bound of a binomial proportion."""
    if k <= 0 or n <= 0:
        return 0.0
    return float(betaincinv(k, n - k + 1, 1.0 - confidence))


def rate_ratio_lower(k1: int, n1: float, k2: int, n2: float, confidence: float) -> float:
    """Exact one-sided lower bound of (k2/n2) / (k1/n1), rates per exposure ``n``.

    Conditional on k1 + k2, k2 is binomial with p = R n2 / (n1 + R n2) for rate ratio R;
    the Clopper-Pearson lower bound of p converts to a lower bound of R. Zero when k2 is 0
    (no evidence of any rate in the later period); infinite when k1 is 0 and k2 is large
    enough, so callers cap the strength it gives.
    """
    if k2 <= 0 or n1 <= 0 or n2 <= 0:
        return 0.0
    p_low = binomial_lower(k2, k1 + k2, confidence)
    if p_low >= 1.0:
        return math.inf
    return (p_low / (1.0 - p_low)) * (n1 / n2)


def log2_excess(lower: float, background: float, cap: float) -> float:
    """Strength of an indicator: log2 of how far the lower bound clears the background,
    0 when it does not, at most ``cap``. With no background (0) any positive lower bound
    is given the cap."""
    if lower <= 0.0:
        return 0.0
    if background <= 0.0:
        return cap
    return min(cap, max(0.0, math.log2(lower / background)))


def odds(p: float) -> float:
    return math.inf if p >= 1.0 else p / (1.0 - p)
