"""Judge every claim of the registry against the measured cells: one row per claim and group.

The statistics of a verdict live in ``decide.py`` (tests on D), ``evidence.py`` (standard
errors), the protocol policy in ``protocol.py``, whether a run holds the claim's problem set in
``coverage.py``; ``judge_values.py`` judges value and comparison claims, ``judge_other.py`` trends
and resources, ``groups.py`` claim groups (Holm); ``multiplicity.py`` adds the report-wide
Benjamini–Hochberg q-values once every row is in (``build.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.claims import (
    Claim,
    ComparisonSpec,
    GroupRule,
    Margin,
    NotMeasurableSpec,
    Protocol,
    ValueSpec,
)
from harness.report.groups import group_rows
from harness.report.judge import Judge
from harness.report.judge_other import judge_resource, judge_trend
from harness.report.judge_values import judge_comparison, judge_value
from harness.report.pooling import Cell
from harness.report.row import Settings, VerdictRow, source_text
from harness.report.rules import Outcome

__all__ = ["Judge", "Settings", "VerdictRow", "judge_all", "source_text"]


def judge_claim(judge: Judge, claim: Claim) -> VerdictRow:
    """The verdict row of one claim (value and comparison in judge_values, the rest judge_other)."""
    spec = claim.spec
    if isinstance(spec, NotMeasurableSpec) or (isinstance(spec, ValueSpec) and not spec.measurable):
        return judge.row(claim, Outcome("not measured", spec.reason or "not measurable"))
    if isinstance(spec, ValueSpec):
        return judge_value(judge, claim, spec)
    if isinstance(spec, ComparisonSpec):
        return judge_comparison(judge, claim, spec)
    if claim.kind == "trend":
        return judge_trend(judge, claim, spec)  # type: ignore[arg-type]
    return judge_resource(judge, claim, spec)  # type: ignore[arg-type]


def judge_all(
    cells: Sequence[Cell],
    claims: Sequence[Claim],
    protocols: dict[str, Protocol],
    settings: Settings,
    margins: dict[tuple[str, str], Margin] | None = None,
    groups: dict[str, GroupRule] | None = None,
) -> list[VerdictRow]:
    """One verdict row per claim in registry order, then one per claim group."""
    judge = Judge(cells, claims, protocols, settings, margins, groups)
    rows = [judge_claim(judge, claim) for claim in claims]
    return rows + group_rows(claims, rows, judge.groups)
