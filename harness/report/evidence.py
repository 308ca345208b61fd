"""The numbers a verdict rests on, in points: fixed-set estimates and cited-number variances.

A cell's fixed-set estimate, its between-run variance, and the sampling variance of a cited
number (all in points, i.e. percent).

- Measured side: the fixed-set SE of ``harness.metrics`` (closed form for pass@1, within-problem
  bootstrap otherwise). With R ≥ 2 pooled runs (``between_runs``), runs can differ by more than
  their samples (engine, batch, hardware), and the target is the engine-averaged value. The mean
  of the R run means has variance (τ² + σ_r²)/R, estimated by s²/R (s² the sample variance of the
  run means) with R − 1 degrees of freedom, so the SE is max(SE_within, (t_{R−1,0.975}/z₉₅)·s/√R)
  (Hartung & Knapp 2001, Stat. Med. 20:3875: for equal-size runs this is the exact t interval of
  one-way random effects; the factor makes the normal interval ±z₉₅·SE the t interval). The
  method-of-moments τ̂² = max(0, s² − mean(SE_r²)) (DerSimonian & Laird 1986) is reported as τ̂.
  Simulated (tests/unit/test_report_between_runs.py, 30 × 16 per run, τ from 0 to δ): coverage
  of the engine-averaged value 0.95–0.995 at R = 2–5; the old z·√(SE² + τ̂²/R) gave 0.83–0.89 at
  τ = δ.
- "Unstable": a one-sided χ² test of τ ≤ δ/2 at 5 %: (R − 1)s²/(δ²/4 + mean SE_r²) above the 95 %
  quantile of χ²_{R−1}. Simulated: it fires 5 % of the time at τ = δ/2 (the old τ̂ > δ/2 fired
  32–41 %), about 1 % at τ = 0, and 19–36 % at τ = δ (R = 2–5).
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
Z95 = 1.959963984540054  # two-sided 95 % normal quantile
# t_{df, 0.975} and χ²_{df, 0.95} for df = 1 … 30 (scipy.stats.t.ppf / chi2.ppf, 4 decimals;
# tests/unit/test_report_between_runs.py checks them); beyond 30 the Cornish–Fisher and
# Wilson–Hilferty approximations (both within 0.1 % there).
T975 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)  # fmt: skip
CHI2_95 = (3.8415, 5.9915, 7.8147, 9.4877, 11.0705, 12.5916, 14.0671, 15.5073, 16.919, 18.307,
           19.6751, 21.0261, 22.362, 23.6848, 24.9958, 26.2962, 27.5871, 28.8693, 30.1435,
           31.4104, 32.6706, 33.9244, 35.1725, 36.415, 37.6525, 38.8851, 40.1133, 41.3371,
           42.557, 43.773)  # fmt: skip
Z95_ONE_SIDED = 1.6448536269514722


def t975(df: int) -> float:
    """t_{df, 0.975} (table up to 30, then the Cornish–Fisher expansion to 1/df²)."""
    if df <= len(T975):
        return T975[df - 1]
    z = Z95
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def chi2_95(df: int) -> float:
    """χ²_{df, 0.95} (table up to 30, then Wilson–Hilferty)."""
    if df <= len(CHI2_95):
        return CHI2_95[df - 1]
    a = 2.0 / (9 * df)
    return df * (1 - a + Z95_ONE_SIDED * a**0.5) ** 3


@dataclass(frozen=True)
class BetweenRuns:
    """What R ≥ 2 pooled runs say beyond their samples (module docstring), in [0, 1] units.

    Attributes:
        se: The pooled value's SE: max(SE_within, (t_{R−1}/z₉₅)·s/√R).
        tau: τ̂ = √max(0, s² − mean SE_r²).
        unstable: The χ² test rejects τ ≤ δ/2 at 5 % (False when no δ is given).
        statistic: (R − 1)s²/(δ²/4 + mean SE_r²) (None without δ).
        critical: χ²_{R−1, 0.95}.
    """

    se: float
    tau: float
    unstable: bool
    statistic: float | None
    critical: float


def between_runs(
    means: np.ndarray, ses: np.ndarray, se_within: float, delta: float | None
) -> BetweenRuns:
    """SE, τ̂ and the unstable flag of R ≥ 2 pooled runs (module docstring).

    Args:
        means: The R run means.
        ses: Their fixed-set SEs.
        se_within: The fixed-set SE of the pooled sample matrix.
        delta: The claim's margin δ (same units), for the unstable test; None skips it.
    """
    means, ses = np.asarray(means, dtype=float), np.asarray(ses, dtype=float)
    r = len(means)
    if r < 2:
        raise ValueError(f"between-run terms need R ≥ 2 runs, got {r}")
    s2 = float(means.var(ddof=1))
    within = float(np.mean(ses**2))
    se = max(se_within, t975(r - 1) / Z95 * (s2 / r) ** 0.5)
    crit = chi2_95(r - 1)
    stat = None if not delta else (r - 1) * s2 / (delta**2 / 4 + within)
    return BetweenRuns(
        se, max(0.0, s2 - within) ** 0.5, stat is not None and stat > crit, stat, crit
    )


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
        tau: Between-run SD τ̂ in points (None with one run or when not computable).
        unstable: The χ² test says the between-run SD exceeds δ/2 (``between_runs``).
    """

    value: float
    se: float
    se_within: float
    n: int
    problems: int
    runs: int
    tau: float | None
    unstable: bool = False

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
    delta: float | None = None,
) -> Measured:
    """Fixed-set estimate of ``metric`` in ``cell`` (on problems ``ids`` when given).

    ``delta`` (points) is the claim's margin, for the "unstable" test of pooled runs.

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
    se, unstable = est.se, False
    if len(per_run) > 1:
        between = between_runs(
            np.array([v for v, _ in per_run]),
            np.array([s for _, s in per_run]),
            est.se,
            None if delta is None else delta / 100.0,
        )
        se, tau, unstable = between.se, 100.0 * between.tau, between.unstable
    return Measured(
        value=100.0 * value,
        se=100.0 * se,
        se_within=100.0 * est.se,
        n=cell.n_samples,
        problems=len(rows),
        runs=len(cell.runs),
        tau=tau,
        unstable=unstable,
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
