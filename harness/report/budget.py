"""Test-time scaling in the report: budget curves per run and the budget trend of a claim.

The curves themselves are the runs' ``metrics.json["budget_curve"]`` (``harness.analysis.budget``).
A trend claim on ``x: budget`` is judged by an effect size: the points of pass@1 gained from
``EFFECT_FROM`` to ``EFFECT_TO`` tokens, with a paired percentile bootstrap over problems (both
budgets are the same samples, cut twice). Per-problem pass@1 at B is recomputed from the pooled
sample matrix with the curve's rule: a sample that used more than B tokens was cut and has no
answer; every other verdict stands.

Rule (minimum-effect test, Lakens 2017 "Equivalence tests", SPPS 8(4)): supported when the
interval's lower bound exceeds the claim's ``min_effect``; refuted when its upper bound stays
below it (the gain, if any, is smaller than what the claim needs); otherwise inconclusive.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.metrics.bootstrap import bootstrap_ci
from harness.report.pooling import Cell
from harness.report.rules import Outcome, fmt
from harness.report.runs import Run

# Issue 12: "the points gained from 4k to 32k"; 32,768 is the R1 paper's generation limit (§3).
EFFECT_FROM = 4096
EFFECT_TO = 32768


def curve_of(run: Run) -> dict[str, Any] | None:
    """The run's budget curve, None when it has none or refused one."""
    curve = run.metrics.get("budget_curve")
    return curve if isinstance(curve, dict) and curve.get("points") else None


def absent_reasons(runs: Sequence[Run]) -> list[str]:
    """Why each run without a curve has none."""
    out = []
    for r in runs:
        curve = r.metrics.get("budget_curve")
        if curve is None:
            out.append(f"{r.run_id}: made before budget curves were recorded")
        elif not curve.get("points"):
            out.append(f"{r.run_id}: {curve.get('refused', 'no points')}")
    return out


def pass1_at(correct: np.ndarray, lengths: np.ndarray, budget: int) -> np.ndarray:
    """Per-problem pass@1 (fractions) at ``budget``: a sample longer than it has no answer."""
    return (correct & ~(lengths > budget)).mean(axis=1)


def budget_gain(
    correct: np.ndarray, lengths: np.ndarray, settings: Any, lo: int, hi: int
) -> tuple[float, tuple[float, float]]:
    """Points of pass@1 gained from ``lo`` to ``hi`` tokens, with a paired percentile bootstrap.

    d_i = pass@1_i(hi) − pass@1_i(lo) per problem (the same samples at both budgets, so the
    difference is paired); the estimate is mean_i d_i and the interval the percentile bootstrap
    over problems of that mean (Efron & Tibshirani 1993, §13).
    """
    diff = 100.0 * (pass1_at(correct, lengths, hi) - pass1_at(correct, lengths, lo))
    lo_ci, hi_ci = bootstrap_ci(
        diff, resamples=settings.resamples, seed=settings.seed, confidence=settings.confidence
    )
    return float(diff.mean()), (float(lo_ci), float(hi_ci))


def budget_effect(
    cell: Cell, settings: Any, lo: int = EFFECT_FROM, hi: int = EFFECT_TO
) -> tuple[float, tuple[float, float]]:
    """``budget_gain`` of a cell.

    Raises:
        ValueError: Lengths are not token counts, or ``hi`` exceeds the runs' limit.
    """
    s = cell.samples
    if s.lengths is None or s.length_unit != "tokens":
        raise ValueError("the samples carry no generated-token counts, so no budget can be applied")
    limit = cell.sampling.max_new_tokens
    if limit is None or hi > limit:
        raise ValueError(f"budget {hi} exceeds the run's max_new_tokens={limit}")
    return budget_gain(s.correct, s.lengths, settings, lo, hi)


def budget_trend(
    cell: Cell, spec: Any, settings: Any
) -> tuple[Outcome, float | None, tuple[float, float] | None]:
    """Verdict of "pass@1 increases with the token budget" (module docstring).

    The effect is the gain from ``EFFECT_FROM`` to ``EFFECT_TO`` tokens, against
    ``spec.min_effect``.
    """
    if spec.y != "pass@1" or spec.direction != "increasing":
        why = "only 'pass@1 increasing with budget' is computed"
        return Outcome("not measured", why), None, None
    try:
        effect, (lo, hi) = budget_effect(cell, settings)
    except ValueError as exc:
        return Outcome("not measured", str(exc)), None, None
    need = float(spec.min_effect or 0.0)
    where = (
        f"pass@1 gain {EFFECT_FROM} → {EFFECT_TO} tokens {fmt(effect)} points, 95 % CI "
        f"[{fmt(lo)}, {fmt(hi)}] (paired bootstrap over {cell.n_problems} problems, "
        f"n={cell.n_samples}); minimum effect {fmt(need)}"
    )
    if lo > need:
        return Outcome("supported", f"{where}: the interval clears it"), effect, (lo, hi)
    if hi < need:
        return Outcome("refuted", f"{where}: the interval stays below it"), effect, (lo, hi)
    return Outcome("inconclusive", f"{where}: the interval straddles it"), effect, (lo, hi)
