"""The fixed-set interval and the value-claim test, checked on simulated 30 × 64 runs.

Per-problem solve rates p_i are drawn from Beta(0.2, 0.49): mean 0.29 (the 1.5B distill's AIME
2024 pass@1 is 28.9), U-shaped, so most problems are almost always or almost never solved, as
per-problem accuracies of reasoning models on AIME are (a model either knows the trick or does
not); E[p(1 − p)] = 0.084, well under the 0.21 of 30 identical problems at 0.29. A run draws 64
samples per problem from Bernoulli(p_i); the publisher's number is a second, independent draw of
64 samples (the paper's n for AIME), so both sides are noisy, as in reality.

What the numbers give (points): SE_D ≈ √(0.084 · 2/64 / 30) ≈ 0.94, so at δ = 3.33 the TOST
supports D = 0 with power ≈ 1 − 2Φ(1.645 − 3.33/0.94) ≈ 0.94, and refutes D = 8 almost surely.
"""

from __future__ import annotations

import numpy as np

from harness.metrics.fixed_set import cited_fixed_set_diff, fixed_set_mean
from harness.report.decide import equivalence

P, N, N_PUB = 30, 64, 64
DELTA = 3.33  # seeds/margins.yaml, aime24 pass@1
SIMS = 2000  # Monte-Carlo SE of a 95 % rate: √(0.95 · 0.05 / 2000) ≈ 0.005


def draws(seed: int, sims: int = SIMS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p, ours, publisher's): p (sims, P); correctness (sims, P, N) and (sims, P, N_PUB)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(0.2, 0.49, (sims, P))
    ours = rng.random((sims, P, N)) < p[..., None]
    theirs = rng.random((sims, P, N_PUB)) < p[..., None]
    return p, ours, theirs


def test_fixed_set_interval_covers_the_mean_of_p_95_percent_of_the_time():
    p, ours, _ = draws(0)
    covered = []
    for i in range(SIMS):
        lo, hi = fixed_set_mean(ours[i]).interval(0.95)
        covered.append(lo <= p[i].mean() <= hi)
    rate = float(np.mean(covered))
    assert 0.93 <= rate <= 0.97, rate


def _verdicts(ours: np.ndarray, claimed: np.ndarray) -> list[str]:
    out = []
    for run, value in zip(ours, claimed, strict=True):
        d = cited_fixed_set_diff(run.astype(float), value, N_PUB)
        out.append(equivalence(100 * d.value, 100 * d.se, DELTA).verdict)
    return out


def test_a_run_at_the_claimed_value_is_supported_and_8_points_off_is_refuted():
    _, ours, theirs = draws(1)
    claimed = theirs.mean(axis=(1, 2))  # the publisher's own noisy estimate
    same = _verdicts(ours, claimed)
    assert np.mean([v == "supported" for v in same]) >= 0.90
    assert np.mean([v == "refuted" for v in same]) < 0.01
    off = _verdicts(ours, claimed + 0.08) + _verdicts(ours, claimed - 0.08)
    assert np.mean([v == "refuted" for v in off]) >= 0.95


def test_two_samples_per_problem_are_underpowered_even_at_d_zero():
    p, ours, _ = draws(2, sims=500)
    expected_se = 100 * np.sqrt((p * (1 - p)).sum(axis=1) * (1 / 2 + 1 / N_PUB)) / P
    assert (1.645 * expected_se >= DELTA).all()  # by the formula, whatever the draw
    verdicts = []
    for run in ours[:, :, :2]:
        d = cited_fixed_set_diff(run.astype(float), float(run.mean()), N_PUB)  # D = 0 exactly
        verdicts.append(equivalence(100 * d.value, 100 * d.se, DELTA).verdict)
    assert np.mean([v == "underpowered" for v in verdicts]) >= 0.95


def test_the_old_width_gate_case_is_now_a_refutation():
    # 75 measured against a claimed 28.9: D = 46, far outside any margin, whatever the width
    assert equivalence(75.0 - 28.9, 6.5, DELTA).verdict == "refuted"


def test_a_true_difference_at_the_margin_is_supported_at_most_5_percent_of_the_time():
    # the TOST's size: when the truth sits on the margin, a "supported" is a false claim of
    # equivalence and must stay near α = 5 % (Schuirmann 1987)
    _, ours, theirs = draws(3, sims=1000)
    claimed = theirs.mean(axis=(1, 2)) + DELTA / 100
    rate = np.mean([v == "supported" for v in _verdicts(ours, claimed)])
    assert rate <= 0.065, rate
