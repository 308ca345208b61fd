from fractions import Fraction
from itertools import combinations
from math import comb

import numpy as np
import pytest

from harness.metrics import k_values, pass_at_1, pass_at_k, problem_scores


def brute_force_pass_at_k(row: np.ndarray, k: int) -> Fraction:
    """Share of all k-subsets of the samples that contain a correct one, exactly."""
    subsets = list(combinations(range(row.size), k))
    hits = sum(bool(row[list(s)].any()) for s in subsets)
    return Fraction(hits, len(subsets))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 10])
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_pass_at_k_equals_subset_average(n: int, rate: float) -> None:
    rng = np.random.default_rng(n * 100 + int(rate * 10))
    correct = rng.random((12, n)) < rate
    for k in range(1, n + 1):
        got = pass_at_k(correct, k)
        for p in range(correct.shape[0]):
            expected = brute_force_pass_at_k(correct[p], k)
            assert got[p] == pytest.approx(float(expected), rel=0, abs=1e-12), (p, k)


def test_pass_at_k_matches_binomial_formula_for_large_n() -> None:
    n, k = 64, 8
    correct = np.zeros((n + 1, n), dtype=bool)
    for c in range(n + 1):
        correct[c, :c] = True
    expected = [1 - Fraction(comb(n - c, k), comb(n, k)) for c in range(n + 1)]
    np.testing.assert_allclose(pass_at_k(correct, k), [float(e) for e in expected], atol=1e-12)


def test_pass_at_1_is_mean_and_equals_pass_at_k_1() -> None:
    rng = np.random.default_rng(0)
    correct = rng.random((20, 7)) < 0.4
    np.testing.assert_allclose(pass_at_1(correct), correct.mean(axis=1))
    np.testing.assert_allclose(pass_at_k(correct, 1), pass_at_1(correct), atol=1e-12)


@pytest.mark.parametrize("k", [0, 6])
def test_pass_at_k_rejects_k_out_of_range(k: int) -> None:
    with pytest.raises(ValueError, match="k must be in"):
        pass_at_k(np.ones((2, 5), dtype=bool), k)


@pytest.mark.parametrize(
    ("n", "ks"),
    [
        (1, [1]),
        (2, [1, 2]),
        (3, [1, 2, 3]),
        (5, [1, 2, 4, 5]),
        (8, [1, 2, 4, 8]),
        (64, [1, 2, 4, 8, 16, 32, 64]),
        (100, [1, 2, 4, 8, 16, 32, 64, 100]),
    ],
)
def test_k_values(n: int, ks: list[int]) -> None:
    assert k_values(n) == ks


def test_metric_names_and_order() -> None:
    scores = problem_scores(np.ones((3, 5), dtype=bool), np.zeros((3, 5), dtype=int))
    assert [m.name for m in scores.metrics] == ["pass@1", "pass@2", "pass@4", "pass@5", "cons@5"]
    assert [m.k for m in scores.metrics] == [1, 2, 4, 5, 5]
    assert scores["pass@4"].shape == (3,)
    assert not scores["pass@1"].flags.writeable
    with pytest.raises(KeyError, match="pass@3"):
        scores["pass@3"]
