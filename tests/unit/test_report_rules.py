"""Decision rules on hand-made numbers: equivalence (TOST), non-inferiority, superiority, Holm,
trends, and the protocol cap. The simulation checks are in test_verdict_simulation.py."""

from __future__ import annotations

import numpy as np
import pytest

from harness.report.decide import Z90, Z95, decide, equivalence, holm, non_inferiority, superiority
from harness.report.rules import cap, trend_rule
from harness.report.trend import level_trend


@pytest.mark.parametrize(
    ("d", "se", "verdict"),
    [
        (0.5, 1.0, "supported"),  # 90 % CI [-1.14, 2.14] inside (-3.33, 3.33)
        (2.0, 1.0, "inconclusive"),  # 90 % CI reaches 3.64: crosses the margin, 95 % meets it
        (6.0, 1.0, "refuted"),  # 95 % CI [4.04, 7.96] wholly above 3.33
        (-6.0, 1.0, "refuted"),
        (0.0, 2.1, "underpowered"),  # 1.645 · 2.1 = 3.45 ≥ 3.33: not even D = 0 could pass
        (46.1, 6.5, "refuted"),  # 75 vs 28.9 with a wide interval: the width never blocks it
    ],
)
def test_equivalence(d, se, verdict):
    out = equivalence(d, se, 3.33)
    assert out.verdict == verdict, out.reason
    assert out.ci90 == pytest.approx((d - Z90 * se, d + Z90 * se))
    assert out.ci95 == pytest.approx((d - Z95 * se, d + Z95 * se))
    assert (out.p_support < 0.05) == (verdict == "supported")
    assert (out.p_refute < 0.05) == (verdict == "refuted")


def test_equivalence_minimum_detectable_difference():
    out = equivalence(0.0, 1.0, 3.33)
    assert out.mdd == pytest.approx(3.33 + 1.96 + 0.8416, abs=0.01)


@pytest.mark.parametrize(
    ("d", "se", "verdict"),
    [
        (5.0, 2.0, "supported"),
        (-5.0, 2.0, "refuted"),
        (1.0, 2.0, "inconclusive"),
        (0.0, 0.0, "refuted"),
    ],
)
def test_superiority(d, se, verdict):
    out = superiority(d, se)
    assert out.verdict == verdict and out.delta == 0.0
    assert (out.p_support < 0.05) == (verdict == "supported")


@pytest.mark.parametrize(
    ("d", "se", "verdict"),
    [(0.0, 1.0, "supported"), (-8.0, 1.0, "refuted"), (-3.0, 1.0, "inconclusive")],
)
def test_non_inferiority(d, se, verdict):
    out = non_inferiority(d, se, 3.33)
    assert out.verdict == verdict
    assert (out.p_support < 0.05) == (verdict == "supported")
    assert (out.p_refute < 0.05) == (verdict == "refuted")


def test_decide_dispatches_and_rejects_unknown_directions():
    assert decide("equivalent", 0.0, 1.0, 3.33).verdict == "supported"
    assert decide("geq", 0.0, 1.0, 3.33).verdict == "supported"
    assert decide("greater", 0.0, 1.0, 3.33).verdict == "inconclusive"
    with pytest.raises(ValueError, match="direction"):
        decide("less", 0.0, 1.0, 3.33)


def test_holm_step_down():
    # m = 3: thresholds 0.05/3, 0.05/2, 0.05/1
    assert holm([0.01, 0.02, 0.04]) == [True, True, True]
    assert holm([0.01, 0.03, 0.04]) == [True, False, False]  # 0.03 > 0.025 stops the procedure
    assert holm([0.2, 0.001, 0.04]) == [False, True, False]
    assert holm([]) == []


@pytest.mark.parametrize(
    ("ci", "direction", "verdict"),
    [
        ((5.0, 40.0), "increasing", "supported"),
        ((-40.0, -5.0), "increasing", "refuted"),
        ((-5.0, 40.0), "increasing", "inconclusive"),
        ((-40.0, -5.0), "decreasing", "supported"),
        ((5.0, 40.0), "decreasing", "refuted"),
    ],
)
def test_trend_rule(ci, direction, verdict):
    assert trend_rule(ci, direction, "tokens per level").verdict == verdict


def test_level_trend_recovers_a_rising_slope_its_ratio_and_keeps_every_level():
    rng = np.random.default_rng(0)
    levels = np.repeat([1, 2, 3, 4, 5], 40)
    values = 1000 * levels + rng.normal(0, 300, levels.size)
    trend = level_trend(values, levels.tolist(), resamples=500, seed=0)
    assert trend.levels == (1, 2, 3, 4, 5) and trend.counts == (40,) * 5
    assert trend.slope == pytest.approx(1000, rel=0.1)
    lo, hi = trend.slope_ci95
    assert 0 < lo < trend.slope < hi
    assert trend.ratio == pytest.approx(5.0, rel=0.1)  # level 5 / level 1
    assert trend.ratio_ci95[0] < trend.ratio < trend.ratio_ci95[1]
    flat = level_trend(rng.normal(0, 300, levels.size), levels.tolist(), resamples=500, seed=0)
    assert flat.slope_ci95[0] < 0 < flat.slope_ci95[1]


def test_level_trend_needs_two_levels():
    with pytest.raises(ValueError, match="two levels"):
        level_trend(np.ones(5), [3] * 5, resamples=10, seed=0)


def test_protocol_cap_keeps_the_would_be_verdict_visible():
    out = equivalence(0.0, 1.0, 3.33)
    from harness.report.rules import Outcome

    capped = cap(Outcome(out.verdict, out.reason), ["temperature 0.0 vs 0.6"])
    assert capped.verdict == "inconclusive" and "would be supported" in capped.reason
    assert cap(Outcome(out.verdict, out.reason), []).verdict == "supported"
