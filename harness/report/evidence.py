"""The numbers a verdict rests on, in points: fixed-set estimates and cited-number variances.

A cell's fixed-set estimate, its between-run variance, and the sampling variance of a cited
number (all in points, i.e. percent).

- Measured side: the fixed-set SE of ``harness.metrics`` (closed form for pass@1, within-problem
  bootstrap otherwise). With R ≥ 2 pooled runs, the between-run variance τ² is estimated by the
  method of moments, τ̂² = max(0, s²(run means) − mean(SE_r²)) (DerSimonian & Laird 1986), and
  τ̂²/R is added to SE², since runs can differ by more than their samples (engine, batch, hardware).
  A cell is "unstable" when τ̂ exceeds δ/2.
- The same model's published number (a value claim): its variance is ours with n_pub samples,
  ``harness.metrics.within.publisher_variance``.
- Another model's cited number: its per-problem scores are unknown, so the Jensen bound
  Σ_i p_i(1 − p_i)/(n_pub·P²) ≤ p̄(1 − p̄)/(n_pub·P) is used (a published cons@64 is one vote per
  problem: n_pub = 1 in that bound). The bound is evaluated where the test needs it to hold: at
  the null value of the cited side's true rate p̄₀ (``null_rate``: the measured side's mean for
  "a beats b", shifted by δ for "matches or beats" and "comparable", the mean of the two cited
  numbers when neither side was run), and at the cited value itself, whichever gives the larger
  p(1 − p). At the cited value alone the bound is not conservative at low rates: a cited 9.3 whose
  true rate equals a measured 28.9 has a sampling SD set by 28.9, not 9.3 (issue 19: "a beats b"
  was supported in 6–15 % of equal-means runs at 9.3 %; tests/unit/test_verdict_simulation.py).
  A cited mean of P·n_pub samples moves in steps of 100/(P·n_pub) points, so the normal interval
  gets Yates' continuity correction (Yates 1934, J. R. Stat. Soc. Suppl. 1:217): half a step,
  ``continuity``, is added to its half-width; without it equal-means runs at 45–60 % came out
  "supported" 2.7 % of the time, over the nominal 2.5 %.
- n_pub: the samples per problem the claim's protocol states; a range ("4 to 64") gives its
  conservative (smaller) end; an unstated n gives 1, the most conservative value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.claims.margins import n_pub_for  # noqa: F401 - re-exported
from harness.metrics.scores import problem_scores
from harness.metrics.within import fixed_set_metric, publisher_variance
from harness.report.pooling import Cell

PCT2 = 1e4  # variance in [0, 1]² → points²


@dataclass(frozen=True)
class Measured:
    """A measured side.

    Attributes:
        value: Estimate in points.
        se: Fixed-set SE in points, between-run variance included.
        se_within: The part from the samples alone.
        n: Samples per problem.
        problems: P.
        runs: Runs pooled.
        tau: Between-run SD in points (None with one run or when not computable).
    """

    value: float
    se: float
    se_within: float
    n: int
    problems: int
    runs: int
    tau: float | None

    def interval(self, z: float) -> tuple[float, float]:
        """Value ± z·SE."""
        return (self.value - z * self.se, self.value + z * self.se)


def _rows(cell: Cell, ids: list[str] | None) -> list[int]:
    if ids is None:
        return list(range(cell.n_problems))
    where = {p: i for i, p in enumerate(cell.samples.problem_ids)}
    return [where[p] for p in ids]


def _estimate(
    correct: np.ndarray, groups: np.ndarray, metric: str, value: float, seed: int, resamples: int
):
    return fixed_set_metric(correct, groups, metric, value, resamples=resamples, seed=seed)


def measure(
    cell: Cell,
    metric: str,
    *,
    seed: int = 0,
    ids: list[str] | None = None,
    resamples: int = 2000,
) -> Measured:
    """Fixed-set estimate of ``metric`` in ``cell`` (on problems ``ids`` when given).

    ``seed`` and ``resamples`` drive the within-problem bootstrap of metrics other than pass@1
    (the report's ``--seed`` and ``--resamples``, as for the cell's metrics.json numbers).
    """
    rows = _rows(cell, ids)
    correct, groups = cell.samples.correct[rows], cell.samples.groups[rows]
    value = float(np.mean(cell.scores[metric][rows]))
    est = _estimate(correct, groups, metric, value, seed, resamples)
    tau = None
    per_run = []
    for run in cell.runs if len(cell.runs) > 1 else ():
        order = {p: i for i, p in enumerate(run.samples.problem_ids)}
        r_rows = [order[cell.samples.problem_ids[i]] for i in rows]
        c, g = run.samples.correct[r_rows], run.samples.groups[r_rows]
        if metric not in ("pass@1", f"cons@{c.shape[1]}"):
            per_run = []
            break
        v = float(np.mean(problem_scores(c, g)[metric]))
        per_run.append((v, _estimate(c, g, metric, v, seed, resamples).se))
    se2 = est.se**2
    if len(per_run) > 1:
        means = np.array([v for v, _ in per_run])
        tau2 = max(0.0, float(means.var(ddof=1)) - float(np.mean([s**2 for _, s in per_run])))
        tau = float(np.sqrt(tau2)) * 100.0
        se2 += tau2 / len(per_run)
    return Measured(
        value=100.0 * value,
        se=100.0 * float(np.sqrt(se2)),
        se_within=100.0 * est.se,
        n=cell.n_samples,
        problems=len(rows),
        runs=len(cell.runs),
        tau=tau,
    )


def same_model_variance(cell: Cell, metric: str, n_pub: int) -> float:
    """Variance (points²) of the publisher's estimate of this model's ``metric`` (n_pub samples)."""
    return PCT2 * publisher_variance(cell.samples.correct, cell.samples.groups, metric, n_pub)


def continuity(problems: int, n_pub: int, metric: str) -> float:
    """Half a step of a cited mean of P·n_pub samples, in points (module docstring)."""
    n_eff = 1 if metric.startswith("cons@") else n_pub
    return 0.5 * 100.0 / (problems * n_eff)


def null_rate(direction: str, side: str, other: float, delta: float) -> tuple[float, ...]:
    """The cited side's true value (points) under the null(s) of the test on D = a − b.

    Args:
        direction: ``greater``, ``geq`` or ``equivalent``.
        side: Which side is cited, ``a`` or ``b``.
        other: The other side's value (measured, or the mean of two cited numbers).
        delta: The margin δ.

    Returns:
        ``greater``: a = b; ``geq``: a = b − δ; ``equivalent``: a − b = ±δ (both boundaries).
    """
    sign = 1.0 if side == "a" else -1.0  # cited a = other + sign·shift
    if direction == "greater":
        return (other,)
    if direction == "geq":
        return (other - sign * delta,)
    return (other - delta, other + delta)


def cited_variance(
    value: float, problems: int, n_pub: int, metric: str, nulls: tuple[float, ...] = ()
) -> float:
    """Jensen bound (points²) on another model's cited number, valid under the null.

    p(1 − p)/(P·n_pub) at the largest p(1 − p) over the cited value and ``nulls`` (module
    docstring), each clipped to [0, 100].
    """
    n_eff = 1 if metric.startswith("cons@") else n_pub
    worst = max(q * (1.0 - q) for q in (min(max(v / 100.0, 0.0), 1.0) for v in (value, *nulls)))
    return PCT2 * worst / (problems * n_eff)
