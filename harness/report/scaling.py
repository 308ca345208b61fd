"""Report sections on test-time scaling: budget curves, length vs correctness, AIME 2024 → 2025.

Each section is present when runs allow it and otherwise says why it is absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.report.budget import absent_reasons, curve_of
from harness.report.lengths import LENGTH_HEADERS, length_figure, length_rows
from harness.report.plots import Figure, _ci_err, _save, plt
from harness.report.pooling import Cell
from harness.report.post_release import AFTER, BEFORE, CAVEAT, POST_HEADERS, post_release_rows
from harness.report.runs import Run

SCALING_KINDS = ("budget", "length_correctness")  # figures shown in these sections


def budget_figures(runs: Sequence[Run], out: Path) -> list[Figure]:
    """One figure per benchmark: pass@1 against the token budget, one line per model run."""
    import matplotlib.ticker

    figures = []
    with_curve = [(r, c) for r in runs if (c := curve_of(r)) is not None]
    for bench in sorted({r.benchmark for r, _ in with_curve}):
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        for i, (run, curve) in enumerate((r, c) for r, c in with_curve if r.benchmark == bench):
            pts = curve["points"]
            xs = [p["budget"] for p in pts]
            ys = [p["pass@1"]["value"] for p in pts]
            cis = [tuple(p["pass@1"]["ci95"]) for p in pts]
            label = f"{run.model} (n={run.n_samples}; {curve.get('exactness', '?')})"
            ax.errorbar(xs, ys, yerr=_ci_err(ys, cis), marker="o", capsize=3, label=label,
                        color=f"C{i % 10}")  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.set_xlabel("token budget B (generated tokens, log2)")
        ax.set_ylabel("pass@1 at B (percent)")
        ax.set_title(f"{bench}: pass@1 against the thinking budget")
        ax.legend(fontsize=7)
        name = _save(fig, out, f"budget_{bench}.png")
        figures.append(Figure(f"{bench}: pass@1 against the token budget", name, "budget"))
    return figures


def length_figures(cells: Sequence[Cell], out: Path) -> list[Figure]:
    """One figure per cell: mean length of correct and wrong samples per level."""
    figures = []
    for i, cell in enumerate(cells):
        fig = length_figure(cell)
        if fig is not None:
            name = _save(fig, out, f"length_correct_{cell.model}_{cell.benchmark}_{i}.png")
            title = f"{cell.model} on {cell.benchmark}: length of correct vs wrong responses"
            figures.append(Figure(title, name, "length_correctness"))
    return figures


def scaling_figures(cells: Sequence[Cell], runs: Sequence[Run], out: Path) -> list[Figure]:
    """Every figure of this module."""
    return budget_figures(runs, out) + length_figures(cells, out)


def _links(figures: Sequence[Figure], kind: str) -> list[str]:
    return [f"![{f.title}]({f.file})" for f in figures if f.kind == kind]


def scaling_sections(
    cells: Sequence[Cell], runs: Sequence[Run], figures: Sequence[Figure], settings: Any, table: Any
) -> list[str]:
    """Markdown parts; ``table`` renders (headers, rows) as a Markdown table."""
    parts = ["## Test-time scaling: pass@1 against the token budget"]
    curves = [r for r in runs if curve_of(r) is not None]
    if curves:
        parts.append(
            "Each run's samples cut at B tokens with its own tokenizer and re-graded (a response "
            "cut before its final answer has none); the point at the run's max_new_tokens is the "
            'run itself. "as if generated at B": greedy or vLLM seeded runs, equal to a run at '
            'B sample for sample; "as if truncated": other sampled runs.'
        )
        parts += _links(figures, "budget") or ["(figures not written: --no-plots)"]
    else:
        why = "; ".join(absent_reasons(runs)) or "no runs"
        parts.append(f"Absent: no run records a budget curve ({why}).")
    parts.append("## Length against correctness")
    rows = length_rows(cells)
    if rows:
        parts += [table(LENGTH_HEADERS, rows), *_links(figures, "length_correctness")]
    else:
        parts.append("Absent: no cell has response lengths in one unit.")
    parts.append("## Post-release check: AIME 2024 → AIME 2025")
    post = post_release_rows(cells, settings)
    if post:
        parts += [table(POST_HEADERS, post), CAVEAT]
    else:
        parts.append(
            f"Absent: no model was run on both {BEFORE} and {AFTER} "
            f"(run `harness-eval -m benchmark={BEFORE},{AFTER}`). {CAVEAT}"
        )
    return parts
