"""Coverage of the post-release and budget-gain intervals, by simulation (seeded, small)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from harness.report.budget import budget_gain
from harness.report.post_release import post_release_diff

SETTINGS = SimpleNamespace(resamples=1000, seed=0, confidence=0.95)
REPS = 300


def _covered(ci: tuple[float, float], truth: float) -> bool:
    return ci[0] <= truth <= ci[1]


def test_post_release_intervals_cover_their_targets():
    rng = np.random.default_rng(1)
    p_a = rng.beta(2, 2, size=30)  # problems held fixed: the fixed-set target
    p_b = rng.beta(1.5, 2.5, size=30)
    fixed_truth = 100 * (p_b.mean() - p_a.mean())
    fixed = gen = 0
    for _ in range(REPS):
        a = rng.random((30, 8)) < p_a[:, None]
        b = rng.random((30, 8)) < p_b[:, None]
        fixed += _covered(post_release_diff(a, b, SETTINGS)["fixed_set"], fixed_truth)
        # generalisation target: new problems each time, drawn from the two populations
        qa, qb = rng.beta(2, 2, size=30), rng.beta(1.5, 2.5, size=30)
        a = rng.random((30, 8)) < qa[:, None]
        b = rng.random((30, 8)) < qb[:, None]
        gen += _covered(post_release_diff(a, b, SETTINGS)["generalisation"], 100 * (0.375 - 0.5))
    assert 0.91 <= fixed / REPS <= 0.99, fixed / REPS
    assert 0.90 <= gen / REPS <= 0.99, gen / REPS  # percentile bootstrap runs a little narrow


def test_budget_gain_covers_the_population_gain_and_detects_it():
    rng = np.random.default_rng(2)
    covered = detected = 0
    for _ in range(REPS):
        p = rng.beta(2, 3, size=30)  # pass@1 at the full budget
        long_share = rng.uniform(0.0, 0.6, size=30)  # of the right answers, the share > 4k
        correct = rng.random((30, 16)) < p[:, None]
        long = rng.random((30, 16)) < long_share[:, None]
        lengths = np.where(long, 20000, 2000)
        effect, ci = budget_gain(correct, lengths, SETTINGS, 4096, 32768)
        covered += _covered(ci, 100 * 0.4 * 0.3)  # E[p] · E[long share] = 0.4 · 0.3
        detected += ci[0] >= 5.0
    assert 0.90 <= covered / REPS <= 0.99, covered / REPS
    assert detected / REPS >= 0.8  # a 12-point mean gain clears a 5-point minimum at P=30, n=16
