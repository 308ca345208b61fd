"""Claim groups ("on all metrics", "on several benchmarks"): one verdict row per group.

Members are tested one by one; their p-values are corrected with Holm's step-down procedure
(Holm 1979, family-wise error rate 5 %), once for support and once for refutation. With m
members, s of them supported after correction and r refuted, and k the members that must hold
(``all``: m, ``any``: 1, ``at_least``: k):

- supported when s ≥ k;
- refuted when r > m − k (too few members are left that could still hold);
- inconclusive otherwise; "not measured" when no member was measured.

A member that was not measured counts as neither. Members decided on cited numbers alone count
like the others; when no member was run, the group's verdict is worded as theirs ("consistent
with" / "contradicts the cited numbers").
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.claims import Claim, GroupRule
from harness.report.decide import holm
from harness.report.row import VerdictRow


def group_verdict(rule: GroupRule, members: Sequence[VerdictRow]) -> tuple[str, str]:
    """The group's verdict and reason from its members' rows."""
    measured = [r for r in members if r.verdict != "not measured"]
    m, k = len(members), rule.needed(len(members))
    if not measured:
        return "not measured", f"no member of the group was measured ({m} members)"
    tested = [r for r in measured if r.p_support is not None and r.p_refute is not None]
    supported = holm([float(r.p_support) for r in tested])  # type: ignore[arg-type]
    refuted = holm([float(r.p_refute) for r in tested])  # type: ignore[arg-type]
    capped = {r.claim_id for r in tested if "would be" in r.reason}  # protocol cap stands
    s = sum(ok for ok, r in zip(supported, tested, strict=True) if r.claim_id not in capped)
    f = sum(ok for ok, r in zip(refuted, tested, strict=True) if r.claim_id not in capped)
    # members without a p-value (trend, resource) count by their own verdict
    untested = [r for r in measured if r not in tested]
    s += sum(r.verdict == "supported" for r in untested)
    f += sum(r.verdict == "refuted" for r in untested)
    need = {"all": f"all {m}", "any": "any 1", "at_least": f"at least {k}"}[rule.rule]
    text = (
        f"{need} of {m} members must hold; after Holm's correction {s} supported, {f} refuted, "
        f"{m - len(measured)} not measured"
    )
    cited_only = not any(r.runs for r in measured)
    if s >= k:
        return ("consistent with the cited numbers" if cited_only else "supported"), text
    if f > m - k:
        return ("contradicts the cited numbers" if cited_only else "refuted"), text
    return "inconclusive", text


def group_rows(
    claims: Sequence[Claim], rows: Sequence[VerdictRow], rules: dict[str, GroupRule]
) -> list[VerdictRow]:
    """One row per claim group, after the member rows."""
    by_claim = {r.claim_id: r for r in rows}
    members: dict[str, list[Claim]] = {}
    for c in claims:
        if c.group:
            members.setdefault(c.group, []).append(c)
    out = []
    for gid, group in members.items():
        rule = rules.get(gid) or GroupRule(
            gid, "all", None, "every member must hold", group[0].location
        )
        member_rows = [by_claim[c.id] for c in group]
        verdict, reason = group_verdict(rule, member_rows)
        out.append(
            VerdictRow(
                claim_id=gid,
                kind="group",
                statement=f"{rule.rule}{f' {rule.k}' if rule.k else ''} of: "
                + "; ".join(c.statement for c in group),
                model=None,
                benchmark=None,
                metric=None,
                claimed=rule.rule if rule.k is None else f"at_least {rule.k}",
                measured=None,
                ci95=None,
                verdict=verdict,
                source=member_rows[0].source,
                reason=f"{reason}; rule: {rule.reason}",
                members=tuple(c.id for c in group),
            )
        )
    return out
