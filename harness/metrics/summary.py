"""Assemble metrics.json: every metric in percent with both of its intervals, plus sample facts.

Each metric carries two 95 % intervals for two different questions (Miller 2024, "Adding Error
Bars to Evals", arXiv 2411.00640): ``ci95_fixed_set`` holds the benchmark's problems fixed and
counts only the sampling noise ("how well does the model do on *these* problems"; the target of
a claim like "28.9 on AIME 2024"), ``ci95_generalisation`` resamples problems ("on problems like
these"). ``ci95`` is kept, equal to ``ci95_generalisation``, for readers of older files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from harness.metrics.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    bootstrap_ci,
)
from harness.metrics.scores import MetricScores, ProblemScores, problem_scores, validate_matrix
from harness.metrics.vote import NO_ANSWER
from harness.metrics.within import fixed_set_estimator, fixed_set_metric, has_fixed_set_se
from harness.types import MetricValue

LengthUnit = Literal["tokens", "characters"]
DECIMALS = 2  # percent values: 0.01 points is far below any bootstrap interval's width


def _pct(x: float) -> float:
    return round(100.0 * float(x), DECIMALS)


def metric_values(
    scores: ProblemScores,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, MetricValue]:
    """Point estimates and percentile intervals (percent, rounded) of every metric of a run.

    All metrics share one resample index matrix, so their intervals are mutually consistent.

    Args:
        scores: Per-problem scores from ``problem_scores``.
        resamples: Bootstrap replicates B.
        seed: Bootstrap seed.
        confidence: Interval coverage (stored in ``MetricValue.ci95`` whatever its value).

    Returns:
        Metric name → value, in the order of ``scores.metrics``.

    """
    matrix = np.stack([m.scores for m in scores.metrics])
    bounds = bootstrap_ci(matrix, resamples=resamples, seed=seed, confidence=confidence)
    return {
        m.name: MetricValue(
            value=_pct(m.scores.mean()),
            ci95=(_pct(lo), _pct(hi)),
            estimator=m.estimator,
            n_problems=scores.n_problems,
            n_samples=scores.n_samples,
        )
        for m, (lo, hi) in zip(scores.metrics, bounds, strict=True)
    }


def _fixed_set(
    correct: np.ndarray,
    groups: np.ndarray,
    metric: MetricScores,
    *,
    resamples: int,
    seed: int,
    confidence: float,
) -> dict[str, Any]:
    """``se_fixed_set`` and ``ci95_fixed_set`` (percent) of one metric: problems held fixed.

    ``fixed_set_estimator`` names how; for pass@k with k > n/2 no fixed-set SE is given (the two
    keys are absent and ``fixed_set_estimator`` says "omitted", ``within.py``).
    """
    how = {"fixed_set_estimator": fixed_set_estimator(metric.name, correct.shape[1])}
    if not has_fixed_set_se(metric.name, correct.shape[1]):
        return how
    est = fixed_set_metric(
        correct, groups, metric.name, float(metric.scores.mean()), resamples=resamples, seed=seed
    )
    lo, hi = est.interval(confidence)
    return {"se_fixed_set": _pct(est.se), "ci95_fixed_set": [_pct(lo), _pct(hi)], **how}


def _sample_share(flags: np.ndarray | None, shape: tuple[int, int], name: str) -> float | None:
    if flags is None:
        return None
    flags = np.asarray(flags)
    if flags.shape != shape:
        raise ValueError(f"{name} shape {flags.shape} differs from correct shape {shape}")
    return _pct(flags.astype(bool).mean())


def _by_level(
    correct: np.ndarray,
    levels: Sequence[int | None] | None,
    *,
    resamples: int,
    seed: int,
    confidence: float,
) -> dict[str, Any]:
    if levels is None:
        return {}
    if len(levels) != correct.shape[0]:
        raise ValueError(f"levels has {len(levels)} entries for {correct.shape[0]} problems")
    per_problem = correct.mean(axis=1)
    out: dict[str, Any] = {}
    for level in sorted({lv for lv in levels if lv is not None}):
        rows = np.array([lv == level for lv in levels])
        subset = per_problem[rows]
        lo, hi = bootstrap_ci(subset, resamples=resamples, seed=seed, confidence=confidence)
        out[str(level)] = {
            "pass@1": {"value": _pct(subset.mean()), "ci95": [_pct(lo), _pct(hi)]},
            "n_problems": int(rows.sum()),
        }
    return out


def summarize(
    correct: np.ndarray,
    groups: np.ndarray,
    *,
    truncated: np.ndarray | None = None,
    no_answer: np.ndarray | None = None,
    lengths: np.ndarray | None = None,
    length_unit: LengthUnit | None = None,
    levels: Sequence[int | None] | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Any]:
    """Build the JSON-able content of metrics.json from one run's sample matrix.

    Values are in percent (as in the DeepSeek-R1 tables) rounded to 2 decimals; intervals come
    from a seeded percentile bootstrap over problems (``bootstrap.py``). The per-problem vectors
    behind these numbers are available from ``problem_scores`` for paired comparisons.

    Args:
        correct: Bool matrix (P problems, n samples), primary grader's verdicts.
        groups: Int matrix of the same shape: answer-class id within the problem, -1 for none.
        truncated: Bool matrix: the sample hit the token limit. None: reported as null.
        no_answer: Bool matrix: no extractable answer. None: taken as ``groups == -1``.
        lengths: Response lengths of the same shape. None: reported as null.
        length_unit: "tokens" when ``lengths`` are token counts, else "characters".
        levels: Difficulty level per problem (None where unknown); None: no ``by_level``.
        resamples: Bootstrap replicates B.
        seed: Bootstrap seed; the same seed gives identical intervals.
        confidence: Interval coverage.

    Returns:
        A dict of plain Python types: ``metrics``, ``n_problems``, ``n_samples``,
        ``truncated_pct``, ``no_answer_pct``, ``mean_response_length``, ``response_length_unit``,
        ``by_level`` and ``bootstrap``.

    Raises:
        ValueError: On malformed or mismatched inputs.

    """
    correct, groups = validate_matrix(correct, groups)
    if lengths is not None and length_unit not in ("tokens", "characters"):
        raise ValueError(f"length_unit must be 'tokens' or 'characters', got {length_unit!r}")
    scores = problem_scores(correct, groups)
    values = metric_values(scores, resamples=resamples, seed=seed, confidence=confidence)
    ks = {m.name: m.k for m in scores.metrics}
    metrics = {
        name: {
            "value": v.value,
            "ci95": list(v.ci95),
            "estimator": v.estimator,
            "k": ks[name],
            "ci95_generalisation": list(v.ci95),
            **_fixed_set(correct, groups, m, resamples=resamples, seed=seed, confidence=confidence),
        }
        for (name, v), m in zip(values.items(), scores.metrics, strict=True)
    }
    if no_answer is None:
        no_answer = groups == NO_ANSWER
    mean_length = None
    if lengths is not None:
        lengths = np.asarray(lengths, dtype=np.float64)
        if lengths.shape != correct.shape:
            raise ValueError(f"lengths shape {lengths.shape} differs from {correct.shape}")
        mean_length = round(float(lengths.mean()), 1)
    return {
        "metrics": metrics,
        "n_problems": scores.n_problems,
        "n_samples": scores.n_samples,
        "truncated_pct": _sample_share(truncated, correct.shape, "truncated"),
        "no_answer_pct": _sample_share(no_answer, correct.shape, "no_answer"),
        "mean_response_length": mean_length,
        "response_length_unit": length_unit if lengths is not None else None,
        "by_level": _by_level(
            correct, levels, resamples=resamples, seed=seed, confidence=confidence
        ),
        "bootstrap": {
            "resamples": resamples,
            "seed": seed,
            "unit": "problem",
            "interval": "percentile",
            "confidence": confidence,
        },
        "fixed_set": {
            "target": "these problems, only the samples random (Miller 2024, arXiv 2411.00640)",
            "pass@1": "SE² = Σ_i σ̂_i²/(n·P²), σ̂_i² unbiased within-problem variance",
            "pass@k": "jackknife over samples within problems (k ≤ n/2; omitted for k > n/2)",
            "other metrics": "within-problem bootstrap (samples redrawn within each problem)",
            "small n": "n < 8: per-problem variance floored at p̃(1 − p̃), p̃ = (c + ½)/(n + 1)",
            "resamples": resamples,
            "seed": seed,
            "interval": "normal, value ± z·SE",
            "confidence": confidence,
        },
    }
