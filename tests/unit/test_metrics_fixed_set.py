"""Fixed-set SE: closed form against brute force, and coverage of mean(p_i) by simulation."""

import numpy as np
import pytest

from harness.metrics.fixed_set import (
    cited_fixed_set_diff,
    fixed_set_mean,
    paired_fixed_set_diff,
    within_variances,
    z_value,
)


def test_closed_form_matches_definition():
    x = np.array([[1, 0, 1, 1] * 2, [0, 0, 0, 1] * 2, [1, 1, 1, 1] * 2], dtype=float)  # n = 8
    est = fixed_set_mean(x)
    var = [np.var(r, ddof=1) for r in x]
    assert est.value == pytest.approx(x.mean())
    assert est.se == pytest.approx(np.sqrt(sum(v / 8 for v in var)) / 3)
    assert not est.bounded


def test_small_n_floors_the_variance_at_p_tilde():
    # n = 4 < 8: σ̂² = max(unbiased variance, p̃(1 − p̃)), p̃ = (c + ½)/(n + 1)
    x = np.array([[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=float)
    var, _ = within_variances(x)
    floor = [(c + 0.5) / 5 * (1 - (c + 0.5) / 5) for c in (3, 0, 4)]
    assert var == pytest.approx([max(np.var(x[0], ddof=1), floor[0]), floor[1], floor[2]])
    assert fixed_set_mean(x).se > 0


NEAR = {  # 30 problems with rates near 0 and 1, where two samples mostly agree
    "near 0": np.linspace(0.0, 0.1, 30),
    "near 1": np.linspace(0.9, 1.0, 30),
    "0 and 1": np.r_[np.linspace(0.0, 0.05, 15), np.linspace(0.95, 1.0, 15)],
}


@pytest.mark.parametrize("name", list(NEAR))
def test_30_by_2_covers_at_rates_near_0_and_1_and_se_is_never_0(name):
    # Without the floor: SE = 0 in up to 54 % of such runs, coverage 0.54–0.81 (issue 19).
    # With it (4,000 runs each): coverage 0.9993–1.0, SE = 0 never.
    p = NEAR[name]
    rng = np.random.default_rng(3)
    x = (rng.random((4000, 30, 2)) < p[None, :, None]).astype(float)
    var = np.var(x, axis=2, ddof=1)
    p_tilde = (x.sum(axis=2) + 0.5) / 3
    se = np.sqrt(np.maximum(var, p_tilde * (1 - p_tilde)).sum(axis=1) / 2) / 30
    assert se == pytest.approx([fixed_set_mean(r).se for r in x[:50]] + list(se[50:]))
    covered = np.abs(x.mean(axis=(1, 2)) - p.mean()) <= 1.96 * se
    assert covered.mean() >= 0.93, covered.mean()
    assert (se > 0).all()


def test_one_sample_uses_bernoulli_bound():
    var, bounded = within_variances(np.array([[1.0], [0.0]]))
    assert bounded and list(var) == [0.25, 0.25]


def test_z_values():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-5)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-5)


def _heterogeneous_p(rng, problems=30):
    # AIME-like difficulty: mass near 0 and 1, some in between (Beta(0.4, 0.6), mean 0.4)
    return rng.beta(0.4, 0.6, size=problems)


def test_fixed_set_interval_covers_mean_p():
    rng = np.random.default_rng(7)
    p = _heterogeneous_p(rng)
    hits = 0
    sims = 600
    for _ in range(sims):
        x = rng.random((30, 64)) < p[:, None]
        lo, hi = fixed_set_mean(x).interval(0.95)
        hits += lo <= p.mean() <= hi
    assert 0.93 <= hits / sims <= 0.97


def test_paired_and_cited_intervals_cover():
    rng = np.random.default_rng(11)
    pa, pb = _heterogeneous_p(rng), _heterogeneous_p(rng)
    sims, paired_hits, cited_hits = 500, 0, 0
    for _ in range(sims):
        a = rng.random((30, 16)) < pa[:, None]
        b = rng.random((30, 64)) < pb[:, None]
        lo, hi = (
            (d := paired_fixed_set_diff(a, b)).value - 1.96 * d.se,
            d.value + 1.96 * d.se,
        )
        paired_hits += lo <= pa.mean() - pb.mean() <= hi
        # the cited number is itself a 64-sample estimate of mean(pa) on the same problems
        cited = (rng.random((30, 64)) < pa[:, None]).mean()
        c = cited_fixed_set_diff(a, cited, n_pub=64)
        cited_hits += abs(c.value) <= 1.96 * c.se
    assert 0.93 <= paired_hits / sims <= 0.97
    assert 0.93 <= cited_hits / sims <= 0.985


def test_shapes_are_checked():
    with pytest.raises(ValueError):
        paired_fixed_set_diff(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError):
        cited_fixed_set_diff(np.zeros((3, 2)), 0.5, n_pub=0)
