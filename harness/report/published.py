"""The "Published numbers" table: DeepSeek's claim, each third-party reproduction, and our runs.

For every model × benchmark × metric that a reproduction in ``seeds/reproductions.yaml`` covers,
one block of rows: DeepSeek's own number (the claim the reproductions name in ``reproduces``),
each reproduction with the protocol its source states (n, temperature, max new tokens, engine)
and its spread where it gives one, and each of our cells with its fixed-set interval. A
reproduction's row also carries the verdict of "our run agrees with it": the verdict row of that
reproduction's value claim, judged like every value claim (TOST at the benchmark's margin δ,
the source's own n as n_pub; ``judge_values.judge_value``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.claims import Claim, Protocol, ValueSpec
from harness.report.pooling import Cell
from harness.report.row import VerdictRow
from harness.report.rules import fmt, fmt_ci

PUBLISHED_HEADERS = [
    "model", "benchmark", "metric", "source", "number", "protocol", "our run agrees?",
]  # fmt: skip


def is_reproduction(claim: Claim) -> bool:
    """A third party's number for a DeepSeek claim (``reproduces`` is set)."""
    return isinstance(claim.spec, ValueSpec) and claim.spec.reproduces is not None


def _protocol_text(protocol: Protocol | None, benchmark: str) -> str:
    if protocol is None:
        return "not stated"
    lo, hi = protocol.samples_for(benchmark)
    parts = [f"n={lo}" if lo == hi and lo is not None else "n not stated"]
    parts.append(f"T={protocol.temperature:g}" if protocol.temperature is not None else "T ?")
    if protocol.max_new_tokens is not None:
        parts.append(f"max {protocol.max_new_tokens:,} tokens")
    if protocol.engine:
        parts.append(protocol.engine)
    return ", ".join(parts)


def _source_text(claim: Claim) -> str:
    label = claim.statement.split(":", 1)[0] if ":" in claim.statement else claim.id
    where = claim.source.repository or claim.source.document
    commit = f"@{claim.source.commit[:7]}" if claim.source.commit else ""
    return f"{label} ({where}{commit})"


def _agreement(row: VerdictRow | None) -> str:
    if row is None:
        return "—"
    if row.d is None or row.ci90 is None:
        return row.verdict
    text = f"{row.verdict}: D {fmt(row.d)}, 90 % CI {fmt_ci(row.ci90)}, δ {fmt(row.delta or 0.0)}"
    if row.protocol_differences:
        text += f"; protocol differs: {'; '.join(row.protocol_differences)}"
    return text


def published_rows(
    claims: Sequence[Claim],
    rows: Sequence[VerdictRow],
    cells: Sequence[Cell],
    protocols: Mapping[str, Protocol],
) -> list[list[str]]:
    """The table's rows, block by block (model, benchmark, metric in seed order)."""
    by_id = {c.id: c for c in claims}
    verdicts = {r.claim_id: r for r in rows}
    blocks: dict[tuple[str, str, str], list[Claim]] = {}
    for claim in claims:
        if is_reproduction(claim):
            spec = claim.spec
            blocks.setdefault((spec.model, spec.benchmark, spec.metric), []).append(claim)  # type: ignore[union-attr]
    out: list[list[str]] = []
    for (model, bench, metric), repros in blocks.items():
        key = [model, bench, metric]
        original = by_id[repros[0].spec.reproduces]  # type: ignore[union-attr,index]
        out.append(
            key
            + [
                f"DeepSeek ({original.id})",
                fmt(original.spec.value),  # type: ignore[union-attr]
                _protocol_text(protocols.get(original.protocol), bench),
                "",
            ]
        )
        for claim in repros:
            spec = claim.spec
            number = fmt(spec.value) + (f" ± {fmt(spec.spread)} (SD)" if spec.spread else "")  # type: ignore[union-attr]
            out.append(
                key
                + [
                    _source_text(claim),
                    number,
                    _protocol_text(protocols.get(claim.protocol), bench),
                    _agreement(verdicts.get(claim.id)),
                ]
            )
        for cell in cells:
            if (cell.model, cell.benchmark) != (model, bench):
                continue
            found = cell.metric(metric)
            if found is None:
                continue
            value, generalisation = found
            fixed = cell.summary["metrics"].get(metric, {}).get("ci95_fixed_set")
            interval = f"fixed set {fmt_ci(tuple(fixed))}" if fixed else fmt_ci(generalisation)
            runs = ", ".join(r.run_id for r in cell.runs)
            out.append(
                key
                + [
                    f"ours ({runs})",
                    f"{fmt(value)} {interval}",
                    f"P={cell.n_problems}, n={cell.n_samples}",
                    "",
                ]
            )
    return out


def published_section(
    claims: Sequence[Claim],
    rows: Sequence[VerdictRow],
    cells: Sequence[Cell],
    protocols: Mapping[str, Protocol],
    table,  # noqa: ANN001 - markdown.md_table
) -> str:
    """The report.md section (empty string when no reproduction is registered)."""
    body = published_rows(claims, rows, cells, protocols)
    if not body:
        return ""
    intro = (
        "DeepSeek's number, each third party's published reproduction (seeds/reproductions.yaml,"
        ' with the protocol its source states) and our runs. "Our run agrees?" is the verdict '
        "of the reproduction's value claim: TOST at the benchmark's margin δ, with that "
        "source's own n as n_pub (a source that gives an SD over seeds has it as its SE); "
        "a protocol difference in temperature, top-p or max new tokens caps it at "
        "inconclusive, as for every claim."
    )
    return "\n\n## Published numbers\n\n" + intro + "\n\n" + table(PUBLISHED_HEADERS, body) + "\n"
