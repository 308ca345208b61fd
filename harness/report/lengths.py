"""Length against correctness per cell and MATH level: the "overthinking" signature.

For each cell (and each difficulty level where the benchmark has levels): the mean response
length of correct and of wrong samples, the share of the token budget used (mean length /
``max_new_tokens``, token counts only) and the share of samples cut by the budget. Plain sample
means over the cell's samples; no interval (they describe the samples, they estimate nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.report.pooling import Cell
from harness.report.trend import problem_levels

LENGTH_HEADERS = [
    "model", "benchmark", "level", "problems", "samples", "unit", "mean length correct (n)",
    "mean length wrong (n)", "budget used", "truncated",
]  # fmt: skip


def _mean(values: np.ndarray) -> str:
    return f"{values.mean():.0f} ({values.size})" if values.size else f"– ({values.size})"


def _levels(cell: Cell) -> dict[str, int] | None:
    try:
        return problem_levels(cell.runs[0])
    except ValueError:
        return None


def _groups(cell: Cell) -> list[tuple[str, np.ndarray]]:
    """("all", every row), then one row mask per level when the benchmark has levels."""
    rows = np.ones(cell.n_problems, dtype=bool)
    out = [("all", rows)]
    levels = _levels(cell)
    if levels:
        ids = cell.samples.problem_ids
        for lv in sorted({levels[p] for p in ids if p in levels}):
            out.append((str(lv), np.array([levels.get(p) == lv for p in ids])))
    return out


def length_rows(cells: Sequence[Cell]) -> list[list[str]]:
    """One row per cell and level (cells without comparable lengths are left out)."""
    out = []
    for cell in cells:
        s = cell.samples
        if s.lengths is None:
            continue
        limit = cell.sampling.max_new_tokens
        for level, mask in _groups(cell):
            lengths, correct = s.lengths[mask], s.correct[mask]
            used = "–"
            if s.length_unit == "tokens" and limit:
                used = f"{100.0 * lengths.mean() / limit:.1f} % of {limit}"
            out.append([
                cell.model, cell.benchmark, level, str(int(mask.sum())), str(lengths.size),
                s.length_unit, _mean(lengths[correct]), _mean(lengths[~correct]), used,
                f"{100.0 * s.truncated[mask].mean():.1f} %",
            ])  # fmt: skip
    return out


def length_figure(cell: Cell) -> Any:
    """Bars of mean length of correct and wrong samples per level; None without lengths.

    Returns the matplotlib figure; ``plots._save`` names, writes and closes it like every other.
    """
    import matplotlib.pyplot as plt

    s = cell.samples
    if s.lengths is None:
        return None
    groups = _groups(cell)
    x = np.arange(len(groups))
    fig, ax = plt.subplots(figsize=(5.0, 3.6))
    for shift, label, want in ((-0.2, "correct", True), (0.2, "wrong", False)):
        picked = [s.lengths[m][s.correct[m] == want] for _, m in groups]
        means = [float(v.mean()) if v.size else 0.0 for v in picked]
        ax.bar(x + shift, means, width=0.4, label=label)
    ax.set_xticks(x, [g for g, _ in groups])
    ax.set_xlabel("level")
    ax.set_ylabel(f"mean response length ({s.length_unit})")
    ax.set_title(f"{cell.model} on {cell.benchmark}: length of correct vs wrong")
    ax.legend(fontsize=7)
    return fig
