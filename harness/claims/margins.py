"""Pre-registered equivalence margins and claim-group rules (seeds/margins.yaml, groups.yaml).

A margin δ (points) per benchmark and metric is what "the same number" means for that cell: a
value claim is supported when the measured number is provably within δ of it (TOST), and
"comparable" / "matches" comparisons use the same δ. Margins are fixed before any run, with
their reasoning, so no verdict can be tuned after seeing data.

A group rule says how a claim group ("on all metrics", "on several benchmarks") holds:
``all`` members, ``any`` member, or ``at_least: k`` members, after Holm's correction.
Groups that no rule names hold when ``all`` members hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.claims.errors import ClaimError
from harness.claims.model import Claim, Location, Protocol
from harness.claims.nodes import Fields, compose_file

MARGINS_FILE = "margins.yaml"
GROUPS_FILE = "groups.yaml"
GROUP_RULES = ("all", "any", "at_least")


@dataclass(frozen=True)
class Margin:
    """δ for one benchmark × metric.

    Attributes:
        benchmark: Benchmark config name.
        metric: Metric name (``pass@1``, ``cons@64``).
        delta: The margin, in points.
        problems: Problems in the benchmark (P): bounds a cited number's sampling variance.
        reason: Why this δ.
        location: Where it is written.
    """

    benchmark: str
    metric: str
    delta: float
    problems: int
    reason: str
    location: Location


@dataclass(frozen=True)
class GroupRule:
    """How a claim group holds: ``all``, ``any`` or ``at_least`` k of its members."""

    id: str
    rule: str
    k: int | None
    reason: str
    location: Location

    def needed(self, members: int) -> int:
        """Members that must hold."""
        if self.rule == "all":
            return members
        return 1 if self.rule == "any" else int(self.k or 1)


def load_margins(seeds_dir: Path) -> dict[tuple[str, str], Margin]:
    """Margins by (benchmark, metric) from ``seeds_dir/margins.yaml``.

    Raises:
        ClaimError: A missing or unknown key, a non-positive δ, or a duplicate cell.
    """
    path = Path(seeds_dir) / MARGINS_FILE
    root = Fields(path, compose_file(path))
    out: dict[tuple[str, str], Margin] = {}
    for node in root.seq("margins"):
        f = Fields(path, node)
        m = Margin(
            benchmark=f.text("benchmark"),
            metric=f.text("metric"),
            delta=f.number("delta"),
            problems=f.integer("problems"),
            reason=f.text("reason"),
            location=Location(path, f.line),
        )
        if m.delta <= 0:
            raise f.error("delta", "a margin must be positive")
        if (m.benchmark, m.metric) in out:
            raise f.error("metric", f"duplicate margin for {m.benchmark} {m.metric}")
        f.done()
        out[(m.benchmark, m.metric)] = m
    root.done()
    return out


def load_groups(seeds_dir: Path, claims: list[Claim]) -> dict[str, GroupRule]:
    """Group rules from ``seeds_dir/groups.yaml``; every claim group gets one (default ``all``).

    Raises:
        ClaimError: An unknown group, a rule other than all/any/at_least, ``at_least`` without k
            or with k above the group's size.
    """
    path = Path(seeds_dir) / GROUPS_FILE
    sizes: dict[str, int] = {}
    for c in claims:
        if c.group:
            sizes[c.group] = sizes.get(c.group, 0) + 1
    rules: dict[str, GroupRule] = {}
    if path.is_file():
        root = Fields(path, compose_file(path))
        for node in root.seq("groups"):
            f = Fields(path, node)
            rule = GroupRule(
                id=f.text("id"),
                rule=f.text("rule", choices=GROUP_RULES),
                k=f.integer("k", None),
                reason=f.text("reason"),
                location=Location(path, f.line),
            )
            if rule.id not in sizes:
                raise f.error("id", f"no claim has group {rule.id!r}")
            if rule.id in rules:
                raise f.error("id", f"duplicate rule for group {rule.id!r}")
            if (rule.rule == "at_least") != (rule.k is not None):
                raise f.error("k", "at_least needs k; all and any take none")
            if rule.k is not None and rule.k > sizes[rule.id]:
                raise f.error("k", f"k={rule.k} exceeds the group's {sizes[rule.id]} members")
            f.done()
            rules[rule.id] = rule
        root.done()
    for gid in sizes:
        if gid not in rules:
            rules[gid] = GroupRule(
                gid, "all", None, "default: every member must hold", Location(path, 0)
            )
    return rules


def check_margins(claims: list[Claim], margins: dict[tuple[str, str], Margin]) -> None:
    """Every measurable value or comparison claim must have a pre-registered margin.

    Raises:
        ClaimError: At the first claim whose benchmark × metric has none.
    """
    for c in claims:
        spec = c.spec
        metric = getattr(spec, "metric", None)
        bench = getattr(spec, "benchmark", None)
        if c.kind in ("value", "comparison") and c.measurable and (bench, metric) not in margins:
            loc = c.location
            raise ClaimError(
                loc.path, loc.line, "metric", f"no margin for {bench} {metric} in {MARGINS_FILE}"
            )


def n_pub_for(protocol: Protocol | None, benchmark: str, metric: str) -> tuple[int, str]:
    """Samples per problem behind a cited number, and how that was decided.

    cons@k: k samples, one vote per problem. Otherwise the protocol's n for the benchmark; a
    stated range ("4 to 64") gives its conservative (smaller) end; an unstated n gives 1, the
    most conservative value (the widest sampling variance for the cited number).
    """
    if metric.startswith("cons@"):
        return int(metric.split("@")[1]), "one vote per problem"
    lo, hi = protocol.samples_for(benchmark) if protocol else (None, None)
    if lo is None and hi is None:
        return 1, "n not stated by the source: taken as 1, the most conservative"
    if lo is not None and hi is not None and lo != hi:
        return lo, f"n stated as {lo}–{hi}: the conservative end {lo}"
    n = lo if lo is not None else hi
    return int(n), f"n={n} as stated"  # type: ignore[arg-type]
