"""The post-release check: AIME 2024 → AIME 2025 for every model run on both sets.

AIME 2025 (February 2025) was set after the R1 distills were released (20 January 2025), so
no model trained before then can have seen its problems. The difference d = pass@1(2025) −
pass@1(2024) is given with two intervals, one per target of inference
(Miller 2024, "Adding Error Bars to Evals", arXiv 2411.00640):

- fixed set: the two problem sets held fixed, only the samples random; independent sets, so
  SE_d² = SE_a² + SE_b² with each SE from ``fixed_set_mean`` (within-problem variances);
  interval d ± z·SE_d;
- generalisation: two independent percentile bootstraps over the problems of each set
  (samples nested), d recomputed per replicate pair.

A drop is a contamination signal, not proof: the 2025 problems may simply be harder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.metrics.bootstrap import bootstrap_means, percentile_interval, resample_indices
from harness.metrics.fixed_set import fixed_set_mean, z_value
from harness.report.pooling import Cell
from harness.report.rules import fmt, fmt_ci

BEFORE, AFTER = "aime24", "aime25"
POST_HEADERS = [
    "model", "AIME 2024 pass@1 (P, n)", "AIME 2025 pass@1 (P, n)", "difference 2025 − 2024",
    "fixed-set 95 % CI", "generalisation 95 % CI", "reading",
]  # fmt: skip
CAVEAT = (
    "AIME 2025 was set after the distills were released. A large drop from 2024 to 2025 is a "
    "contamination signal, not proof: the 2025 problems may simply be harder, and 30 problems "
    "per set leave a wide generalisation interval."
)


def post_release_diff(
    correct_a: np.ndarray, correct_b: np.ndarray, settings: Any
) -> dict[str, Any]:
    """Difference b − a in points with its fixed-set and generalisation intervals.

    Args:
        correct_a: (P_a, n_a) correctness on the earlier set.
        correct_b: (P_b, n_b) correctness on the later set.
        settings: ``resamples``, ``seed`` and ``confidence`` of the bootstrap.
    """
    fa, fb = fixed_set_mean(correct_a), fixed_set_mean(correct_b)
    d = 100.0 * (fb.value - fa.value)
    half = 100.0 * z_value(settings.confidence) * float(np.hypot(fa.se, fb.se))
    pa, pb = correct_a.mean(axis=1), correct_b.mean(axis=1)
    reps = bootstrap_means(
        pb, resample_indices(pb.size, settings.resamples, settings.seed + 1)
    ) - bootstrap_means(pa, resample_indices(pa.size, settings.resamples, settings.seed))
    lo, hi = percentile_interval(100.0 * reps, settings.confidence)
    return {
        "before": 100.0 * fa.value,
        "after": 100.0 * fb.value,
        "diff": d,
        "fixed_set": (d - half, d + half),
        "generalisation": (float(lo), float(hi)),
    }


def reading(r: dict[str, Any]) -> str:
    """One sentence of interpretation."""
    d, (flo, fhi), (glo, ghi) = r["diff"], r["fixed_set"], r["generalisation"]
    if flo <= 0 <= fhi:
        return "no difference beyond sample noise on these two sets"
    way = "lower" if d < 0 else "higher"
    out = f"{way} on the 2025 problems beyond sample noise"
    if glo <= 0 <= ghi:
        return out + ", but within what two draws of AIME-like problems of equal difficulty give"
    return out + ", and beyond what problem sampling explains"


def post_release_rows(cells: Sequence[Cell], settings: Any) -> list[list[str]]:
    """One row per model with a cell on both sets (the first cell of each)."""
    out = []
    for model in sorted({c.model for c in cells}):
        a = next((c for c in cells if c.model == model and c.benchmark == BEFORE), None)
        b = next((c for c in cells if c.model == model and c.benchmark == AFTER), None)
        if a is None or b is None:
            continue
        r = post_release_diff(a.samples.correct, b.samples.correct, settings)
        out.append([
            model, f"{fmt(r['before'])} ({a.n_problems}, {a.n_samples})",
            f"{fmt(r['after'])} ({b.n_problems}, {b.n_samples})", f"{r['diff']:+.1f}",
            fmt_ci(r["fixed_set"]), fmt_ci(r["generalisation"]), reading(r),
        ])  # fmt: skip
    return out
