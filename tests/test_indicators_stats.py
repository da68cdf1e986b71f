"""Intervals and tests on counts: small counts must not look like trends."""

from __future__ import annotations

import math

import pytest

from screening.indicators.stats import (
    binomial_lower,
    log2_excess,
    rate_ratio_lower,
    wilson,
    z_for,
)


def test_wilson_matches_the_textbook_interval() -> None:
    # 5 of 10 at 95% two-sided (each bound one-sided 97.5%): 0.2366 .. 0.7634
    interval = wilson(5, 10, 0.975)
    assert interval.low == pytest.approx(0.2366, abs=1e-4)
    assert interval.high == pytest.approx(0.7634, abs=1e-4)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (10, 10), (1, 1), (0, 1)])
def test_wilson_stays_inside_zero_one(k: int, n: int) -> None:
    interval = wilson(k, n, 0.999)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0


def test_a_small_count_is_discounted_far_more_than_a_large_one() -> None:
    small, large = wilson(3, 10, 0.999), wilson(300, 10_000, 0.999)
    assert small.low / small.estimate < 0.25  # 30% counts for 6.3%
    assert large.low / large.estimate > 0.8  # 3% counts for 2.5%


def test_exact_binomial_bound_is_below_the_estimate() -> None:
    assert 0 < binomial_lower(5, 100, 0.975) < 0.05
    assert binomial_lower(0, 100, 0.975) == 0.0


def test_rate_ratio_bound_sees_a_real_rise_and_not_a_small_one() -> None:
    assert rate_ratio_lower(20, 10_000, 80, 10_000, 0.999) > 1.5
    assert rate_ratio_lower(1, 10_000, 4, 10_000, 0.999) < 1.0


def test_strength_is_zero_until_the_bound_clears_the_background() -> None:
    assert log2_excess(0.001, 0.002, 4.0) == 0.0
    assert log2_excess(0.004, 0.002, 4.0) == pytest.approx(1.0)
    assert log2_excess(1.0, 1e-9, 4.0) == 4.0
    assert log2_excess(0.01, 0.0, 4.0) == 4.0


def test_z_for_one_sided_levels() -> None:
    assert z_for(0.975) == pytest.approx(1.96, abs=1e-3)
    with pytest.raises(ValueError):
        z_for(1.0)
    assert math.isfinite(z_for(0.999))
