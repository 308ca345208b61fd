"""The judging context every claim kind shares: cells, claims, protocols, settings, margins.

``verdicts.judge_claim`` dispatches one claim to ``judge_values`` or ``judge_other``, which take
a :class:`Judge`; this module imports neither, so the three do not import each other in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.claims import Claim, ComparisonSpec, GroupRule, Margin, Protocol, ValueSpec
from harness.report.memory import default_memory_files, load_memory_files
from harness.report.pooling import Cell
from harness.report.protocol import ProtocolCheck, check_protocol
from harness.report.row import Settings, VerdictRow, claim_row
from harness.report.rules import Outcome

UNSTATED = "unstated"  # the article protocol: claims inherit the cited claim's protocol


class Judge:
    """Judges claims against cells with fixed settings, protocols, margins and group rules."""

    def __init__(
        self,
        cells: Sequence[Cell],
        claims: Sequence[Claim],
        protocols: dict[str, Protocol],
        settings: Settings,
        margins: dict[tuple[str, str], Margin] | None = None,
        groups: dict[str, GroupRule] | None = None,
    ) -> None:
        self.cells = list(cells)
        self.claims = list(claims)
        self.by_id = {c.id: c for c in claims}
        self.protocols = protocols
        self.settings = settings
        self.margins = margins or {}
        self.groups = groups or {}
        files = settings.memory_files
        self.memory = load_memory_files(default_memory_files() if files is None else files)

    def protocol_of(self, claim: Claim, model: str | None = None) -> Protocol | None:
        """The protocol a run of ``model`` is held to for ``claim``.

        A side that cites a claim takes that claim's protocol; an article claim (protocol
        ``unstated``) inherits from the registry's value claim for the same model, benchmark and
        metric (for a measured side) or from the claim it cites.
        """
        spec = claim.spec
        if isinstance(spec, ComparisonSpec) and model is not None:
            side = spec.a if spec.a.model == model else spec.b
            if side.claim:
                return self.protocols.get(self.by_id[side.claim].protocol)
        if claim.protocol != UNSTATED:
            return self.protocols.get(claim.protocol)
        bench, metric = getattr(spec, "benchmark", None), getattr(spec, "metric", None)
        for other in self.claims:
            o = other.spec
            if (
                isinstance(o, ValueSpec)
                and other.protocol != UNSTATED
                and (o.model, o.benchmark, o.metric) == (model, bench, metric)
            ):
                return self.protocols.get(other.protocol)
        if isinstance(spec, ComparisonSpec):
            for side in (spec.a, spec.b):
                if side.claim:
                    return self.protocols.get(self.by_id[side.claim].protocol)
        return self.protocols.get(claim.protocol)

    def check(self, cell: Cell, claim: Claim) -> ProtocolCheck:
        """Protocol differences of ``cell`` against the protocol ``claim`` holds it to."""
        protocol = self.protocol_of(claim, cell.model)
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

    def margin(self, claim: Claim) -> Margin | None:
        """The pre-registered margin of the claim's benchmark and metric."""
        spec = claim.spec
        return self.margins.get((getattr(spec, "benchmark", ""), getattr(spec, "metric", "")))

    def row(self, claim: Claim, outcome: Outcome, **fields: Any) -> VerdictRow:
        """A verdict row with the claim's own fields filled in (``row.claim_row``)."""
        return claim_row(claim, outcome, **fields)
