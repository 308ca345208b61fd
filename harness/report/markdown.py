"""Render report.md from the cells, verdict rows and figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from harness.report.plots import Figure
from harness.report.pooling import Cell
from harness.report.rules import VERDICTS
from harness.report.runs import Run
from harness.report.scaling import SCALING_KINDS, scaling_sections
from harness.report.tables import (
    ACCOUNTING_HEADERS,
    CLAIM_HEADERS,
    PROVENANCE_HEADERS,
    RESULT_HEADERS,
    SPREAD_HEADERS,
    accounting_rows,
    claim_rows,
    pivot,
    provenance_rows,
    result_rows,
    spread_rows,
)
from harness.report.verdicts import Settings, VerdictRow

VERDICT_ORDER = VERDICTS


def _escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; pipes inside cells are escaped."""
    lines = ["| " + " | ".join(_escape(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines.extend("| " + " | ".join(_escape(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def _relevant(rows: Sequence[VerdictRow], cells: Sequence[Cell]) -> list[VerdictRow]:
    """Rows measured, or about a model that was run (so a reader sees why it was not measured)."""
    models = {c.model for c in cells}
    return [
        r
        for r in rows
        if r.verdict != "not measured" or any(m in models for m in str(r.model).split(" vs "))
    ]


def render(
    cells: Sequence[Cell],
    runs: Sequence[Run],
    rows: Sequence[VerdictRow],
    figures: Sequence[Figure],
    settings: Settings,
    *,
    inputs: Sequence[str],
    warnings: Sequence[str] = (),
) -> str:
    """The whole report.md text."""
    counts = Counter(r.verdict for r in rows)
    shown = _relevant(rows, cells)
    headers, pivot_rows = pivot(cells)
    parts = [
        "# r1-harness report",
        f"Inputs: {', '.join(f'`{i}`' for i in inputs)} — {len(runs)} runs, {len(cells)} cells.",
        (
            "Two intervals answer two questions (Miller 2024, arXiv 2411.00640). Fixed set: these "
            "problems, only the samples random; the verdicts use it. Generalisation: problems "
            f"resampled (percentile bootstrap, {settings.resamples} resamples, seed "
            f"{settings.seed}); shown for reference. Value claims: D = measured − claimed, "
            "supported when its 90 % interval lies inside (−δ, δ) (TOST, Schuirmann 1987), "
            "refuted when its 95 % interval lies wholly outside [−δ, δ], underpowered when "
            "undecided and a true D = 0 would be supported with under 80 % power (δ/SE < 2.926; "
            "one-sided tests 2.802); δ from seeds/margins.yaml. Comparisons: D = a − b; "
            "'beats' needs the 95 % interval above 0, 'matches or beats' above −δ, 'comparable' "
            "is two-sided equivalence. A cited number adds its own sampling variance at its "
            "protocol's n (n_pub), its bound taken at the null. Groups: Holm 1979; across the "
            "report, Benjamini–Hochberg q-values beside each p-value. A run on part of a "
            "benchmark is not judged against a claim about all of it. MDD: minimum detectable "
            "difference at 80 % power. A temperature, top-p or max-new-tokens difference from the "
            "claim's protocol caps a verdict at inconclusive; an n difference is flagged"
            + (" and caps it too (--strict-protocol)." if settings.strict_protocol else ".")
        ),
    ]
    if warnings:
        parts.append("Warnings:\n" + "\n".join(f"- {w}" for w in warnings))
    parts += [
        "## Results: models × benchmarks (pass@1)",
        "Each value: `value [generalisation 95 % CI] fixed set [fixed-set 95 % CI]`.",
        md_table(headers, pivot_rows),
        "## Results per cell",
        "Truncation, missing answers and grader disagreement are shares of samples in the cell; "
        'they affect the numbers in the same row. "No answer" counts every sample whose '
        "verdict holds no answer, whatever the reason (the truncated ones included), in math and "
        'probe runs alike. "Unclosed / missed / looping" are counts of samples: reasoning '
        "never closed with `</think>`; no answer extracted though the final section holds a box "
        'or a closing "answer is …"; the response ends in an exact repetition.',
        md_table(RESULT_HEADERS, result_rows(cells)),
    ]
    spread = spread_rows(cells)
    if spread:
        parts += [
            "## Pooled runs: spread across runs",
            "Runs of one cell with the same sampling and the same problems are pooled (samples "
            "concatenated per problem, so n adds up; metrics recomputed from the pooled matrix).",
            md_table(SPREAD_HEADERS, spread),
        ]
    summary = ", ".join(f"{counts.get(v, 0)} {v}" for v in VERDICT_ORDER)
    parts += [
        "## Claims",
        f"{len(rows)} claims: {summary}. The table lists the claims about models that were run; "
        f"the other {len(rows) - len(shown)} are in verdicts.json (all not measured).",
        md_table(CLAIM_HEADERS, claim_rows(shown)),
        "## Provenance",
        md_table(PROVENANCE_HEADERS, provenance_rows(runs)),
        "## Accounting",
        md_table(ACCOUNTING_HEADERS, accounting_rows(runs)),
    ]
    parts += scaling_sections(cells, runs, figures, settings, md_table)
    figures = [f for f in figures if f.kind not in SCALING_KINDS]
    if figures:
        parts.append("## Figures")
        parts += [f"### {f.title}\n\n![{f.title}]({f.file})" for f in figures]
    return "\n\n".join(parts) + "\n"
