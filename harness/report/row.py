"""The verdict row and the report settings: what verdicts.json holds per claim."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harness.claims import Claim, Source
from harness.report.decide import Decision
from harness.report.rules import Outcome


@dataclass(frozen=True)
class Settings:
    """How verdicts are computed (all from ``harness-report`` flags)."""

    strict_protocol: bool = False
    resamples: int = 2000  # as StatsConfig.bootstrap_resamples (configs/config.yaml)
    seed: int = 0
    confidence: float = 0.95
    # bench_memory_gpu.py result files for resource claims (report/memory.py); None: the
    # checkout's benchmarks/data/memory_gpu_*.json
    memory_files: tuple[str, ...] | None = None


@dataclass(frozen=True)
class VerdictRow:
    """One row of verdicts.json (README "Claims and the report" explains every field)."""

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
    delta: float | None = None
    d: float | None = None
    se: float | None = None
    ci90: tuple[float, float] | None = None
    n: int | None = None
    n_pub: int | None = None
    ci95_generalisation: tuple[float, float] | None = None
    measured_ci95: tuple[float, float] | None = None
    mdd: float | None = None
    p_support: float | None = None
    p_refute: float | None = None
    q_support: float | None = None
    q_refute: float | None = None
    unstable: bool = False
    problems: int | None = None
    claim_problems: int | None = None
    proxy_for: str | None = None
    members: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A plain dict for verdicts.json (``d`` is written as ``D``)."""
        row = asdict(self)
        for key in ("ci95", "ci90", "ci95_generalisation", "measured_ci95"):
            v = getattr(self, key)
            row[key] = None if v is None else [round(x, 2) for x in v]
        for key in ("measured", "d", "se", "mdd"):
            v = row[key]
            row[key] = None if v is None else round(v, 3)
        for key in ("p_support", "p_refute", "q_support", "q_refute"):
            row[key] = None if row[key] is None else float(f"{row[key]:.4g}")
        row["D"] = row.pop("d")
        row["protocol_differences"] = list(self.protocol_differences)
        row["runs"] = list(self.runs)
        row["members"] = list(self.members)
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


def decision_fields(decision: Decision) -> dict[str, Any]:
    """The verdict-row fields a ``Decision`` fills."""
    return {
        "delta": decision.delta,
        "d": decision.d,
        "se": decision.se,
        "ci90": decision.ci90,
        "ci95": decision.ci95,
        "mdd": decision.mdd,
        "p_support": decision.p_support,
        "p_refute": decision.p_refute,
    }


def claim_row(claim: Claim, outcome: Outcome, **fields: Any) -> VerdictRow:
    """A verdict row with the claim's own fields filled in (a proxy's reason says so first)."""
    spec = claim.spec
    reason = outcome.reason
    if claim.proxy_for:
        reason = f"PROXY for {claim.proxy_for}, not that claim's verdict: {reason}"
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
        reason=reason,
        proxy_for=claim.proxy_for,
        **fields,
    )
