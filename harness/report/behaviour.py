"""Verdicts of the claims on behaviour-probe runs (``probes_sensitive``, ``probes_identity``).

Runs whose benchmark has ``answer_type: refusal | identity`` are kept out of the math cells and
judged here, from their sample matrices (``samples.jsonl``: ``correct`` = refused; ``extracted``
= the classifier's category or the organisations named). Statistics are the fixed-set ones of
``harness.metrics.fixed_set`` (the claim is about this probe set; only samples are random):

- value claim with margin δ (the claim's own ``delta``, else ``seeds/margins.yaml``'s),
  D = measured − claimed: the equivalence test (TOST) of ``decide.equivalence``, the same rule as
  the benchmark value claims: supported when the 90 % interval of D lies inside (−δ, δ),
  refuted when the 95 % interval lies wholly outside [−δ, δ], underpowered when the power to
  support a true D = 0 is below 80 % (δ/SE < 2.926).
- comparison a vs b on the probes both ran: D = metric_a − metric_b with SE² = SE_a² + SE_b²
  (independent runs; each side's SE is its fixed-set SE on the shared probes; for
  ``refusal_gap`` each side is itself a paired difference over matched pairs), decided by
  ``decide.decide`` on the claim's direction (superiority, non-inferiority or equivalence), as
  the benchmark comparisons are.

Every verdict is about this probe set: its reason opens "on this probe set (N pairs, not such
prompts in general …)" and ``ci95_generalisation`` carries the percentile bootstrap of D with the
probes (pairs) resampled (``harness.metrics.bootstrap``), the interval for prompts like these.

With several runs of one model × probe set the run with the most samples is used (no pooling).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.claims import Claim, ComparisonSpec, Margin, ValueSpec
from harness.grading.behaviour import BEHAVIOUR_TYPES
from harness.metrics.bootstrap import bootstrap_ci, paired_bootstrap_diff
from harness.metrics.fixed_set import FixedSetEstimate, fixed_set_mean, paired_fixed_set_diff
from harness.report.decide import Z95, Decision, decide, equivalence
from harness.report.row import VerdictRow, claim_row
from harness.report.rules import Outcome, fmt
from harness.report.runs import Run

RATES = {"refusal_rate": "sensitive", "control_refusal_rate": "control"}
NEUTRAL = "neutral_refusal_rate"


def is_behaviour_run(run: Run) -> bool:
    """Whether a run graded behaviour probes (its benchmark's ``answer_type``)."""
    return (run.config.get("benchmark") or {}).get("answer_type") in BEHAVIOUR_TYPES


def is_behaviour_claim(claim: Claim) -> bool:
    """Whether a claim names a behaviour probe set (``probes_*``)."""
    return any(b.startswith("probes_") for b in claim.benchmarks)


def _rows(run: Run, ids: Sequence[str]) -> np.ndarray:
    where = {p: i for i, p in enumerate(run.samples.problem_ids)}
    return np.asarray(run.samples.correct, dtype=np.float64)[[where[p] for p in ids]]


def _pairs(run: Run) -> dict[str, tuple[str, str]]:
    """Map pair id → (sensitive id, control id), for the pairs this run holds whole."""
    have = set(run.samples.problem_ids)
    out = {}
    for pid in run.samples.problem_ids:
        pair, _, kind = pid.rpartition(":")
        if kind == "sensitive" and f"{pair}:control" in have:
            out[pair] = (pid, f"{pair}:control")
    return out


def units(run: Run, metric: str) -> list[str]:
    """The probes (pair ids for the gap and the two rates) a metric is computed over."""
    if metric in ("refusal_gap", *RATES):
        return sorted(_pairs(run))
    if metric == NEUTRAL:
        return [p for p in run.samples.problem_ids if p.endswith(":neutral")]
    return list(run.samples.problem_ids)


def _matrices(run: Run, metric: str, keep: Sequence[str]) -> tuple[np.ndarray, ...] | None:
    """The per-sample matrices behind ``metric``: (sensitive, control) for the gap, else one."""
    if not keep:
        return None
    pairs = _pairs(run)
    if metric == "refusal_gap":
        return _rows(run, [pairs[k][0] for k in keep]), _rows(run, [pairs[k][1] for k in keep])
    if metric in RATES:
        col = 0 if RATES[metric] == "sensitive" else 1
        return (_rows(run, [pairs[k][col] for k in keep]),)
    if metric == NEUTRAL:
        return (_rows(run, keep),)
    if metric.startswith("identity_share."):
        org = metric.split(".", 1)[1]
        where = {p: i for i, p in enumerate(run.samples.problem_ids)}
        rows = [run.samples.extracted[where[p]] for p in keep]
        return (np.array([[org in (e or "none").split("+") for e in r] for r in rows], float),)
    return None


def estimate(run: Run, metric: str, keep: Sequence[str]) -> FixedSetEstimate | None:
    """A run's fixed-set estimate of ``metric`` over the units ``keep`` (None: not computable)."""
    found = _matrices(run, metric, keep)
    if found is None:
        return None
    return paired_fixed_set_diff(*found) if len(found) == 2 else fixed_set_mean(found[0])


def unit_scores(run: Run, metric: str, keep: Sequence[str]) -> np.ndarray | None:
    """Per-unit scores in [0, 1] (a pair's gap, a probe's rate): what the probe bootstrap draws."""
    found = _matrices(run, metric, keep)
    if found is None:
        return None
    return found[0].mean(axis=1) - found[1].mean(axis=1) if len(found) == 2 else found[0].mean(1)


def _on_this_set(units: int, what: str, ci: tuple[float, float]) -> str:
    return (
        f"on this probe set ({units} {what}, not such prompts in general; generalisation 95 % CI "
        f"of D with the {what} resampled [{fmt(ci[0])}, {fmt(ci[1])}])"
    )


def _unit(metric: str) -> str:
    return "pairs" if metric in ("refusal_gap", *RATES) else "probes"


def pick(runs: Sequence[Run], model: str, benchmark: str) -> Run | None:
    """The run of ``model`` on ``benchmark`` with the most samples."""
    found = [r for r in runs if r.model == model and r.benchmark == benchmark]
    return max(found, key=lambda r: r.samples.correct.size) if found else None


_row = claim_row  # the same row as every other claim's (report/row.py)


def _decision_fields(dec: Decision, n_samples: int) -> dict:
    """The verdict-row fields every decided claim carries (README "Claims and the report")."""
    return {
        "delta": dec.delta,
        "d": dec.d,
        "se": dec.se,
        "ci90": dec.ci90,
        "n": n_samples,
        "mdd": dec.mdd,
        "p_support": dec.p_support,
        "p_refute": dec.p_refute,
    }


def _delta(claim: Claim, spec: ValueSpec | ComparisonSpec, margins: dict) -> float | None:
    """The claim's own δ, else the pre-registered one of its probe set and metric."""
    own = getattr(spec, "delta", None) or getattr(spec, "tolerance", None)
    if own:
        return float(own)
    m: Margin | None = margins.get((spec.benchmark, spec.metric))
    return m.delta if m else None


def judge_value(
    claim: Claim, spec: ValueSpec, runs: Sequence[Run], margins: dict | None = None
) -> VerdictRow:
    """A value claim on a probe metric: TOST at the claim's δ (``decide.equivalence``)."""
    run = pick(runs, spec.model, spec.benchmark)
    if run is None:
        why = f"no run of {spec.model} on {spec.benchmark}"
        return _row(claim, Outcome("not measured", why), claimed=spec.value)
    delta = _delta(claim, spec, margins or {})
    if delta is None:
        why = f"no margin δ for {spec.benchmark} {spec.metric} (claim delta or seeds/margins.yaml)"
        return _row(claim, Outcome("not measured", why), claimed=spec.value, runs=(run.run_id,))
    keep = units(run, spec.metric)
    est = estimate(run, spec.metric, keep)
    if est is None:
        why = f"{spec.metric} not computable from run {run.run_id} ({len(keep)} probes)"
        return _row(claim, Outcome("not measured", why), claimed=spec.value, runs=(run.run_id,))
    value, se = 100 * est.value, 100 * est.se
    dec = equivalence(value - spec.value, se, delta)
    lo, hi = 100 * bootstrap_ci(unit_scores(run, spec.metric, keep))  # type: ignore[arg-type]
    gen = (float(lo) - spec.value, float(hi) - spec.value)
    how = f"fixed-set, {est.n_problems} probes × {est.n_samples} samples, SE {se:.2f}"
    where = _on_this_set(len(keep), _unit(spec.metric), gen)
    return _row(
        claim,
        Outcome(dec.verdict, f"{where}: {how}; {dec.reason}"),
        claimed=spec.value,
        measured=value,
        ci95=dec.ci95,
        measured_ci95=(value - Z95 * se, value + Z95 * se),
        ci95_generalisation=gen,
        runs=(run.run_id,),
        **_decision_fields(dec, est.n_samples),
    )


def judge_comparison(
    claim: Claim, spec: ComparisonSpec, runs: Sequence[Run], margins: dict | None = None
) -> VerdictRow:
    """Compare a with b on the probes both ran (``decide.decide`` on the fixed-set a − b)."""
    claimed = f"{spec.a.model} > {spec.b.model}"
    delta = 0.0 if spec.direction == "greater" else _delta(claim, spec, margins or {})
    if spec.direction == "geq":
        claimed = f"{spec.a.model} ≥ {spec.b.model} − δ"
    elif spec.direction == "equivalent":
        claimed = f"|{spec.a.model} − {spec.b.model}| < δ"
    base = {"claimed": claimed, "model": f"{spec.a.model} vs {spec.b.model}"}
    ra, rb = pick(runs, spec.a.model, spec.benchmark), pick(runs, spec.b.model, spec.benchmark)
    absent = [s.model for s, r in ((spec.a, ra), (spec.b, rb)) if r is None]
    if absent:
        why = f"no run of {', '.join(absent)} on {spec.benchmark}"
        return _row(claim, Outcome("not measured", why), **base)
    assert ra is not None and rb is not None
    ids = (ra.run_id, rb.run_id)
    if delta is None:
        why = f"no margin δ for {spec.benchmark} {spec.metric} in seeds/margins.yaml"
        return _row(claim, Outcome("not measured", why), **base, runs=ids)
    keep = sorted(set(units(ra, spec.metric)) & set(units(rb, spec.metric)))
    ea, eb = estimate(ra, spec.metric, keep), estimate(rb, spec.metric, keep)
    if ea is None or eb is None:
        why = f"{spec.metric} not computable on the {len(keep)} probes both runs share"
        return _row(claim, Outcome("not measured", why), **base, runs=ids)
    d = 100 * (ea.value - eb.value)
    se = 100 * float(np.hypot(ea.se, eb.se))
    dec = decide(spec.direction, d, se, delta)
    how = (
        f"{spec.metric}: a {fmt(100 * ea.value)} vs b {fmt(100 * eb.value)} on {len(keep)} shared "
        f"probes, fixed-set SE of a − b {se:.2f}"
    )
    sa, sb = unit_scores(ra, spec.metric, keep), unit_scores(rb, spec.metric, keep)
    gen = paired_bootstrap_diff(sa, sb).ci95  # type: ignore[arg-type]
    where = _on_this_set(len(keep), _unit(spec.metric), gen)
    return _row(
        claim,
        Outcome(dec.verdict, f"{where}: {how}; {dec.reason}"),
        **base,
        measured=d,
        ci95=dec.ci95,
        ci95_generalisation=gen,
        runs=ids,
        **_decision_fields(dec, min(ea.n_samples, eb.n_samples)),
    )


def behaviour_verdicts(
    rows: Sequence[VerdictRow],
    claims: Sequence[Claim],
    runs: Sequence[Run],
    margins: dict | None = None,
) -> list[VerdictRow]:
    """``rows`` with the rows of behaviour claims replaced by verdicts from behaviour runs."""
    mine = [r for r in runs if is_behaviour_run(r)]
    by_id = {c.id: c for c in claims}
    out = []
    for row in rows:
        claim = by_id.get(row.claim_id)
        if claim is None or not claim.measurable or not is_behaviour_claim(claim):
            out.append(row)
        elif isinstance(claim.spec, ValueSpec):
            out.append(judge_value(claim, claim.spec, mine, margins))
        elif isinstance(claim.spec, ComparisonSpec):
            out.append(judge_comparison(claim, claim.spec, mine, margins))
        else:
            out.append(row)
    return out
