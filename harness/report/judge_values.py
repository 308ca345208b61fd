"""Value and comparison claims: a difference D with its fixed-set SE, decided by ``decide.py``.

- Value claim: D = measured − claimed; SE_D² = SE_ours² + the publisher's variance at n_pub
  (``evidence.py``); an equivalence test (TOST) at the pre-registered margin δ.
- Comparison: D = a − b. Both sides measured: fixed-set SEs of each on the shared problems
  (independent samples: Σ_i (σ̂a_i²/n_a + σ̂b_i²/n_b)/P² for pass@1), the paired problem
  bootstrap as the generalisation column. A cited side adds its own sampling variance at its
  protocol's n. Both sides cited: the cited numbers alone decide, worded "consistent with" or
  "contradicts the cited numbers".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from harness.claims import Claim, ComparisonSpec, ValueSpec
from harness.metrics import paired_bootstrap_diff
from harness.metrics.power import samples_needed
from harness.report.coverage import claim_problems, partial
from harness.report.decide import Z95, Decision, decide, equivalence
from harness.report.evidence import (
    Measured,
    cited_variance,
    continuity,
    measure,
    n_pub_for,
    null_rate,
    same_model_variance,
)
from harness.report.pooling import Cell
from harness.report.protocol import ProtocolCheck
from harness.report.row import VerdictRow, decision_fields
from harness.report.rules import Outcome, cap, fmt

if TYPE_CHECKING:
    from harness.report.judge import Judge

NO_MARGIN = "no pre-registered margin for this benchmark and metric in seeds/margins.yaml"
CITED_WORDS = {
    "supported": "consistent with the cited numbers",
    "refuted": "contradicts the cited numbers",
}


def missing_metric(cell: Cell, metric: str, check: ProtocolCheck) -> str:
    """Why a cell has no value for ``metric``."""
    have = ", ".join(cell.summary["metrics"])
    why = f"{metric} not computed from n={cell.n_samples} samples per problem (have {have})"
    return f"{why}; {check.text()}" if check.all else why


def with_protocol(outcome: Outcome, check: ProtocolCheck) -> Outcome:
    """Cap at inconclusive on a capping difference; name every difference in the reason."""
    outcome = cap(outcome, list(check.capping))
    if not check.all:
        return outcome
    return Outcome(outcome.verdict, f"{outcome.reason}; {check.text()}")


def _power_text(dec: Decision, m: Measured, v_fixed: float) -> str:
    if dec.verdict != "underpowered":
        return f"minimum detectable difference {fmt(dec.mdd)} points (80 % power)"
    w = m.se_within**2 * m.n
    need = samples_needed(w, v_fixed + m.se**2 - m.se_within**2, dec.delta)
    if need is None:
        return (
            "no number of samples per problem on our side suffices: the variance that does not "
            "shrink with it (the cited number's own sampling at n_pub, between-run variance) "
            "is too large for δ"
        )
    return f"needs about {need} samples per problem for 80 % power to support D = 0"


def _unstable(m: Measured, delta: float) -> str:
    if not m.unstable or m.tau is None:
        return ""
    return (
        f"; UNSTABLE: between-run SD {fmt(m.tau)}, above δ/2 = {fmt(delta / 2)} by a χ² test at "
        f"5 % over {m.runs} runs"
    )


def judge_value(judge: Judge, claim: Claim, spec: ValueSpec) -> VerdictRow:
    """Equivalence of the measured value with the claimed one (TOST at margin δ)."""
    cell = judge.cell(spec.model, spec.benchmark, claim)
    if cell is None:
        why = f"no run of {spec.model} on {spec.benchmark}"
        return judge.row(claim, Outcome("not measured", why), claimed=spec.value)
    check = judge.check(cell, claim)
    runs = tuple(r.run_id for r in cell.runs)
    margin = judge.margin(claim)
    found = cell.metric(spec.metric)
    if found is None or margin is None:
        why = missing_metric(cell, spec.metric, check) if found is None else NO_MARGIN
        return judge.row(claim, Outcome("not measured", why), claimed=spec.value, runs=runs)
    m = measure(
        cell,
        spec.metric,
        seed=judge.settings.seed,
        resamples=judge.settings.resamples,
        delta=margin.delta,
    )
    part = partial(cell, margin)
    if part is not None:
        why = f"{part}; on its {m.problems} problems {spec.metric} = {fmt(m.value)}"
        return judge.row(
            claim,
            Outcome("not measured", why),
            claimed=spec.value,
            measured=m.value,
            measured_ci95=m.interval(Z95),
            n=m.n,
            problems=m.problems,
            claim_problems=claim_problems(cell, margin),
            runs=runs,
        )
    n_pub, how = n_pub_for(judge.protocol_of(claim, spec.model), spec.benchmark, spec.metric)
    v_pub = same_model_variance(cell, spec.metric, n_pub)
    if spec.spread is not None:  # a source's own SD over seeds bounds its mean's SE (≤ SD)
        v_pub, how = spec.spread**2, f"its own SD over seeds, {fmt(spec.spread)}, as its SE"
    dec = equivalence(m.value - spec.value, math.sqrt(m.se**2 + v_pub), margin.delta)
    reason = (
        f"measured {fmt(m.value)} (P={m.problems}, n={m.n}) vs claimed {fmt(spec.value)} "
        f"(n_pub={n_pub}: {how}); {dec.reason}; {_power_text(dec, m, v_pub)}"
        + _unstable(m, margin.delta)
    )
    lo, hi = found[1]
    return judge.row(
        claim,
        with_protocol(Outcome(dec.verdict, reason), check),
        claimed=spec.value,
        measured=m.value,
        measured_ci95=m.interval(Z95),
        ci95_generalisation=(lo - spec.value, hi - spec.value),
        n=m.n,
        n_pub=n_pub,
        problems=m.problems,
        claim_problems=claim_problems(cell, margin),
        unstable=bool(_unstable(m, margin.delta)),
        runs=runs,
        protocol_differences=check.all,
        **decision_fields(dec),
    )


def _cited(judge: Judge, claim: Claim, spec: ComparisonSpec, side: str) -> tuple[float, int, str]:
    s = spec.a if side == "a" else spec.b
    cited = judge.by_id[s.claim]  # type: ignore[index]
    n_pub, how = n_pub_for(judge.protocols.get(cited.protocol), spec.benchmark, spec.metric)
    return cited.spec.value, n_pub, f"cited {s.model} {fmt(cited.spec.value)} ({s.claim}; {how})"  # type: ignore[union-attr]


def judge_comparison(judge: Judge, claim: Claim, spec: ComparisonSpec) -> VerdictRow:
    """A vs b: superiority, non-inferiority or equivalence of D = a − b (``decide.py``)."""
    margin = judge.margin(claim)
    delta = spec.tolerance or (margin.delta if margin else None)
    words = {"greater": ">", "geq": "≥", "equivalent": "≈"}[spec.direction]
    claimed = f"{spec.a.model} {words} {spec.b.model}"
    if spec.direction != "greater":
        claimed += f" (δ = {fmt(delta or 0.0)})"
    base = {"claimed": claimed, "model": f"{spec.a.model} vs {spec.b.model}"}
    if delta is None:
        return judge.row(claim, Outcome("not measured", NO_MARGIN), **base)
    cells = {
        k: c
        for k, s in (("a", spec.a), ("b", spec.b))
        if (c := judge.cell(s.model, spec.benchmark, claim)) is not None
    }
    checks = {k: judge.check(c, claim) for k, c in cells.items()}
    missing = [
        f"{k}={c.model}: {missing_metric(c, spec.metric, checks[k])}"
        for k, c in cells.items()
        if c.metric(spec.metric) is None
    ]
    if missing:
        return judge.row(claim, Outcome("not measured", "; ".join(missing)), **base)
    cited = {k: s.claim for k, s in (("a", spec.a), ("b", spec.b)) if s.claim and k not in cells}
    if len(cells) + len(cited) < 2:
        absent = [
            s.model for k, s in (("a", spec.a), ("b", spec.b)) if k not in cells and k not in cited
        ]
        why = f"no run of {', '.join(absent)} on {spec.benchmark} and no cited number to stand in"
        return judge.row(claim, Outcome("not measured", why), **base)
    seed = judge.settings.seed
    extra: dict = {}
    measured: dict[str, Measured] = {}
    if len(cells) == 2:
        ids = [
            p for p in cells["a"].samples.problem_ids if p in set(cells["b"].samples.problem_ids)
        ]
        if not ids:
            why = f"the runs of {spec.a.model} and {spec.b.model} share no problems"
            return judge.row(claim, Outcome("not measured", why), **base)
        part = partial(cells["a"], margin, len(ids))
        if part is not None:
            why = f"the two runs share {part}"
            return judge.row(claim, Outcome("not measured", why), **base, problems=len(ids))
        measured = {
            k: measure(
                c, spec.metric, seed=seed, ids=ids, resamples=judge.settings.resamples, delta=delta
            )
            for k, c in cells.items()
        }
        d = measured["a"].value - measured["b"].value
        se = math.hypot(measured["a"].se, measured["b"].se)
        gen = paired_bootstrap_diff(
            _scores(cells["a"], spec.metric, ids),
            _scores(cells["b"], spec.metric, ids),
            resamples=judge.settings.resamples,
            seed=seed,
        )
        extra["ci95_generalisation"] = gen.ci95
        how = (
            f"fixed-set comparison over {len(ids)} shared problems "
            "(paired problem bootstrap in ci95_generalisation)"
        )
    else:
        values, variances, texts, pubs = {}, {}, [], {}
        problems = margin.problems if margin else max(c.n_problems for c in cells.values())
        for c in cells.values():
            part = partial(c, margin)
            if part is not None:
                value = fmt(c.metric(spec.metric)[0])  # type: ignore[index]
                why = f"{c.model}: {part}; on its {c.n_problems} problems {spec.metric} = {value}"
                return judge.row(claim, Outcome("not measured", why), **base, problems=c.n_problems)
        for k in ("a", "b"):
            if k in cells:
                measured[k] = measure(
                    cells[k],
                    spec.metric,
                    seed=seed,
                    resamples=judge.settings.resamples,
                    delta=delta,
                )
                values[k], variances[k] = measured[k].value, measured[k].se ** 2
                texts.append(f"measured {cells[k].model} {fmt(values[k])} (n={measured[k].n})")
            else:
                values[k], pubs[k], text = _cited(judge, claim, spec, k)
                texts.append(text)
                extra["n_pub"] = pubs[k]
        for k, n_pub in pubs.items():  # the bound at the null value (evidence.cited_variance)
            other = values["b" if k == "a" else "a"] if cells else sum(values.values()) / 2
            nulls = null_rate(spec.direction, k, other, delta)
            variances[k] = cited_variance(values[k], problems, n_pub, spec.metric, nulls)
            texts[0 if k == "a" else -1] += f", variance bound at the null {_nulls(nulls)}"
        d, se = values["a"] - values["b"], math.sqrt(variances["a"] + variances["b"])
        # Yates: half a step of each cited mean added to the 95 % half-width (evidence.py)
        se += sum(continuity(problems, n, spec.metric) for n in pubs.values()) / Z95
        how = " against ".join(texts)
        if len(cells) == 1:
            ((k, c),) = cells.items()
            lo, hi = c.metric(spec.metric)[1]  # type: ignore[index]
            other = values["b" if k == "a" else "a"]
            extra["ci95_generalisation"] = (
                (lo - other, hi - other) if k == "a" else (other - hi, other - lo)
            )
        else:
            how = f"neither side was run; {how}"
    dec = decide(spec.direction, d, se, delta)
    verdict = dec.verdict if cells else CITED_WORDS.get(dec.verdict, dec.verdict)
    unstable = "".join(_unstable(m, delta) for m in measured.values())
    power = f"minimum detectable difference {fmt(dec.mdd)} points (80 % power)"
    outcome = Outcome(verdict, f"{how}; {dec.reason}; {power}{unstable}")
    diffs = tuple(f"{cells[k].model}: {x}" for k, ch in checks.items() for x in ch.all)
    outcome = cap(outcome, [x for ch in checks.values() for x in ch.capping])
    if diffs:
        outcome = Outcome(
            outcome.verdict, f"{outcome.reason}; protocol differs: {'; '.join(diffs)}"
        )
    if measured:
        extra["n"] = min(m.n for m in measured.values())
    return judge.row(
        claim,
        outcome,
        **base,
        measured=d,
        runs=tuple(r.run_id for c in cells.values() for r in c.runs),
        protocol_differences=diffs,
        unstable=bool(unstable),
        **extra,
        **decision_fields(dec),
    )


def _nulls(nulls: tuple[float, ...]) -> str:
    return " or ".join(fmt(min(max(v, 0.0), 100.0)) for v in nulls)


def _scores(cell: Cell, metric: str, ids: list[str]):  # noqa: ANN202 - numpy vector
    row = {p: i for i, p in enumerate(cell.samples.problem_ids)}
    return cell.scores[metric][[row[p] for p in ids]]
