"""Trend and resource claims.

- Trend: the slope of per-level means on the level, with a stratified bootstrap interval
  (``trend.py``), and the effect size: the ratio of the highest level's mean to the lowest's
  (level 5 over level 1 response length on MATH-500). With a ``min_ratio`` the claim is
  supported only when the ratio's 95 % interval lies above it, refuted when it lies below it;
  an effect that exists but is too small to matter is not support. Without one the slope alone
  decides and the reason says so.
- Resource: only memory measured serving the claim's context at the claim's dtype is evidence
  (``memory.py``): entries of metrics.json ``memory_measurements`` ({context_tokens, dtype,
  peak_gib, method}) and ``benchmarks/bench_memory_gpu.py`` result files (``--memory``).
  The peak accelerator memory of a vLLM run is the KV-cache pool vLLM reserves up front
  (``gpu_memory_utilization`` of the GPU), whatever the sequence needs, so it is never used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.claims import Claim, ResourceSpec, TrendSpec
from harness.report.budget import budget_trend
from harness.report.judge_values import with_protocol
from harness.report.memory import evidence, from_run
from harness.report.pooling import Cell
from harness.report.row import Settings, VerdictRow
from harness.report.rules import Outcome, fmt, trend_rule
from harness.report.trend import level_trend, problem_levels

if TYPE_CHECKING:
    from harness.report.judge import Judge


def cell_trend(cell: Cell, y: str, settings: Settings) -> tuple[Any, str]:
    """Per-level trend of ``y`` in a cell, and the unit of ``y``.

    Raises:
        ValueError: No levels, no lengths, or fewer than two levels.
    """
    levels = problem_levels(cell.runs[0])
    if y == "response_length":
        if cell.samples.lengths is None:
            raise ValueError("response lengths were measured in different units across runs")
        values, unit = cell.samples.lengths.mean(axis=1), cell.samples.length_unit
    else:
        values, unit = 100.0 * cell.samples.correct.mean(axis=1), "points"
    keep = [i for i, p in enumerate(cell.samples.problem_ids) if p in levels]
    trend = level_trend(
        values[keep],
        [levels[cell.samples.problem_ids[i]] for i in keep],
        resamples=settings.resamples,
        seed=settings.seed,
        confidence=settings.confidence,
    )
    return trend, unit


def _effect(trend: Any, spec: TrendSpec) -> Outcome | None:
    up = spec.direction == "increasing"
    ratio, (lo, hi) = trend.ratio, trend.ratio_ci95
    if not up:
        ratio, lo, hi = 1 / ratio, 1 / hi, 1 / lo
    text = (
        f"effect: level {trend.levels[-1]} / level {trend.levels[0]} = {ratio:.2f}"
        f"{'' if up else ' (inverted: decreasing)'}, 95 % CI [{lo:.2f}, {hi:.2f}]"
    )
    if spec.min_ratio is None:
        return Outcome("", f"{text}; no minimum effect stated, the slope alone decides")
    if lo > spec.min_ratio:
        return Outcome("supported", f"{text} above the minimum effect {spec.min_ratio:.2f}")
    if hi < spec.min_ratio:
        return Outcome("refuted", f"{text} below the minimum effect {spec.min_ratio:.2f}")
    return Outcome("inconclusive", f"{text} contains the minimum effect {spec.min_ratio:.2f}")


def judge_trend(judge: Judge, claim: Claim, spec: TrendSpec) -> VerdictRow:
    """Slope of per-level means and its effect size against the claim's minimum effect."""
    base = {"claimed": spec.direction, "metric": f"{spec.y} vs {spec.x}"}
    cell = judge.cell(spec.model, spec.benchmark, claim)
    if cell is None:
        why = f"no run of {spec.model} on {spec.benchmark}"
        return judge.row(claim, Outcome("not measured", why), **base)
    runs = tuple(r.run_id for r in cell.runs)
    if spec.x == "budget":  # test-time scaling: harness/report/budget.py
        outcome, effect_pts, ci = budget_trend(cell, spec, judge.settings)
        check = judge.check(cell, claim)
        return judge.row(claim, with_protocol(outcome, check), **base, measured=effect_pts,
                         ci95=ci, runs=runs, protocol_differences=check.all)  # fmt: skip
    if spec.x != "level" or spec.y not in ("response_length", "pass@1"):
        why = f"trend of {spec.y} on {spec.x} is not computed (only response_length, pass@1"
        return judge.row(claim, Outcome("not measured", why + " on level)"), **base, runs=runs)
    try:
        trend, unit = cell_trend(cell, spec.y, judge.settings)
    except ValueError as exc:
        return judge.row(claim, Outcome("not measured", str(exc)), **base, runs=runs)
    slope = trend_rule(trend.slope_ci95, spec.direction, f"{unit} per level")
    effect = _effect(trend, spec)
    verdict = slope.verdict
    if effect is not None and effect.verdict:
        # the effect decides, but never against a slope interval that points the other way
        verdict = effect.verdict if slope.verdict != "refuted" else "refuted"
    reason = f"{slope.reason}; {effect.reason}" if effect else slope.reason
    outcome = with_protocol(Outcome(verdict, reason), judge.check(cell, claim))
    return judge.row(
        claim,
        outcome,
        **base,
        measured=trend.slope,
        ci95=trend.slope_ci95,
        runs=runs,
        protocol_differences=judge.check(cell, claim).all,
    )


def judge_resource(judge: Judge, claim: Claim, spec: ResourceSpec) -> VerdictRow:
    """Memory measured at the claim's context and dtype, else "not measured" with the reason."""
    base = {"claimed": f"≤ {fmt(spec.max_value)}", "metric": spec.metric}
    runs = [r for c in judge.cells if c.model == spec.model for r in c.runs]
    found = list(judge.memory) + [
        m
        for r in runs
        for m in from_run(spec.model, r.run_id, r.metrics.get("memory_measurements") or [])
    ]
    decided = evidence(found, spec.model, spec.dtype, spec.context_tokens, spec.max_value)
    if decided is None:
        pools = [
            r.run_id
            for r in runs
            if (r.metrics.get("accounting") or {}).get("peak_accelerator_memory_gib")
        ]
        why = (
            f"no measurement of {spec.model} serving {spec.context_tokens} tokens at "
            f"{spec.dtype} (metrics.json memory_measurements, or harness-report --memory FILE "
            "from benchmarks/bench_memory_gpu.py)"
        )
        if pools:
            why += (
                f"; the peak accelerator memory of {', '.join(pools)} is the KV-cache pool vLLM "
                "sizes from gpu_memory_utilization, not what the claim needs, so it is not evidence"
            )
        return judge.row(claim, Outcome("not measured", why), **base)
    verdict, m = decided
    outcome = Outcome(
        verdict,
        f"peak {fmt(m.peak_gib)} GiB serving {m.context_tokens} tokens at {m.dtype} "
        f"{'within' if verdict == 'supported' else 'above'} {fmt(spec.max_value)} GiB "
        f"({m.method}; {m.source})",
    )
    return judge.row(claim, outcome, **base, measured=m.peak_gib, runs=(m.source,))
