import numpy as np
import pytest

from harness.metrics import (
    bootstrap_ci,
    bootstrap_means,
    paired_bootstrap_diff,
    percentile_interval,
    resample_indices,
)


def bernoulli_scores(p: int, rate: float, n: int = 8, seed: int = 0) -> np.ndarray:
    """Per-problem pass@1 of P problems with n samples each at one success rate."""
    rng = np.random.default_rng(seed)
    return (rng.random((p, n)) < rate).mean(axis=1)


def test_same_seed_same_interval_different_seed_different() -> None:
    scores = bernoulli_scores(60, 0.4)
    a = bootstrap_ci(scores, resamples=500, seed=3)
    b = bootstrap_ci(scores, resamples=500, seed=3)
    c = bootstrap_ci(scores, resamples=500, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_interval_contains_point_estimate() -> None:
    for seed in range(5):
        scores = bernoulli_scores(40, 0.3 + 0.1 * seed, seed=seed)
        lo, hi = bootstrap_ci(scores, seed=seed)
        assert lo <= scores.mean() <= hi
        assert lo < hi


def test_width_shrinks_like_one_over_sqrt_p() -> None:
    small = np.diff(bootstrap_ci(bernoulli_scores(30, 0.5, seed=1)))[0]
    large = np.diff(bootstrap_ci(bernoulli_scores(480, 0.5, seed=2)))[0]
    # 16× the problems → about a quarter of the width
    assert small / large == pytest.approx(4.0, rel=0.25)


@pytest.mark.parametrize(("p", "rate"), [(30, 0.5), (100, 0.2), (500, 0.7)])
def test_standard_error_matches_analytic_cluster_se(p: int, rate: float) -> None:
    # problems vary in difficulty, samples nested within problems
    rng = np.random.default_rng(p)
    difficulty = rng.beta(2 * rate / (1 - rate), 2, size=p)
    scores = (rng.random((p, 16)) < difficulty[:, None]).mean(axis=1)
    reps = bootstrap_means(scores, resample_indices(p, 4000, seed=0))
    analytic = np.sqrt(scores.var() / p)  # sqrt(var(per-problem means) / P)
    assert reps.std() == pytest.approx(analytic, rel=0.10)


def test_index_matrix_shape_and_range() -> None:
    idx = resample_indices(7, 11, seed=0)
    assert idx.shape == (11, 7)
    assert idx.min() >= 0 and idx.max() < 7


def test_several_metrics_share_one_index_matrix() -> None:
    scores = np.stack([bernoulli_scores(50, 0.5), bernoulli_scores(50, 0.5, seed=9)])
    both = bootstrap_ci(scores, resamples=300, seed=1)
    assert both.shape == (2, 2)
    np.testing.assert_array_equal(both[1], bootstrap_ci(scores[1], resamples=300, seed=1))


def test_constant_scores_give_degenerate_interval() -> None:
    np.testing.assert_array_equal(bootstrap_ci(np.ones(30)), [1.0, 1.0])


def test_percentile_interval_rejects_bad_confidence() -> None:
    with pytest.raises(ValueError, match="confidence"):
        percentile_interval(np.arange(10.0), 1.0)


def test_resample_indices_rejects_empty() -> None:
    with pytest.raises(ValueError, match="at least one problem"):
        resample_indices(0, 10, seed=0)
    with pytest.raises(ValueError, match="resamples"):
        resample_indices(5, 0, seed=0)


def test_paired_diff_in_points_and_seeded() -> None:
    a = bernoulli_scores(100, 0.6, seed=1)
    b = bernoulli_scores(100, 0.4, seed=2)
    d = paired_bootstrap_diff(a, b, seed=5)
    assert d.value == pytest.approx(100 * (a.mean() - b.mean()))
    assert d.ci95[0] < d.value < d.ci95[1]
    assert d.ci95[0] > 0  # a real 20-point gap on 100 problems is resolved
    assert d.n_problems == 100 and d.resamples == 2000 and d.seed == 5
    assert paired_bootstrap_diff(a, b, seed=5) == d


def test_paired_diff_narrower_than_unpaired_when_runs_share_difficulty() -> None:
    rng = np.random.default_rng(0)
    difficulty = rng.random(200)
    a = (rng.random((200, 8)) < difficulty[:, None]).mean(axis=1)
    b = (rng.random((200, 8)) < difficulty[:, None]).mean(axis=1)
    paired = paired_bootstrap_diff(a, b)
    width_a = np.diff(bootstrap_ci(a))[0] * 100
    assert paired.ci95[0] <= paired.value <= paired.ci95[1]
    assert paired.ci95[1] - paired.ci95[0] < width_a  # shared difficulty cancels
    assert paired.ci95[0] < 0 < paired.ci95[1]  # same model twice: no difference


def test_paired_diff_of_identical_runs_is_zero() -> None:
    a = bernoulli_scores(30, 0.5)
    d = paired_bootstrap_diff(a, a)
    assert d.value == 0.0 and d.ci95 == (0.0, 0.0)


def test_paired_diff_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same problems"):
        paired_bootstrap_diff(np.zeros(3), np.zeros(4))
