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
(Σ σ̂_i²/n/P²) is used instead. With n < 8 the SE of a bootstrapped metric is floored at that of
pass@1 with the p̃ floor of ``fixed_set`` (a vote of 2 agreeing samples has no bootstrap spread).

pass@k (k > 1) is not bootstrapped: resampling c* ~ Binomial(n, c/n) and re-applying the unbiased
estimator is biased low at small p and far too high where the true variance is near 0 (issue 19:
coverage 0.78 for pass@64 at n = 64). Its fixed-set SE is the jackknife over samples within each
problem (Efron & Stein 1981, Ann. Stat. 9:586: the jackknife variance of a U-statistic is biased
upward, i.e. conservative): leaving out one of the c correct samples gives f_{n−1}(c − 1), one of
the n − c others f_{n−1}(c), so

    v_i = (n − 1) · [ (c/n)(f_{n−1}(c−1) − f̄)² + (1 − c/n)(f_{n−1}(c) − f̄)² ],   SE² = Σ_i v_i / P²

with f̄ the mean of the n leave-one-out values. A problem never solved (c = 0) has v_i = 0 although
its pass@k can be far from 0, so v_i is floored there (and for every problem when n < 8) by the
delta-method variance at p̃ = (c + ½)/(n + 1): (k (1 − p̃)^(k−1))² p̃(1 − p̃)/n. Only k ≤ n/2 gets a
fixed-set SE; for k > n/2 (pass@n itself, where leaving one sample out changes the estimator's
meaning) none is given: metrics.json says "omitted" in ``fixed_set_estimator``.
tests/unit/test_metrics_within.py measures coverage ≥ 0.95 for k ≤ n/2 at n = 4 … 64 (the
bootstrap gave 0.84 for pass@8 at n = 8 and 0.88–0.90 for pass@2 at n = 4). The bootstrap of a
vote is known to be rough for a non-smooth statistic at small n; at n = 64 it tracks the sampling
spread closely (tests/unit/test_metrics_within.py checks it against simulation).
"""

from __future__ import annotations

import numpy as np

from harness.metrics.fixed_set import (
    FLOOR_BELOW_N,
    FixedSetEstimate,
    fixed_set_mean,
    variance_floor,
)
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
        table = passk_table(n, k)
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


def passk_table(n: int, k: int) -> np.ndarray:
    """f_n(c) = pass@k of a problem with c of n samples correct, for c = 0 … n."""
    return pass_at_k(np.arange(n)[None, :] < np.arange(n + 1)[:, None], k)


def has_fixed_set_se(name: str, n: int) -> bool:
    """Whether ``name`` gets a fixed-set SE from n samples per problem (pass@k: k ≤ n/2)."""
    kind, _, k = name.partition("@")
    return kind != "pass" or int(k) == 1 or 2 * int(k) <= n


def fixed_set_estimator(name: str, n: int) -> str:
    """How the fixed-set SE of ``name`` is computed from n samples per problem, in words."""
    kind, _, k = name.partition("@")
    small = n < FLOOR_BELOW_N
    if name == "pass@1":
        floor = ", floored at p̃(1 − p̃), p̃ = (c + ½)/(n + 1)" if small else ""
        return ("Bernoulli bound 1/4 (n = 1)" if n == 1 else "closed form Σσ̂²/(nP²)") + floor
    if kind == "pass":
        if 2 * int(k) > n:
            return f"omitted: k = {k} > n/2 = {n / 2:g} (no interval that covers is known here)"
        return "jackknife over samples within problems, delta-method floor at c = 0"
    return "within-problem bootstrap" + (", floored at the pass@1 p̃ floor" if small else "")


def passk_jackknife_se(correct: np.ndarray, k: int) -> float:
    """Fixed-set SE of mean pass@k by the within-problem jackknife (module docstring), k ≤ n/2.

    Args:
        correct: Bool matrix (P, n).
        k: The k of pass@k, 1 < k ≤ n/2.

    Returns:
        SE in [0, 1] units.
    """
    correct = np.asarray(correct, dtype=bool)
    p, n = correct.shape
    if not 1 < k <= n // 2:
        raise ValueError(f"the pass@k jackknife needs 1 < k ≤ n/2, got k={k}, n={n}")
    c = correct.sum(axis=1)
    loo = passk_table(n - 1, k)
    drop_right, drop_wrong = loo[np.maximum(c - 1, 0)], loo[np.minimum(c, n - 1)]
    w = c / n
    mean = w * drop_right + (1 - w) * drop_wrong
    v = (n - 1) * (w * (drop_right - mean) ** 2 + (1 - w) * (drop_wrong - mean) ** 2)
    p_tilde = (c + 0.5) / (n + 1)
    delta = (k * (1 - p_tilde) ** (k - 1)) ** 2 * p_tilde * (1 - p_tilde) / n
    floor_here = np.ones(p, dtype=bool) if n < FLOOR_BELOW_N else c == 0
    v = np.where(floor_here, np.maximum(v, delta), v)
    return float(np.sqrt(v.sum()) / p)


def fixed_set_metric(
    correct: np.ndarray,
    groups: np.ndarray,
    name: str,
    value: float,
    *,
    resamples: int = WITHIN_RESAMPLES,
    seed: int = 0,
) -> FixedSetEstimate:
    """Fixed-set estimate of a metric: closed form (pass@1), jackknife (pass@k), else bootstrap.

    Args:
        correct: Bool matrix (P, n).
        groups: Int matrix (P, n).
        name: Metric name ("pass@1", "pass@8", "cons@64", …).
        value: The metric's point estimate in [0, 1] (from ``scores.problem_scores``).
        resamples: Bootstrap replicates B (unused for pass@1).
        seed: Bootstrap seed.

    Returns:
        ``FixedSetEstimate`` with the given value and the fixed-set SE.

    Raises:
        ValueError: pass@k with k > n/2 (``has_fixed_set_se``), or a metric not computed.
    """
    correct = np.asarray(correct, dtype=bool)
    if name == "pass@1":
        return fixed_set_mean(correct)
    p, n = correct.shape
    if not has_fixed_set_se(name, n):
        raise ValueError(f"no fixed-set SE for {name} from n={n}: {fixed_set_estimator(name, n)}")
    if name.startswith("pass@"):
        se = passk_jackknife_se(correct, int(name.partition("@")[2]))
    else:
        reps = metric_replicates(correct, groups, name, resamples=resamples, seed=seed)
        se = float(reps.std(ddof=1))
        if n < FLOOR_BELOW_N:
            se = max(se, float(np.sqrt(variance_floor(correct).sum() / n) / p))
    return FixedSetEstimate(value=float(value), se=se, n_problems=p, n_samples=n, bounded=False)


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
