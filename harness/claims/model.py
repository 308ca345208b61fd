"""Frozen records of the claims registry: a claim, its source, its protocol, its checkable part.

A :class:`Claim` carries what every claim has (id, kind, statement, source, protocol, location)
and one kind-specific spec: :class:`ValueSpec`, :class:`ComparisonSpec`, :class:`TrendSpec`,
:class:`ResourceSpec` or :class:`NotMeasurableSpec`. ``seeds/README.md`` documents the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["value", "comparison", "trend", "resource", "not_measurable"]
KINDS: tuple[str, ...] = ("value", "comparison", "trend", "resource", "not_measurable")
DIRECTIONS: tuple[str, ...] = ("greater", "geq", "equivalent")
TREND_DIRECTIONS: tuple[str, ...] = ("increasing", "decreasing")


@dataclass(frozen=True)
class Location:
    """Where a record was written: file and 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Article:
    """One press article, as the claims cite it.

    Attributes:
        file: The file name claims cite in ``source.article``.
        published: ISO 8601 date or ``start/end`` interval within which it appeared.
        sha256: Of the received file (quotes were read from it).
        basis: How outlet, title and date were established.
        location: Where the entry is written.
        outlet: The publication, when established.
        title: The headline, when the copy prints one.
        url: The original address, when known.
    """

    file: str
    published: str
    sha256: str
    basis: str
    location: Location
    outlet: str | None = None
    title: str | None = None
    url: str | None = None

    @property
    def citation(self) -> str:
        """Outlet, title and date in one line, saying which of them is unknown."""
        outlet = self.outlet or "outlet not named in the copy"
        title = f"“{self.title}”" if self.title else "untitled copy"
        return f"{outlet}, {title}, published {self.published} ({self.file})"


@dataclass(frozen=True)
class Source:
    """Where a claim was made.

    Attributes:
        document: The document ("DeepSeek-R1 paper, arXiv 2501.12948v1").
        table: Table name in it, when the claim is a table cell; then row and column are set.
        row: Row label as printed.
        column: Column label as printed.
        section: Section or passage for prose claims.
        article: File name of a press article (``seeds/articles_index.yaml``); then quote is set.
        quote: A short verbatim quote (at most 25 words).
        repository: A public repository the number is published in (``owner/name``).
        commit: The commit of ``repository`` it was read at.
        file: The file in ``repository`` that prints it.
        article_ref: The article's index entry (outlet, title, date), set by the loader.
    """

    document: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    section: str | None = None
    article: str | None = None
    quote: str | None = None
    repository: str | None = None
    commit: str | None = None
    file: str | None = None
    article_ref: Article | None = None


@dataclass(frozen=True)
class ValueSpec:
    """A model scores ``value`` on a benchmark under a metric (percent, or a rating)."""

    model: str
    benchmark: str
    metric: str
    value: float
    measurable: bool = True
    reason: str | None = None  # why not, when measurable is false
    delta: float | None = None  # equivalence margin δ (points): holds when |measured − value| < δ
    spread: float | None = None  # the source's own SD over seeds/runs (points), when it gives one
    reproduces: str | None = (
        None  # a third party's number: the id of DeepSeek's claim it re-measures
    )


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a model, and optionally a value claim standing in for it."""

    model: str
    claim: str | None = None  # id of a value claim to use when this side is not measured


@dataclass(frozen=True)
class ComparisonSpec:
    """``a`` beats ``b`` (``greater``), matches or beats it (``geq``) or is comparable to it.

    ``geq``: a ≥ b − δ (non-inferiority); ``equivalent``: |a − b| < δ (two-sided equivalence).

    δ is the pre-registered margin of the benchmark and metric (``seeds/margins.yaml``);
    ``tolerance``, when set, replaces it for this claim (its ``note`` must say why).
    """

    benchmark: str
    metric: str
    a: Side
    b: Side
    direction: str
    tolerance: float | None = None


@dataclass(frozen=True)
class TrendSpec:
    """Metric ``y`` moves in ``direction`` as ``x`` grows (e.g. response length vs MATH level)."""

    model: str
    benchmark: str
    x: str
    y: str
    direction: str
    min_ratio: float | None = None  # smallest top/bottom-level ratio that matters (effect size)
    min_effect: float | None = None  # smallest effect that supports the claim (x: budget)


@dataclass(frozen=True)
class ResourceSpec:
    """``metric`` (peak_memory_gib) stays within ``max_value`` serving ``model`` at ``dtype``."""

    model: str
    metric: str
    max_value: float
    dtype: str
    context_tokens: int
    hardware: str


@dataclass(frozen=True)
class NotMeasurableSpec:
    """A claim the harness cannot check yet, and why."""

    reason: str
    model: str | None = None


Spec = ValueSpec | ComparisonSpec | TrendSpec | ResourceSpec | NotMeasurableSpec


@dataclass(frozen=True)
class Claim:
    """One checkable claim.

    Attributes:
        id: Unique across all seed files.
        kind: Which spec it carries.
        statement: The claim in the project's own words.
        source: Where it was made.
        protocol: Id of the protocol its source states (``seeds/protocols.yaml``).
        spec: The kind-specific, checkable part.
        location: Where the claim is written.
        group: Claims sharing a group hold jointly ("on all metrics").
        note: Free remark (caveats, how the claim was read).
        proxy_for: Id of the claim this one stands in for: its verdict is the proxy's, never
            shown as that claim's.
    """

    id: str
    kind: Kind
    statement: str
    source: Source
    protocol: str
    spec: Spec
    location: Location
    group: str | None = None
    note: str | None = None
    proxy_for: str | None = None

    @property
    def measurable(self) -> bool:
        """Whether the harness can check it now."""
        if isinstance(self.spec, NotMeasurableSpec):
            return False
        return not isinstance(self.spec, ValueSpec) or self.spec.measurable

    @property
    def models(self) -> tuple[str, ...]:
        """Model config names the claim refers to."""
        spec = self.spec
        if isinstance(spec, ComparisonSpec):
            return (spec.a.model, spec.b.model)
        return (spec.model,) if spec.model else ()

    @property
    def benchmarks(self) -> tuple[str, ...]:
        """Benchmark config names the claim refers to."""
        return (self.spec.benchmark,) if hasattr(self.spec, "benchmark") else ()


@dataclass(frozen=True)
class Protocol:
    """The evaluation protocol a source states; ``None`` means the source does not say.

    Attributes:
        id: Referred to by claims.
        document: The stating document and section.
        temperature: Sampling temperature.
        top_p: Nucleus sampling threshold.
        max_new_tokens: Generation budget.
        samples_min: Fewest samples per question stated.
        samples_max: Most samples per question stated.
        samples_by_benchmark: Samples per question where stated per benchmark.
        prompt_suffix: Instruction appended to math problems, where stated.
        think_prefix: Text the response is forced to begin with, where stated.
        location: Where the protocol is written.
        note: Free remark.
        engine: The inference engine the source names (``vllm``, ``sglang``), where stated.
    """

    id: str
    document: str
    temperature: float | None
    top_p: float | None
    max_new_tokens: int | None
    samples_min: int | None
    samples_max: int | None
    samples_by_benchmark: tuple[tuple[str, int], ...]
    prompt_suffix: str | None
    think_prefix: str | None
    location: Location
    note: str | None = None
    engine: str | None = None

    def samples_for(self, benchmark: str) -> tuple[int | None, int | None]:
        """Stated (min, max) samples per question for ``benchmark``."""
        for name, k in self.samples_by_benchmark:
            if name == benchmark:
                return (k, k)
        return (self.samples_min, self.samples_max)
