"""Samples per problem each claim of a sweep needs, before anything runs (``harness-plan``).

For every job (model × benchmark) the claims it can test are found in ``seeds/``: value claims
on that model and benchmark, and comparisons where that model is one side and the other side
is a cited number. The expected score is the claimed (or cited) value; the within-problem
variance is bounded by p(1 − p) (Jensen; ``harness.metrics.power``), so the plan is safe and
often pessimistic: on AIME-like sets where most problems are always or never solved, the
measured variance is 2–3 times smaller, and a report's "underpowered" rows give the figure
from the measured variance.

- value (TOST at δ): ``plan_samples`` for 80 % power to support when the claim is true.
- comparison a vs cited b, expected D = a − b from the registry's values for a: superiority
  needs D/SE ≥ z₉₅ + z₈₀ = 2.80, non-inferiority (D + δ)/SE ≥ 2.80, equivalence as a value
  claim; the cited side keeps its own variance at its n_pub.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from harness.claims import (
    Claim,
    ComparisonSpec,
    ValueSpec,
    load_claims,
    load_margins,
    load_protocols,
    n_pub_for,
)
from harness.metrics.fixed_set import z_value
from harness.metrics.power import U_SHAPED, bound_w, plan_samples, samples_needed

Z_ONE_SIDED = z_value(0.95) + z_value(0.60)  # 1.96 + 0.84: 95 % interval, 80 % power


def _needed_text(n: int | None, planned: int) -> str:
    if n is None:
        return "no n suffices (the cited number's own noise exceeds the margin)"
    return f"n ≥ {n}" + (" (planned n is enough)" if planned >= n else f" (planned {planned})")


def _value_line(c: Claim, spec: ValueSpec, margins, protocols, planned: int) -> str | None:
    m = margins.get((spec.benchmark, spec.metric))
    if m is None:
        return None
    n_pub, _ = n_pub_for(protocols.get(c.protocol), spec.benchmark, spec.metric)
    vote = spec.metric.startswith("cons@")
    args = (spec.value / 100, m.problems, m.delta / 100, n_pub)
    n = plan_samples(*args, vote=vote)
    typical = plan_samples(*args, vote=vote, spread=U_SHAPED)
    return (
        f"{c.id}: claimed {spec.value:g}, δ {m.delta:g}, n_pub {n_pub} → bound: "
        f"{_needed_text(n, planned)}; U-shaped problems: {_needed_text(typical, planned)}"
    )


def _comparison_line(
    c: Claim, spec: ComparisonSpec, model: str, claims, margins, protocols, planned: int
) -> str | None:
    m = margins.get((spec.benchmark, spec.metric))
    ours, other = (spec.a, spec.b) if spec.a.model == model else (spec.b, spec.a)
    if m is None or not other.claim or spec.metric != "pass@1":
        return None
    expected = [
        x.spec.value
        for x in claims
        if isinstance(x.spec, ValueSpec)
        and (x.spec.model, x.spec.benchmark, x.spec.metric) == (model, spec.benchmark, spec.metric)
    ]
    cited = next(x for x in claims if x.id == other.claim)
    if not expected:
        return None
    n_pub, _ = n_pub_for(protocols.get(cited.protocol), spec.benchmark, spec.metric)
    pa, pb = expected[0] / 100, cited.spec.value / 100  # type: ignore[union-attr]
    d = pa - pb if ours is spec.a else pb - pa
    v_fixed = bound_w(pb, m.problems) / n_pub
    if spec.direction == "equivalent":
        n = samples_needed(bound_w(pa, m.problems), v_fixed, m.delta / 100)
    else:
        margin = d + (m.delta / 100 if spec.direction == "geq" else 0.0)
        if margin <= 0:
            return f"{c.id}: expected a − b = {100 * d:.1f} on the registry's numbers: fails"
        room = (margin / Z_ONE_SIDED) ** 2 - v_fixed
        n = None if room <= 0 else max(1, math.ceil(bound_w(pa, m.problems) / room))
    return f"{c.id}: expected a − b = {100 * d:.1f} → {_needed_text(n, planned)}"


def power_lines(rows: Sequence[dict], seeds: Path) -> list[str]:
    """One line per claim a job of the plan can test: the samples per problem it needs."""
    claims = load_claims(seeds)
    margins, protocols = load_margins(seeds), load_protocols(seeds)
    out = [
        "samples per problem to decide each claim at its margin (80 % power, expected score = "
        "the claimed value). 'bound': within-problem variance p(1 − p), safe and pessimistic; "
        f"'U-shaped problems': {U_SHAPED} of it, as when most problems are always or never "
        "solved (an assumption; a report's underpowered rows give the measured figure):"
    ]
    for r in rows:
        model, bench, planned = r["model"], r["benchmark"], int(r["samples"])
        lines = []
        for c in claims:
            spec = c.spec
            if not c.measurable:
                continue
            if isinstance(spec, ValueSpec) and (spec.model, spec.benchmark) == (model, bench):
                lines.append(_value_line(c, spec, margins, protocols, planned))
            elif (
                isinstance(spec, ComparisonSpec)
                and spec.benchmark == bench
                and model
                in (
                    spec.a.model,
                    spec.b.model,
                )
            ):
                lines.append(_comparison_line(c, spec, model, claims, margins, protocols, planned))
        for line in filter(None, lines):
            out.append(f"  job {r['job']} ({model} × {bench}, n={planned}): {line}")
    return out
