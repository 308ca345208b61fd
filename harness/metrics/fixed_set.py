"""Fixed-set uncertainty: the benchmark's problems are fixed, only the samples are random.

A claim such as "28.9 on AIME 2024" is about those 30 problems. Its estimate is the mean over
problems of per-problem sample means, and its only randomness is which samples the model drew
(Miller 2024, "Adding Error Bars to Evals", arXiv 2411.00640, §2.2 "conditioning on the
questions"). For P problems with n_i samples each and per-sample scores x_ij in [0, 1]:

    estimate        μ̂ = (1/P) Σ_i x̄_i
    within variance σ̂_i² = Σ_j (x_ij − x̄_i)² / (n_i − 1)      (unbiased, Bessel-corrected)
    standard error  SE² = Σ_i σ̂_i² / n_i / P²

A paired comparison of two runs on the same problems (independent samples) adds the two
variances problem by problem, SE² = Σ_i (σ̂a_i²/n_a,i + σ̂b_i²/n_b,i) / P²; a side that is a
number cited from a publisher that drew n_pub samples per problem is given the measured side's
within-problem variance (the only estimate of it there is), SE_D² = Σ_i σ̂_i² (1/n + 1/n_pub)/P².

With one sample per problem σ̂_i² cannot be estimated; the Bernoulli bound 1/4 is used instead
(conservative: p(1 − p) ≤ 1/4), and ``FixedSetEstimate.bounded`` says so. With 2 ≤ n < 8 samples
σ̂_i² is floored at p̃_i(1 − p̃_i), p̃_i = (c_i + ½)/(n + 1) (c_i = Σ_j x_ij; the add-½ shrinkage of
Agresti & Coull 1998, Am. Stat. 52:119, in its Jeffreys-prior form): at n = 2 a problem whose two
samples agree has σ̂_i² = 0, so without the floor a 30 × 2 run can have SE = 0 and a verdict could
rest on it. tests/unit/test_metrics_fixed_set.py measures the coverage this gives at 30 × 2.

The "generalisation" target (a new draw of problems from the same population) is the
problem-level bootstrap of ``bootstrap.py``; at P = 30 it is an order of magnitude wider.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

BERNOULLI_MAX_VARIANCE = 0.25  # p(1 − p) ≤ 1/4: the bound used when n_i = 1
FLOOR_BELOW_N = 8  # σ̂_i² floored at p̃(1 − p̃) for n < 8 (issue 19; coverage in the tests)


def variance_floor(samples: np.ndarray) -> np.ndarray:
    """p̃_i(1 − p̃_i) with p̃_i = (c_i + ½)/(n + 1) per row of a (P, n) score matrix.

    c_i = Σ_j |x_ij|: the correct count for scores in [0, 1]; for per-sample differences in
    [−1, 1] (``harness-compare``'s one log graded twice) the count of samples that differ.
    """
    x = np.asarray(samples, dtype=np.float64)
    p_tilde = (np.abs(x).sum(axis=1) + 0.5) / (x.shape[1] + 1)
    return p_tilde * (1.0 - p_tilde)


def z_value(confidence: float) -> float:
    """Two-sided normal quantile: 1.96 for 0.95, 1.645 for 0.90."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def within_variances(samples: np.ndarray) -> tuple[np.ndarray, bool]:
    """Unbiased within-problem variance σ̂_i² of each row of a (P, n) score matrix.

    Args:
        samples: Per-sample scores in [0, 1], shape (P problems, n samples).

    Returns:
        The (P,) vector of σ̂_i² (floored at p̃_i(1 − p̃_i) when n < 8, module docstring), and
        whether the 1/4 bound replaced it (n = 1).
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"need a (problems, samples) matrix with both ≥ 1, got {x.shape}")
    if x.shape[1] == 1:
        return np.full(x.shape[0], BERNOULLI_MAX_VARIANCE), True
    var = x.var(axis=1, ddof=1)
    if x.shape[1] < FLOOR_BELOW_N:
        var = np.maximum(var, variance_floor(x))
    return var, False


@dataclass(frozen=True)
class FixedSetEstimate:
    """A fixed-set mean with its standard error, in the scores' own scale ([0, 1]).

    Attributes:
        value: μ̂, the mean over problems of per-problem sample means.
        se: The fixed-set standard error (sample noise only, problems held fixed).
        n_problems: P.
        n_samples: n, samples per problem.
        bounded: True when n = 1 and σ̂_i² was replaced by the 1/4 bound.
    """

    value: float
    se: float
    n_problems: int
    n_samples: int
    bounded: bool

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Normal interval μ̂ ± z·SE, clipped to [0, 1]."""
        half = z_value(confidence) * self.se
        return (max(0.0, self.value - half), min(1.0, self.value + half))


def fixed_set_mean(samples: np.ndarray) -> FixedSetEstimate:
    """Mean over problems and its fixed-set SE (module docstring; Miller 2024 §2.2).

    Args:
        samples: Per-sample scores in [0, 1], shape (P, n): correctness for pass@1.

    Returns:
        The estimate, its SE and what it rests on.
    """
    x = np.asarray(samples, dtype=np.float64)
    var, bounded = within_variances(x)
    p, n = x.shape
    return FixedSetEstimate(
        value=float(x.mean(axis=1).mean()),
        se=float(np.sqrt(var.sum() / n) / p),
        n_problems=p,
        n_samples=n,
        bounded=bounded,
    )


def paired_fixed_set_diff(samples_a: np.ndarray, samples_b: np.ndarray) -> FixedSetEstimate:
    """Difference a − b of two runs on the same problems (same row order), fixed-set SE.

    SE² = Σ_i (σ̂a_i²/n_a + σ̂b_i²/n_b) / P² (module docstring): the samples of the two runs are
    independent, the problems are shared, so problem difficulty cancels out of the difference.

    Args:
        samples_a: Run A's (P, n_a) per-sample scores.
        samples_b: Run B's (P, n_b) per-sample scores, rows in the same problem order.

    Returns:
        The difference as a ``FixedSetEstimate`` (``n_samples`` is min(n_a, n_b)).
    """
    a = np.asarray(samples_a, dtype=np.float64)
    b = np.asarray(samples_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError(f"paired runs need the same problems (rows), got {a.shape} and {b.shape}")
    var_a, bound_a = within_variances(a)
    var_b, bound_b = within_variances(b)
    p = a.shape[0]
    se = float(np.sqrt(var_a.sum() / a.shape[1] + var_b.sum() / b.shape[1]) / p)
    return FixedSetEstimate(
        value=float(a.mean(axis=1).mean() - b.mean(axis=1).mean()),
        se=se,
        n_problems=p,
        n_samples=min(a.shape[1], b.shape[1]),
        bounded=bound_a or bound_b,
    )


def cited_fixed_set_diff(samples: np.ndarray, cited: float, n_pub: int) -> FixedSetEstimate:
    """Measured − cited on the same fixed set, counting the cited number's own sampling noise.

    SE_D² = Σ_i σ̂_i² (1/n + 1/n_pub) / P² (module docstring): the publisher's number is itself a
    mean of n_pub samples per problem on the same problems; our σ̂_i² stands in for theirs.

    Args:
        samples: Our (P, n) per-sample scores in [0, 1].
        cited: The cited value, in the same [0, 1] scale.
        n_pub: Samples per problem behind the cited number (from its protocol).

    Returns:
        D = μ̂ − cited with SE_D.
    """
    if n_pub < 1:
        raise ValueError(f"n_pub must be ≥ 1, got {n_pub}")
    x = np.asarray(samples, dtype=np.float64)
    var, bounded = within_variances(x)
    p, n = x.shape
    return FixedSetEstimate(
        value=float(x.mean(axis=1).mean() - cited),
        se=float(np.sqrt(var.sum() * (1.0 / n + 1.0 / n_pub)) / p),
        n_problems=p,
        n_samples=n,
        bounded=bounded,
    )
