"""Cluster bootstrap over problems: percentile intervals and paired differences.

Problems are the resampling unit; each drawn problem keeps all of its n samples (samples are
nested within problems), as docs/protocol.md §3 explains: with 30 AIME problems the problem-level
standard error dwarfs the sample-level one. Every metric here is a mean of fixed per-problem
scores (pass@k and cons@n are computed once per problem), so a replicate is the mean of resampled
per-problem scores and a whole bootstrap is one (B, P) index matrix: O(B·P).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 2000
# Efron & Tibshirani, "An Introduction to the Bootstrap" (1993), §19.3: percentile intervals need
# B ≈ 1000–2000 so the Monte-Carlo error of the 2.5 % / 97.5 % endpoints is small next to the
# interval's width; B = 2000 costs milliseconds here (and matches StatsConfig.bootstrap_resamples).
DEFAULT_SEED = 0
DEFAULT_CONFIDENCE = 0.95


def resample_indices(n_problems: int, resamples: int, seed: int) -> np.ndarray:
    """Draw the (B, P) matrix of problem indices, with replacement, once per bootstrap.

    Args:
        n_problems: P, the number of problems.
        resamples: B, the number of bootstrap replicates.
        seed: Seed for ``np.random.default_rng``; the same seed gives the same matrix.

    Returns:
        Int matrix of shape (B, P) with entries in [0, P).

    """
    if n_problems < 1:
        raise ValueError(f"need at least one problem, got {n_problems}")
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_problems, size=(resamples, n_problems))


def bootstrap_means(scores: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Replicate means of per-problem scores under the given resample indices.

    Args:
        scores: Per-problem scores, shape (P,) or (M metrics, P).
        indices: Resample matrix of shape (B, P) from ``resample_indices``.

    Returns:
        Shape (B,) for 1-D scores, (M, B) for 2-D scores.

    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        return scores[indices].mean(axis=1)
    # one metric at a time keeps memory at B·P rather than M·B·P
    return np.stack([row[indices].mean(axis=1) for row in scores])


def percentile_interval(replicates: np.ndarray, confidence: float) -> np.ndarray:
    """Percentile interval of bootstrap replicates along the last axis.

    Args:
        replicates: Shape (B,) or (M, B).
        confidence: Coverage in (0, 1), e.g. 0.95.

    Returns:
        Shape (2,) or (M, 2): lower and upper bounds.

    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    alpha = 1.0 - confidence
    bounds = np.quantile(replicates, [alpha / 2, 1 - alpha / 2], axis=-1)
    return np.moveaxis(bounds, 0, -1)


def bootstrap_ci(
    scores: np.ndarray,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> np.ndarray:
    """Percentile interval for the mean of per-problem scores, resampling problems.

    Args:
        scores: Per-problem scores, shape (P,) or (M, P); all rows share one index matrix.
        resamples: B, the number of replicates.
        seed: Bootstrap seed.
        confidence: Interval coverage.

    Returns:
        Bounds in the scores' own scale, shape (2,) or (M, 2).

    """
    scores = np.asarray(scores, dtype=np.float64)
    indices = resample_indices(scores.shape[-1], resamples, seed)
    return percentile_interval(bootstrap_means(scores, indices), confidence)


@dataclass(frozen=True)
class PairedDiff:
    """Difference of two runs' means over the same problems, in percentage points.

    Attributes:
        value: mean(a) − mean(b), in points.
        ci95: Percentile interval of the difference, in points (coverage as requested).
        n_problems: Problems compared.
        resamples: Bootstrap replicates used.
        seed: Bootstrap seed.

    """

    value: float
    ci95: tuple[float, float]
    n_problems: int
    resamples: int
    seed: int


def paired_bootstrap_diff(
    scores_a: np.ndarray,
    scores_b: np.ndarray,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> PairedDiff:
    """Paired cluster bootstrap of the difference between two runs on the same problems.

    Both runs are resampled with the same problem indices, so the shared problem difficulty
    cancels and the interval reflects only how the runs differ.

    Args:
        scores_a: Per-problem scores in [0, 1] of run A, shape (P,), in a fixed problem order.
        scores_b: Per-problem scores of run B in the same problem order.
        resamples: B, the number of replicates.
        seed: Bootstrap seed.
        confidence: Interval coverage.

    Returns:
        The difference A − B and its interval, in percentage points (unrounded).

    Raises:
        ValueError: If the vectors are not 1-D of equal, non-zero length.

    """
    a = np.asarray(scores_a, dtype=np.float64)
    b = np.asarray(scores_b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(
            f"paired scores must be 1-D vectors over the same problems, got {a.shape} and {b.shape}"
        )
    indices = resample_indices(a.size, resamples, seed)
    lo, hi = 100.0 * percentile_interval(bootstrap_means(a - b, indices), confidence)
    return PairedDiff(
        value=100.0 * float(np.mean(a - b)),
        ci95=(float(lo), float(hi)),
        n_problems=int(a.size),
        resamples=resamples,
        seed=seed,
    )
