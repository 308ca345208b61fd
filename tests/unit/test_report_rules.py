"""Verdict rules on hand-made numbers: value in/out/wide, paired directions, geq tolerance,
cited numbers, trends, and the protocol cap."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.report.rules import cap, cited_diff_ci, diff_rule, trend_rule, value_rule
from harness.report.trend import level_trend


@pytest.mark.parametrize(
    ("claimed", "ci", "verdict", "words"),
    [
        (83.9, (81.2, 86.4), "supported", "claimed 83.9 inside measured 95 % CI [81.2, 86.4]"),
        (81.2, (81.2, 86.4), "supported", "inside"),  # the bounds belong to the interval
        (92.8, (45.8, 53.6), "refuted", "claimed 92.8 above measured 95 % CI [45.8, 53.6]"),
        (10.0, (45.8, 53.6), "refuted", "below"),
        (93.9, (45.0, 100.0), "inconclusive", "55.0 points wide, above the 20.0-point bound"),
        (10.0, (45.0, 100.0), "inconclusive", "too few problems"),  # wide wins even outside
    ],
)
def test_value_rule(claimed, ci, verdict, words):
    out = value_rule(claimed, sum(ci) / 2, ci)
    assert out.verdict == verdict and words in out.reason


def test_value_rule_width_bound_is_configurable():
    assert value_rule(70.0, 72.0, (60.0, 85.0), max_width=30.0).verdict == "supported"
    assert value_rule(70.0, 72.0, (60.0, 85.0), max_width=math.inf).verdict == "supported"
    assert value_rule(70.0, 72.0, (60.0, 85.0)).verdict == "inconclusive"


@pytest.mark.parametrize(
    ("ci", "verdict"),
    [
        ((2.0, 9.0), "supported"),
        ((-9.0, -2.0), "refuted"),
        ((-3.0, 4.0), "inconclusive"),
        ((0.0, 0.0), "refuted"),  # identical runs: a > b fails
        ((0.0, 5.0), "inconclusive"),
    ],
)
def test_greater_needs_the_interval_of_a_minus_b_above_zero(ci, verdict):
    assert diff_rule(ci, "greater").verdict == verdict


@pytest.mark.parametrize(
    ("ci", "verdict"),
    [
        ((-1.5, 3.0), "supported"),  # lower bound above -2: a >= b - 2 holds
        ((-2.5, 3.0), "inconclusive"),
        ((-8.0, -2.5), "refuted"),  # upper bound below -2
        ((-8.0, -2.0), "inconclusive"),
    ],
)
def test_geq_with_tolerance(ci, verdict):
    out = diff_rule(ci, "geq", 2.0)
    assert out.verdict == verdict and "-2.0" in out.reason


def test_unknown_direction_is_an_error():
    with pytest.raises(ValueError, match="direction"):
        diff_rule((0.0, 1.0), "less")


def test_cited_number_shifts_the_measured_interval():
    assert cited_diff_ci((80.0, 86.0), 74.6, measured_side="a") == pytest.approx((5.4, 11.4))
    assert cited_diff_ci((40.0, 50.0), 55.5, measured_side="b") == pytest.approx((5.5, 15.5))
    assert diff_rule(cited_diff_ci((80.0, 86.0), 74.6, measured_side="a"), "greater").verdict == (
        "supported"
    )
    assert diff_rule(cited_diff_ci((70.0, 80.0), 74.6, measured_side="a"), "greater").verdict == (
        "inconclusive"
    )


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


def test_level_trend_recovers_a_rising_slope_and_keeps_every_level():
    rng = np.random.default_rng(0)
    levels = np.repeat([1, 2, 3, 4, 5], 40)
    values = 1000 * levels + rng.normal(0, 300, levels.size)
    trend = level_trend(values, levels.tolist(), resamples=500, seed=0)
    assert trend.levels == (1, 2, 3, 4, 5) and trend.counts == (40,) * 5
    assert trend.slope == pytest.approx(1000, rel=0.1)
    lo, hi = trend.slope_ci95
    assert 0 < lo < trend.slope < hi
    flat = level_trend(rng.normal(0, 300, levels.size), levels.tolist(), resamples=500, seed=0)
    assert flat.slope_ci95[0] < 0 < flat.slope_ci95[1]


def test_level_trend_needs_two_levels():
    with pytest.raises(ValueError, match="two levels"):
        level_trend(np.ones(5), [3] * 5, resamples=10, seed=0)


def test_protocol_cap_keeps_the_would_be_verdict_visible():
    out = cap(value_rule(83.9, 84.0, (81.0, 87.0)), ["temperature 0.0 vs 0.6"])
    assert out.verdict == "inconclusive" and "would be supported" in out.reason
    assert cap(value_rule(83.9, 84.0, (81.0, 87.0)), []).verdict == "supported"
