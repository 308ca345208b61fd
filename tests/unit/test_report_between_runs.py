"""Pooled runs that differ by more than their samples: the t interval and the unstable test.

Simulation: 30 problems with rates from Beta(2, 2); each of R runs shifts every rate by its own
u_r ~ N(0, τ²) (engine, batch, hardware), clipped to [0, 1], and draws 16 samples per problem.
The target is the engine-averaged value, the mean over problems of E_u[clip(p_i + u)]. δ = 3.33
points (AIME pass@1). Measured (2,000 runs per cell of the grid, R = 2–5):

- coverage of value ± 1.96·SE: 0.95–0.995 (the old z·√(SE² + τ̂²/R): 0.83–0.89 at τ = δ);
- "unstable" (χ² test of τ ≤ δ/2 at 5 %): 0.5–1.1 % at τ = 0, 4.9–5.4 % at τ = δ/2 (the old
  τ̂ > δ/2 rule: 32–41 %), 19–36 % at τ = δ.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.report.evidence import between_runs, chi2_95, t975

P, N, DELTA, SIMS = 30, 16, 0.0333, 2000


def _world(r: int, tau: float, seed: int):
    rng = np.random.default_rng(seed)
    p = rng.beta(2, 2, P)
    shifts = rng.normal(0, tau, 40_000) if tau > 0 else np.zeros(1)
    target = float(np.clip(p[:, None] + shifts[None, :], 0, 1).mean())
    rates = np.clip(p[None, None, :] + rng.normal(0, tau, (SIMS, r))[:, :, None], 0, 1)
    c = rng.binomial(N, rates)  # (sims, R, P) correct counts
    means = c.mean(axis=2) / N
    ses = np.sqrt((c * (N - c) / (N * (N - 1))).sum(axis=2) / N) / P  # each run's fixed-set SE
    total = c.sum(axis=1)
    pooled = np.sqrt((total * (r * N - total) / (r * N * (r * N - 1))).sum(axis=1) / (r * N)) / P
    return target, means, ses, pooled


@pytest.mark.parametrize("r", [2, 3, 4, 5])
def test_pooled_interval_covers_and_unstable_is_a_5_percent_test(r):
    for tau, max_flag in ((0.0, 0.02), (DELTA / 2, 0.065), (DELTA, 1.0)):
        target, means, ses, pooled = _world(r, tau, seed=r * 10 + int(tau * 1000))
        out = [between_runs(m, s, w, DELTA) for m, s, w in zip(means, ses, pooled, strict=True)]
        value = means.mean(axis=1)
        covered = np.mean([abs(v - target) <= 1.96 * o.se for v, o in zip(value, out, strict=True)])
        flagged = np.mean([o.unstable for o in out])
        assert covered >= 0.93, (r, tau, covered)
        assert flagged <= max_flag, (r, tau, flagged)
        if tau == DELTA:
            assert flagged >= 0.12, (r, flagged)  # it does fire when the spread is real


def test_quantile_tables_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in (1, 2, 5, 30, 31, 60, 200):
        assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-3)
        assert chi2_95(df) == pytest.approx(stats.chi2.ppf(0.95, df), rel=1e-3)


def test_one_run_has_no_between_run_term():
    with pytest.raises(ValueError, match="R ≥ 2"):
        between_runs(np.array([0.5]), np.array([0.01]), 0.01, DELTA)
