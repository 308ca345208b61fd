"""Within-problem bootstrap: fixed-set standard errors for metrics without a closed form.

Problems stay fixed; each replicate redraws every problem's n samples with replacement from that
problem's own samples (Miller 2024, "Adding Error Bars to Evals", arXiv 2411.00640, §2.2: the
questions are conditioned on, only the sampling is random). Drawing n samples with replacement
from a problem is a multinomial draw over its answer classes (plus "no answer"), so a replicate
never touches the sample text:

- pass@k (unbiased estimator of Chen et al. 2021): c* ~ Binomial(n, c/n) per problem.
- cons@n: class counts* ~ Multinomial(n, counts/n); the vote credit of ``vote.vote_credit``.
- cons@64 with n > 64: ⌊n/64⌋ independent Multinomial(64, counts/n) blocks, credits averaged.

SE = standard deviation of the B replicate means. For pass@1 the closed form of ``fixed_set``
(Σ σ̂_i²/n/P²) is used instead. The bootstrap of a vote is known to be rough for a non-smooth
statistic at small n; at n = 64 it tracks the sampling spread closely (tests/unit/
test_metrics_within.py checks it against simulation).
"""

from __future__ import annotations

import numpy as np

from harness.metrics.fixed_set import FixedSetEstimate, fixed_set_mean
from harness.metrics.passk import pass_at_k
from harness.metrics.vote import VOTE_BLOCK, class_counts, vote_credit

WITHIN_RESAMPLES = 2000  # Efron & Tibshirani 1993 §19.3, as the problem bootstrap (bootstrap.py)


def _cons_replicates(
    correct: np.ndarray, groups: np.ndarray, draw: int, blocks: int, resamples: int, seed: int
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = correct.shape[1]
    total = np.zeros(resamples)
    for counts, ok in class_counts(correct, groups):
        pvals = np.append(counts, n - counts.sum()) / n  # last slot: no answer
        draws = rng.multinomial(draw, pvals, size=(resamples, blocks))
        total += vote_credit(draws[..., :-1], ok).mean(axis=1)
    return total / correct.shape[0]


def metric_replicates(
    correct: np.ndarray,
    groups: np.ndarray,
    name: str,
    *,
    resamples: int = WITHIN_RESAMPLES,
    seed: int = 0,
    blocks: int | None = None,
) -> np.ndarray:
    """B within-problem bootstrap replicates of a metric's mean over problems (scale [0, 1]).

    Args:
        correct: Bool matrix (P, n).
        groups: Int matrix (P, n) of answer classes, -1 for none.
        name: "pass@k" or "cons@n" as in metrics.json.
        resamples: B.
        seed: Seed of the replicate draws.
        blocks: For cons@64 only: vote blocks per replicate (default ⌊n/64⌋ when n > 64; 1
            gives the spread of a single 64-sample vote, as a publisher's cons@64 has).

    Returns:
        Shape (B,).
    """
    correct = np.asarray(correct, dtype=bool)
    p, n = correct.shape
    kind, _, k_text = name.partition("@")
    k = int(k_text)
    rng = np.random.default_rng(seed)
    if kind == "pass":
        table = pass_at_k(np.arange(n)[None, :] < np.arange(n + 1)[:, None], k)  # f(c), c=0..n
        c = rng.binomial(n, correct.mean(axis=1), size=(resamples, p))
        return table[c].mean(axis=1)
    if kind != "cons":
        raise ValueError(f"no within-problem bootstrap for metric {name!r}")
    if k == n:
        return _cons_replicates(correct, groups, n, 1, resamples, seed)
    if k == VOTE_BLOCK and n > VOTE_BLOCK:
        return _cons_replicates(
            correct, groups, VOTE_BLOCK, blocks or n // VOTE_BLOCK, resamples, seed
        )
    raise ValueError(f"{name} is not computed from n={n} samples per problem")


def fixed_set_metric(
    correct: np.ndarray,
    groups: np.ndarray,
    name: str,
    value: float,
    *,
    resamples: int = WITHIN_RESAMPLES,
    seed: int = 0,
) -> FixedSetEstimate:
    """Fixed-set estimate of any reported metric: closed form for pass@1, else the bootstrap.

    Args:
        correct: Bool matrix (P, n).
        groups: Int matrix (P, n).
        name: Metric name ("pass@1", "pass@8", "cons@64", …).
        value: The metric's point estimate in [0, 1] (from ``scores.problem_scores``).
        resamples: Bootstrap replicates B (unused for pass@1).
        seed: Bootstrap seed.

    Returns:
        ``FixedSetEstimate`` with the given value and the fixed-set SE.
    """
    correct = np.asarray(correct, dtype=bool)
    if name == "pass@1":
        return fixed_set_mean(correct)
    reps = metric_replicates(correct, groups, name, resamples=resamples, seed=seed)
    p, n = correct.shape
    return FixedSetEstimate(
        value=float(value), se=float(reps.std(ddof=1)), n_problems=p, n_samples=n, bounded=False
    )


def publisher_variance(correct: np.ndarray, groups: np.ndarray, name: str, n_pub: int) -> float:
    """Sampling variance of a publisher's estimate of ``name`` on the same problems, [0, 1]².

    Our within-problem variances stand in for the publisher's (the same model on the same
    problems): pass@1 gives Σ σ̂_i² / n_pub / P² (Miller 2024 §2.2); cons@64 is one 64-sample vote
    per problem (the paper's protocol), whose variance is the bootstrap variance of a single block.

    Raises:
        ValueError: For metrics other than pass@1 and cons@64 (the only ones claimed).
    """
    correct = np.asarray(correct, dtype=bool)
    if name == "pass@1":
        est = fixed_set_mean(correct)
        return est.se**2 * est.n_samples / n_pub
    if name == f"cons@{VOTE_BLOCK}" and correct.shape[1] >= VOTE_BLOCK:
        reps = _cons_replicates(correct, groups, VOTE_BLOCK, 1, WITHIN_RESAMPLES, 0)
        return float(reps.var(ddof=1))
    raise ValueError(f"no publisher variance for {name!r} from n={correct.shape[1]} samples")
