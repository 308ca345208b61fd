"""Trend statistics: per-level means and a bootstrap interval of their slope.

"Response length rises with MATH level" is tested on the per-level means of the per-problem mean
length: the statistic is the least-squares slope of those means on the level (units per level).
Its interval comes from a stratified bootstrap that resamples problems within each level (so every
level stays present in every replicate) with samples nested in problems, as everywhere else in
the harness. Problem levels are not in samples.jsonl; they are read back from the run's benchmark
source and checked against the run's recorded problems_sha256.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from omegaconf import OmegaConf

from harness.metrics.bootstrap import percentile_interval
from harness.report.runs import Run


@dataclass(frozen=True)
class LevelTrend:
    """Per-level means and the slope of the means on the level.

    Attributes:
        levels: The levels present, ascending.
        means: Mean of the per-problem values per level.
        ci95: Interval of each level's mean.
        counts: Problems per level.
        slope: Least-squares slope of the means on the level.
        slope_ci95: Bootstrap interval of the slope.
        ratio: Effect size: mean of the highest level over mean of the lowest.
        ratio_ci95: Bootstrap interval of the ratio (same replicates as the slope).
    """

    levels: tuple[int, ...]
    means: tuple[float, ...]
    ci95: tuple[tuple[float, float], ...]
    counts: tuple[int, ...]
    slope: float
    slope_ci95: tuple[float, float]
    ratio: float = float("nan")
    ratio_ci95: tuple[float, float] = (float("nan"), float("nan"))


def _slope(levels: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Least-squares slope along the last axis of ``means`` on ``levels``."""
    x = levels - levels.mean()
    return (means * x).sum(axis=-1) / (x * x).sum()


def level_trend(
    values: np.ndarray,
    levels: Sequence[int],
    *,
    resamples: int,
    seed: int,
    confidence: float = 0.95,
) -> LevelTrend:
    """Per-level means of per-problem ``values`` and the slope of the means on the level.

    Raises:
        ValueError: Fewer than two distinct levels.
    """
    values = np.asarray(values, dtype=np.float64)
    lv = np.asarray(levels)
    present = np.unique(lv)
    if present.size < 2:
        raise ValueError(f"need at least two levels for a trend, got {present.tolist()}")
    rng = np.random.default_rng(seed)
    reps = np.empty((present.size, resamples))
    means, counts = [], []
    for i, level in enumerate(present):
        subset = values[lv == level]
        draws = rng.integers(0, subset.size, size=(resamples, subset.size))
        reps[i] = subset[draws].mean(axis=1)
        means.append(float(subset.mean()))
        counts.append(int(subset.size))
    bounds = percentile_interval(reps, confidence)
    slope_reps = _slope(present.astype(np.float64), reps.T)
    lo, hi = percentile_interval(slope_reps, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_lo, r_hi = percentile_interval(reps[-1] / reps[0], confidence)
        ratio = means[-1] / means[0] if means[0] else float("inf")
    return LevelTrend(
        levels=tuple(int(x) for x in present),
        means=tuple(means),
        ci95=tuple((float(a), float(b)) for a, b in bounds),
        counts=tuple(counts),
        slope=float(_slope(present.astype(np.float64), np.array(means))),
        slope_ci95=(float(lo), float(hi)),
        ratio=float(ratio),
        ratio_ci95=(float(r_lo), float(r_hi)),
    )


_LEVELS: dict[str, dict[str, int] | str] = {}  # run dir -> levels, or why there are none


def problem_levels(run: Run) -> dict[str, int]:
    """Difficulty level per problem id, read from the run's benchmark source (cached per run).

    Raises:
        ValueError: The benchmark has no levels, its source cannot be read, or the problems read
            back differ from those the run evaluated (problems_sha256).
    """
    key = str(run.path.resolve())
    if key not in _LEVELS:
        try:
            _LEVELS[key] = _read_levels(run)
        except ValueError as exc:
            _LEVELS[key] = str(exc)
    found = _LEVELS[key]
    if isinstance(found, str):
        raise ValueError(found)
    return found


def _read_levels(run: Run) -> dict[str, int]:
    from harness.data.loader import load_benchmark, problems_sha256

    bench = dict(run.config.get("benchmark") or {})
    if not bench.get("level_field"):
        raise ValueError(f"benchmark {run.benchmark} has no difficulty levels")
    recorded = (run.provenance.get("data") or {}).get("source")
    if recorded and not str(recorded).startswith("hf://"):
        bench["source"] = recorded  # absolute path as the run resolved it
    limit = run.config.get("limit")
    try:
        problems, _ = load_benchmark(OmegaConf.create(bench), limit=None)
    except Exception as exc:  # noqa: BLE001 - any loader failure only disables the trend
        raise ValueError(f"cannot read the problems of {run.run_id} back ({exc})") from exc
    problems = problems if limit is None else problems[: int(limit)]
    if run.problems_sha256 and problems_sha256(problems) != run.problems_sha256:
        raise ValueError(f"the benchmark source changed since {run.run_id} ran (problems_sha256)")
    levels = {p.id: p.level for p in problems if p.level is not None}
    if not levels:
        raise ValueError(f"no problem of {run.run_id} has a level")
    return levels
