r"""Item-level reconciliation of two runs: pass@1 of each, their paired difference, and why.

pass@1 of a run is the mean over its problems of the per-problem mean correctness (R1 paper).
The headline is the paired difference on the shared samples: over the problems both runs hold
and sample indices 0..min(n_A, n_B)−1, D_shared = Σ_items (a − b) / (P_s · n_s), so each shared
item whose verdicts differ moves it by ±100/(P_s · n_s) points, and the effects of its category
add up to D_shared. Samples present on one side only (another k, fewer problems) are counted
apart (``unshared``) and never listed as items that differ; the unpaired difference of the two
runs' own pass@1, D = pass@1(A) − pass@1(B), is reported beside it with D − D_shared, what the
unshared samples change (zero when both runs hold the same problems and n).

Intervals are for D_shared:

- fixed set (the benchmark's problems fixed, only the samples random; Miller 2024, "Adding Error
  Bars to Evals", §2.2), D ± z·SE. Two runs of different responses are independent draws:
  ``paired_fixed_set_diff``, SE² = Σ_i (σ̂a_i²/n + σ̂b_i²/n) / P². When every shared item holds the
  same text in both runs (one log graded twice), sample j of A and of B are one draw, so the
  per-sample differences d_ij = a_ij − b_ij are the draws: ``fixed_set_mean(d)``,
  SE² = Σ_i σ̂d_i²/n / P² (treating them as independent would overstate the SE); with n = 1 this
  falls back to ``paired_fixed_set_diff``'s bound;
- generalisation (a new draw of problems): the paired problem bootstrap
  ``paired_bootstrap_diff`` (same resampled problems for both runs, percentile interval).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harness.compare.categories import CATEGORIES, categorise
from harness.compare.load import CompareError, RunItems
from harness.compare.tool import tool_agreement
from harness.metrics.bootstrap import bootstrap_ci, paired_bootstrap_diff
from harness.metrics.fixed_set import (
    FixedSetEstimate,
    fixed_set_mean,
    paired_fixed_set_diff,
    z_value,
)


def _matrix(run: RunItems, pids: tuple[str, ...], n: int) -> np.ndarray:
    return np.array([[run.items[(p, j)].correct for j in range(n)] for p in pids], dtype=np.float64)


def fixed_set_difference(
    ma: np.ndarray, mb: np.ndarray, *, same_responses: bool
) -> tuple[FixedSetEstimate, str]:
    """Fixed-set estimate of mean(A) − mean(B) on (P, n) matrices in the same order.

    Same responses (sample j of A is sample j of B, graded twice) and n > 1: the per-sample
    differences are the draws, ``fixed_set_mean(A − B)``. Otherwise the runs are independent
    draws, ``paired_fixed_set_diff`` (module docstring).

    Returns:
        The estimate and the words saying which SE it is.
    """
    if same_responses and ma.shape[1] > 1:
        how = "the same responses in both runs: SE of the per-sample differences"
        return fixed_set_mean(ma - mb), how
    return paired_fixed_set_diff(ma, mb), "the two runs' samples taken as independent draws"


def _side(run: RunItems, stats: dict[str, Any]) -> dict[str, Any]:
    m = _matrix(run, run.problem_ids, run.n_samples)
    lo, hi = 100.0 * bootstrap_ci(m.mean(axis=1), **stats)
    fixed_lo, fixed_hi = fixed_set_mean(m).interval(stats["confidence"])
    return {
        "run": run.run_id,
        "path": str(run.path),
        "model": run.model,
        "benchmark": run.benchmark,
        "grading_convention": run.convention.as_dict(),
        "pass@1": {
            "value": 100.0 * float(m.mean()),
            "ci95": [float(lo), float(hi)],
            "ci95_fixed_set": [100.0 * fixed_lo, 100.0 * fixed_hi],
            "estimator": f"mean correctness over n={run.n_samples} samples per problem; "
            f"ci95: percentile problem bootstrap, B={stats['resamples']}, seed={stats['seed']}; "
            "ci95_fixed_set: fixed-set SE (Miller 2024 §2.2), normal interval",
        },
        "n_problems": len(run.problem_ids),
        "n_samples": run.n_samples,
    }


def _shared(a: RunItems, b: RunItems, stats: dict[str, Any]) -> dict[str, Any]:
    pids = tuple(p for p in a.problem_ids if p in set(b.problem_ids))
    n = min(a.n_samples, b.n_samples)
    ma, mb = _matrix(a, pids, n), _matrix(b, pids, n)
    same = all(a.items[(p, j)].response == b.items[(p, j)].response for p in pids for j in range(n))
    fixed, how = fixed_set_difference(ma, mb, same_responses=same)
    half = z_value(stats["confidence"]) * fixed.se
    boot = paired_bootstrap_diff(ma.mean(axis=1), mb.mean(axis=1), **stats)
    return {
        "n_problems": len(pids),
        "n_samples": n,
        "value": 100.0 * fixed.value,
        "fixed_set": {
            "ci95": [100.0 * (fixed.value - half), 100.0 * (fixed.value + half)],
            "se": 100.0 * fixed.se,
            "estimator": f"paired fixed-set SE (Miller 2024 §2.2), D ± z·SE; {how}"
            + ("; n=1: Bernoulli bound 1/4 per run" if fixed.bounded else ""),
            "same_responses": same,
        },
        "generalisation": {
            "ci95": list(boot.ci95),
            "resamples": boot.resamples,
            "seed": boot.seed,
            "estimator": "paired percentile bootstrap over problems",
        },
    }


def _shared_keys(a: RunItems, b: RunItems) -> list[tuple[str, int]]:
    """The (problem, sample index) pairs of the paired difference, in A's problem order."""
    pids = [p for p in a.problem_ids if p in set(b.problem_ids)]
    n = min(a.n_samples, b.n_samples)
    return [(p, j) for p in pids for j in range(n)]


def _items(a: RunItems, b: RunItems, shared: dict[str, Any]) -> list[dict[str, Any]]:
    """The shared items whose verdicts differ, each with its category and effect."""
    weight = 100.0 / (shared["n_problems"] * shared["n_samples"]) if shared["n_problems"] else 0
    out = []
    for key in _shared_keys(a, b):
        x, y = a.items[key], b.items[key]
        if x.correct == y.correct:
            continue
        out.append(
            {
                "problem_id": key[0],
                "sample_index": key[1],
                "a_correct": x.correct,
                "b_correct": y.correct,
                "category": categorise(x, y, a.answer_region, b.answer_region),
                "a_answer": x.extracted,
                "b_answer": y.extracted,
                "a_status": x.status,
                "b_status": y.status,
                "effect": weight * (int(x.correct) - int(y.correct)),
            }
        )
    return out


def compare_runs(
    a: RunItems, b: RunItems, *, resamples: int = 2000, seed: int = 0, confidence: float = 0.95
) -> dict[str, Any]:
    """Reconcile two runs item by item (module docstring); the content of compare.json.

    Args:
        a: Run A.
        b: Run B.
        resamples: Bootstrap replicates (2000: the run default, ``stats.bootstrap_resamples``).
        seed: Bootstrap seed.
        confidence: Interval coverage.

    Returns:
        ``{"a", "b", "diff", "categories", "effects", "items", "tool"}``; values in percentage
        points. ``diff["pass@1"]`` is the paired difference on the shared samples (the headline);
        ``diff["unpaired"]`` the difference of the two runs' own pass@1; ``diff["unshared"]``
        counts the samples held by one run only (``a_only``, ``b_only``) and their ``effect``.
        ``tool`` holds, per run whose samples came from another tool's log with its own
        verdicts, that tool's verdicts against ours (``compare.tool``).

    Raises:
        CompareError: The runs share no problem.
    """
    if not set(a.problem_ids) & set(b.problem_ids):
        raise CompareError(
            f"{a.path} and {b.path} share no problem ({a.benchmark} vs {b.benchmark}); "
            "compare runs of the same benchmark"
        )
    stats = {"resamples": resamples, "seed": seed, "confidence": confidence}
    side_a, side_b = _side(a, stats), _side(b, stats)
    shared = _shared(a, b, stats)
    items = _items(a, b, shared)
    total = side_a["pass@1"]["value"] - side_b["pass@1"]["value"]
    effects = {c: sum(i["effect"] for i in items if i["category"] == c) for c in CATEGORIES}
    keys = set(_shared_keys(a, b))
    a_only, b_only = len(set(a.items) - keys), len(set(b.items) - keys)
    unshared = {
        "a_only": a_only,
        "b_only": b_only,
        "effect": total - shared["value"] if a_only or b_only else 0.0,  # else rounding only
    }
    return {
        "a": side_a,
        "b": side_b,
        "diff": {
            "pass@1": shared["value"],
            "unpaired": total,
            "shared": shared,
            "unshared": unshared,
        },
        "categories": {c: sum(i["category"] == c for i in items) for c in CATEGORIES},
        "effects": effects,
        "items": items,
        "tool": {
            tag: tool_agreement(run.tool_rows, run.origin)
            for tag, run in (("a", a), ("b", b))
            if tool_agreement(run.tool_rows, run.origin)
        },
    }
