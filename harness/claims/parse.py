"""Turn one claim mapping or protocol mapping (YAML nodes) into a frozen record."""

from __future__ import annotations

from collections.abc import Callable

from harness.claims.model import (
    DIRECTIONS,
    KINDS,
    TREND_DIRECTIONS,
    Claim,
    ComparisonSpec,
    Location,
    NotMeasurableSpec,
    Protocol,
    ResourceSpec,
    Side,
    Source,
    Spec,
    TrendSpec,
    ValueSpec,
)
from harness.claims.nodes import Fields

MAX_QUOTE_WORDS = 25


def parse_source(f: Fields) -> Source:
    """Read ``source``: a table cell (table, row, column) and/or an article quote."""
    source = Source(
        document=f.text("document"),
        table=f.text("table", None),
        row=f.text("row", None),
        column=f.text("column", None),
        section=f.text("section", None),
        article=f.text("article", None),
        quote=f.text("quote", None),
        repository=f.text("repository", None),
        commit=f.text("commit", None),
        file=f.text("file", None),
    )
    if source.commit and not source.repository:
        raise f.error("repository", "a commit needs the repository it belongs to")
    if source.table and not (source.row and source.column):
        raise f.error("row" if not source.row else "column", "a table cell needs row and column")
    if source.article and not source.quote:
        raise f.error("quote", "an article claim needs a short quote")
    if source.quote and len(source.quote.split()) > MAX_QUOTE_WORDS:
        raise f.error("quote", f"quotes are kept to {MAX_QUOTE_WORDS} words")
    f.done()
    return source


def _value(f: Fields) -> ValueSpec:
    spec = ValueSpec(
        model=f.text("model"),
        benchmark=f.text("benchmark"),
        metric=f.text("metric"),
        value=f.number("value"),
        measurable=f.flag("measurable", True),
        reason=f.text("reason", None),
        delta=f.number("delta", None),
        spread=f.number("spread", None),
        reproduces=f.text("reproduces", None),
    )
    if spec.delta is not None and spec.delta <= 0:
        raise f.error("delta", "the margin δ must be positive")
    if spec.spread is not None and spec.spread < 0:
        raise f.error("spread", "a standard deviation cannot be negative")
    if not spec.measurable and not spec.reason:
        raise f.error("reason", "measurable: false needs a reason")
    return spec


def _side(f: Fields) -> Side:
    side = Side(model=f.text("model"), claim=f.text("claim", None))
    f.done()
    return side


def _comparison(f: Fields) -> ComparisonSpec:
    spec = ComparisonSpec(
        benchmark=f.text("benchmark"),
        metric=f.text("metric"),
        a=_side(f.sub("a")),
        b=_side(f.sub("b")),
        direction=f.text("direction", choices=DIRECTIONS),
        tolerance=f.number("tolerance", None),
    )
    if spec.tolerance is not None and spec.tolerance <= 0:
        raise f.error("tolerance", "must be positive")
    if spec.direction == "greater" and spec.tolerance is not None:
        raise f.error("tolerance", "only geq and equivalent take a tolerance")
    return spec


def _trend(f: Fields) -> TrendSpec:
    return TrendSpec(
        model=f.text("model"),
        benchmark=f.text("benchmark"),
        x=f.text("x"),
        y=f.text("y"),
        direction=f.text("direction", choices=TREND_DIRECTIONS),
        min_ratio=f.number("min_ratio", None),
        min_effect=f.number("min_effect", None),
    )


def _resource(f: Fields) -> ResourceSpec:
    return ResourceSpec(
        model=f.text("model"),
        metric=f.text("metric"),
        max_value=f.number("max_value"),
        dtype=f.text("dtype"),
        context_tokens=f.integer("context_tokens"),
        hardware=f.text("hardware"),
    )


def _not_measurable(f: Fields) -> NotMeasurableSpec:
    return NotMeasurableSpec(reason=f.text("reason"), model=f.text("model", None))


_SPECS: dict[str, Callable[[Fields], Spec]] = {
    "value": _value,
    "comparison": _comparison,
    "trend": _trend,
    "resource": _resource,
    "not_measurable": _not_measurable,
}
assert tuple(_SPECS) == KINDS


def parse_claim(f: Fields) -> Claim:
    """Read one claim mapping; every key must be known to its kind."""
    claim_id = f.text("id")
    kind = f.text("kind", choices=KINDS)
    claim = Claim(
        id=claim_id,
        kind=kind,  # type: ignore[arg-type]
        statement=f.text("statement"),
        source=parse_source(f.sub("source")),
        protocol=f.text("protocol"),
        spec=_SPECS[kind](f),
        location=Location(f.path, f.line),
        group=f.text("group", None),
        note=f.text("note", None),
        proxy_for=f.text("proxy_for", None),
    )
    f.done()
    return claim


def parse_protocol(f: Fields) -> Protocol:
    """Read one protocol mapping; absent numbers mean "not stated by the source"."""
    by_benchmark: list[tuple[str, int]] = []
    if f.has("samples_by_benchmark"):
        sub = f.sub("samples_by_benchmark")
        for key_node, _ in sub.node.value:
            by_benchmark.append((key_node.value, sub.integer(key_node.value)))
        sub.done()
    protocol = Protocol(
        id=f.text("id"),
        document=f.text("document"),
        temperature=f.number("temperature", None),
        top_p=f.number("top_p", None),
        max_new_tokens=f.integer("max_new_tokens", None),
        samples_min=f.integer("samples_min", None),
        samples_max=f.integer("samples_max", None),
        samples_by_benchmark=tuple(by_benchmark),
        prompt_suffix=f.text("prompt_suffix", None),
        think_prefix=f.text("think_prefix", None),
        location=Location(f.path, f.line),
        note=f.text("note", None),
        engine=f.text("engine", None),
    )
    if (
        protocol.samples_min
        and protocol.samples_max
        and protocol.samples_min > protocol.samples_max
    ):
        raise f.error("samples_min", "exceeds samples_max")
    f.done()
    return protocol
