"""Judge every claim of the registry against the measured cells: one ``VerdictRow`` per claim.

The rules on numbers live in ``rules.py``, the protocol policy in ``protocol.py``; this module
finds the evidence for each kind of claim (value, comparison, trend, resource) and words it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from harness.claims import (
    Claim,
    ComparisonSpec,
    NotMeasurableSpec,
    Protocol,
    ResourceSpec,
    Source,
    TrendSpec,
    ValueSpec,
)
from harness.metrics import paired_bootstrap_diff
from harness.report.pooling import Cell
from harness.report.protocol import ProtocolCheck, check_protocol
from harness.report.rules import (
    DEFAULT_MAX_CI_WIDTH,
    Outcome,
    cap,
    cited_diff_ci,
    diff_rule,
    fmt,
    trend_rule,
    value_rule,
)
from harness.report.trend import level_trend, problem_levels


@dataclass(frozen=True)
class Settings:
    """How verdicts are computed (all from ``harness-report`` flags)."""

    max_ci_width: float = DEFAULT_MAX_CI_WIDTH
    strict_protocol: bool = False
    resamples: int = 2000  # as StatsConfig.bootstrap_resamples (configs/config.yaml)
    seed: int = 0
    confidence: float = 0.95


@dataclass(frozen=True)
class VerdictRow:
    """One row of verdicts.json."""

    claim_id: str
    kind: str
    statement: str
    model: str | None
    benchmark: str | None
    metric: str | None
    claimed: float | str | None
    measured: float | None
    ci95: tuple[float, float] | None
    verdict: str
    source: str
    reason: str
    protocol_differences: tuple[str, ...] = ()
    runs: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """A plain dict for verdicts.json."""
        row = asdict(self)
        row["ci95"] = None if self.ci95 is None else [round(x, 2) for x in self.ci95]
        row["measured"] = None if self.measured is None else round(self.measured, 3)
        row["protocol_differences"] = list(self.protocol_differences)
        row["runs"] = list(self.runs)
        return row


def source_text(source: Source) -> str:
    """Where a claim was made, in one line."""
    parts = [source.document]
    if source.table:
        parts.append(f"{source.table}, row {source.row}, column {source.column}")
    if source.section:
        parts.append(source.section)
    if source.article:
        cited = source.article_ref.citation if source.article_ref else source.article
        parts.append(f"{cited}: “{source.quote}”")
    return "; ".join(parts)


class Judge:
    """Judges claims against cells with fixed settings and protocols."""

    def __init__(
        self,
        cells: Sequence[Cell],
        claims: Sequence[Claim],
        protocols: dict[str, Protocol],
        settings: Settings,
    ) -> None:
        self.cells = list(cells)
        self.by_id = {c.id: c for c in claims}
        self.protocols = protocols
        self.settings = settings

    def check(self, cell: Cell, claim: Claim) -> ProtocolCheck:
        """Protocol differences of ``cell`` against ``claim``'s protocol."""
        protocol = self.protocols.get(claim.protocol)
        return check_protocol(cell, protocol, strict=self.settings.strict_protocol)

    def cell(self, model: str, benchmark: str, claim: Claim) -> Cell | None:
        """The best cell for a model × benchmark: fewest capping differences, then most samples."""
        found = [c for c in self.cells if c.model == model and c.benchmark == benchmark]
        if not found:
            return None
        return min(
            found,
            key=lambda c: (len(self.check(c, claim).capping), -c.n_problems * c.n_samples),
        )

    def row(self, claim: Claim, outcome: Outcome, **fields: Any) -> VerdictRow:
        """A verdict row with the claim's own fields filled in."""
        spec = claim.spec
        return VerdictRow(
            claim_id=claim.id,
            kind=claim.kind,
            statement=claim.statement,
            model=fields.pop("model", getattr(spec, "model", None)),
            benchmark=getattr(spec, "benchmark", None),
            metric=fields.pop("metric", getattr(spec, "metric", None)),
            claimed=fields.pop("claimed", None),
            measured=fields.pop("measured", None),
            ci95=fields.pop("ci95", None),
            verdict=outcome.verdict,
            source=source_text(claim.source),
            reason=outcome.reason,
            **fields,
        )

    def judge(self, claim: Claim) -> VerdictRow:
        """The verdict row of one claim."""
        spec = claim.spec
        if isinstance(spec, NotMeasurableSpec) or (
            isinstance(spec, ValueSpec) and not spec.measurable
        ):
            return self.row(claim, Outcome("not measured", spec.reason or "not measurable"))
        if isinstance(spec, ValueSpec):
            return self.value(claim, spec)
        if isinstance(spec, ComparisonSpec):
            return self.comparison(claim, spec)
        if isinstance(spec, TrendSpec):
            return self.trend(claim, spec)
        assert isinstance(spec, ResourceSpec)
        return self.resource(claim, spec)

    def value(self, claim: Claim, spec: ValueSpec) -> VerdictRow:
        """Claimed value against the measured interval."""
        cell = self.cell(spec.model, spec.benchmark, claim)
        if cell is None:
            why = f"no run of {spec.model} on {spec.benchmark}"
            return self.row(claim, Outcome("not measured", why), claimed=spec.value)
        check = self.check(cell, claim)
        found = cell.metric(spec.metric)
        runs = tuple(r.run_id for r in cell.runs)
        if found is None:
            why = _missing_metric(cell, spec.metric, check)
            return self.row(claim, Outcome("not measured", why), claimed=spec.value, runs=runs)
        value, ci = found
        outcome = value_rule(spec.value, value, ci, max_width=self.settings.max_ci_width)
        outcome = _with_protocol(cap(outcome, list(check.capping)), check)
        return self.row(
            claim,
            outcome,
            claimed=spec.value,
            measured=value,
            ci95=ci,
            runs=runs,
            protocol_differences=check.all,
        )

    def _side(
        self, claim: Claim, spec: ComparisonSpec, side: str
    ) -> tuple[Cell | None, float | None]:
        s = spec.a if side == "a" else spec.b
        cited = self.by_id.get(s.claim) if s.claim else None
        cited_value = cited.spec.value if cited and isinstance(cited.spec, ValueSpec) else None
        return self.cell(s.model, spec.benchmark, claim), cited_value

    def comparison(self, claim: Claim, spec: ComparisonSpec) -> VerdictRow:
        """Paired bootstrap of a − b when both are measured; else measured vs cited number."""
        claimed = f"{spec.a.model} > {spec.b.model}"
        if spec.direction == "geq":
            claimed = f"{spec.a.model} ≥ {spec.b.model} − {fmt(spec.tolerance)}"
        base = {"claimed": claimed, "model": f"{spec.a.model} vs {spec.b.model}"}
        (cell_a, cited_a), (cell_b, cited_b) = (
            self._side(claim, spec, "a"),
            self._side(claim, spec, "b"),
        )
        cells = {k: c for k, c in (("a", cell_a), ("b", cell_b)) if c is not None}
        missing = [
            f"{k}={c.model}: {_missing_metric(c, spec.metric, self.check(c, claim))}"
            for k, c in cells.items()
            if c.metric(spec.metric) is None
        ]
        if missing:
            return self.row(claim, Outcome("not measured", "; ".join(missing)), **base)
        checks = {k: self.check(c, claim) for k, c in cells.items()}
        diffs = tuple(f"{cells[k].model}: {d}" for k, ch in checks.items() for d in ch.all)
        capping = [d for ch in checks.values() for d in ch.capping]
        runs = tuple(r.run_id for c in cells.values() for r in c.runs)
        if cell_a is not None and cell_b is not None:
            ids = [p for p in cell_a.samples.problem_ids if p in set(cell_b.samples.problem_ids)]
            if not ids:
                why = f"the runs of {spec.a.model} and {spec.b.model} share no problems"
                return self.row(claim, Outcome("not measured", why), **base, runs=runs)
            a = _scores_on(cell_a, spec.metric, ids)
            b = _scores_on(cell_b, spec.metric, ids)
            d = paired_bootstrap_diff(
                a,
                b,
                resamples=self.settings.resamples,
                seed=self.settings.seed,
                confidence=self.settings.confidence,
            )
            value, ci = d.value, d.ci95
            how = f"paired bootstrap over {len(ids)} shared problems, a − b = {fmt(value)}"
        elif (
            cell_a is not None and cited_b is not None or cell_b is not None and cited_a is not None
        ):
            side = "a" if cell_a is not None else "b"
            cell = cells[side]
            m_value, m_ci = cell.metric(spec.metric)  # type: ignore[misc]
            cited = cited_b if side == "a" else cited_a
            ci = cited_diff_ci(m_ci, cited, measured_side=side)  # type: ignore[arg-type]
            value = m_value - cited if side == "a" else cited - m_value  # type: ignore[operator]
            other = spec.b if side == "a" else spec.a
            how = f"measured {cell.model} against cited {other.model} {fmt(cited)} ({other.claim})"  # type: ignore[arg-type]
        else:
            why = _unmeasured_sides(spec, cell_a, cell_b, cited_a, cited_b)
            return self.row(claim, Outcome("not measured", why), **base)
        rule = diff_rule(ci, spec.direction, spec.tolerance)
        outcome = Outcome(rule.verdict, f"{how}; {rule.reason}")
        outcome = cap(outcome, capping)
        if diffs:
            outcome = Outcome(
                outcome.verdict, f"{outcome.reason}; protocol differs: {'; '.join(diffs)}"
            )
        return self.row(
            claim, outcome, **base, measured=value, ci95=ci, runs=runs, protocol_differences=diffs
        )

    def trend(self, claim: Claim, spec: TrendSpec) -> VerdictRow:
        """Slope of per-level means, with a stratified bootstrap interval."""
        base = {"claimed": spec.direction, "metric": f"{spec.y} vs {spec.x}"}
        cell = self.cell(spec.model, spec.benchmark, claim)
        if cell is None:
            why = f"no run of {spec.model} on {spec.benchmark}"
            return self.row(claim, Outcome("not measured", why), **base)
        runs = tuple(r.run_id for r in cell.runs)
        if spec.x != "level" or spec.y not in ("response_length", "pass@1"):
            why = f"trend of {spec.y} on {spec.x} is not computed (only response_length, pass@1"
            why += " on level)"
            return self.row(claim, Outcome("not measured", why), **base, runs=runs)
        try:
            found = cell_trend(cell, spec.y, self.settings)
        except ValueError as exc:
            return self.row(claim, Outcome("not measured", str(exc)), **base, runs=runs)
        trend, unit = found
        check = self.check(cell, claim)
        outcome = trend_rule(trend.slope_ci95, spec.direction, f"{unit} per level")
        outcome = _with_protocol(cap(outcome, list(check.capping)), check)
        return self.row(
            claim,
            outcome,
            **base,
            measured=trend.slope,
            ci95=trend.slope_ci95,
            runs=runs,
            protocol_differences=check.all,
        )

    def resource(self, claim: Claim, spec: ResourceSpec) -> VerdictRow:
        """From metrics.json accounting keys (``peak_memory_gib``) when a run recorded them."""
        base = {"claimed": f"≤ {fmt(spec.max_value)}", "metric": spec.metric}
        seen = [
            (float(v), r)
            for c in self.cells
            if c.model == spec.model
            for r in c.runs
            if (v := _accounting(r.metrics, spec.metric)) is not None
        ]
        if not seen:
            why = f"no run of {spec.model} records {spec.metric} in metrics.json"
            return self.row(claim, Outcome("not measured", why), **base)
        value, run = max(seen, key=lambda x: x[0])
        ok = value <= spec.max_value
        outcome = Outcome(
            "supported" if ok else "refuted",
            f"peak {fmt(value)} {'within' if ok else 'above'} {fmt(spec.max_value)} ({run.run_id})",
        )
        dtype = (run.config.get("model") or {}).get("dtype")
        diffs = (f"dtype {dtype} vs {spec.dtype}",) if dtype and dtype != spec.dtype else ()
        outcome = cap(outcome, list(diffs))
        if diffs:
            outcome = Outcome(outcome.verdict, f"{outcome.reason}; protocol differs: {diffs[0]}")
        return self.row(
            claim, outcome, **base, measured=value, runs=(run.run_id,), protocol_differences=diffs
        )


def cell_trend(cell: Cell, y: str, settings: Settings) -> tuple[Any, str]:
    """Per-level trend of ``y`` in a cell, and the unit of ``y``.

    Raises:
        ValueError: No levels, no lengths, or fewer than two levels.
    """
    levels = problem_levels(cell.runs[0])
    if y == "response_length":
        if cell.samples.lengths is None:
            raise ValueError("response lengths were measured in different units across runs")
        values, unit = cell.samples.lengths.mean(axis=1), cell.samples.length_unit
    else:
        values, unit = 100.0 * cell.samples.correct.mean(axis=1), "points"
    keep = [i for i, p in enumerate(cell.samples.problem_ids) if p in levels]
    trend = level_trend(
        values[keep],
        [levels[cell.samples.problem_ids[i]] for i in keep],
        resamples=settings.resamples,
        seed=settings.seed,
        confidence=settings.confidence,
    )
    return trend, unit


def _scores_on(cell: Cell, metric: str, ids: list[str]) -> np.ndarray:
    row = {p: i for i, p in enumerate(cell.samples.problem_ids)}
    return cell.scores[metric][[row[p] for p in ids]]


# Claim metric name → the keys runs record it under (harness.plan.accounting writes the second).
_ACCOUNTING_KEYS = {"peak_memory_gib": ("peak_memory_gib", "peak_accelerator_memory_gib")}


def _accounting(metrics: dict[str, Any], key: str) -> float | None:
    for where in (metrics, metrics.get("accounting") or {}):
        for name in _ACCOUNTING_KEYS.get(key, (key,)):
            if isinstance(where.get(name), int | float):
                return float(where[name])
    return None


def _missing_metric(cell: Cell, metric: str, check: ProtocolCheck) -> str:
    have = ", ".join(cell.summary["metrics"])
    why = f"{metric} not computed from n={cell.n_samples} samples per problem (have {have})"
    return f"{why}; {check.text()}" if check.all else why


def _with_protocol(outcome: Outcome, check: ProtocolCheck) -> Outcome:
    if not check.all:
        return outcome
    return Outcome(outcome.verdict, f"{outcome.reason}; {check.text()}")


def _unmeasured_sides(
    spec: ComparisonSpec,
    cell_a: Cell | None,
    cell_b: Cell | None,
    cited_a: float | None,
    cited_b: float | None,
) -> str:
    if cell_a is None and cell_b is None and cited_a is not None and cited_b is not None:
        return (
            f"neither {spec.a.model} nor {spec.b.model} was run; the cited numbers give "
            f"a − b = {fmt(cited_a - cited_b)}"
        )
    absent = [s.model for s, c in ((spec.a, cell_a), (spec.b, cell_b)) if c is None]
    return f"no run of {', '.join(absent)} on {spec.benchmark} and no cited number to stand in"


def judge_all(
    cells: Sequence[Cell],
    claims: Sequence[Claim],
    protocols: dict[str, Protocol],
    settings: Settings,
) -> list[VerdictRow]:
    """One verdict row per claim, in registry order."""
    judge = Judge(cells, claims, protocols, settings)
    return [judge.judge(claim) for claim in claims]
