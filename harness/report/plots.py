"""Report figures (matplotlib, Agg backend, PNG files next to report.md).

- ``claimed_vs_measured_<benchmark>.png``: each value claim's claimed number against the measured
  value with its 95 % interval;
- ``passk_<model>.png``: pass@k against k per benchmark, with intervals;
- ``length_<model>_<benchmark>.png``: mean response length by MATH level, with intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")  # files only; no display on servers or in CI

import matplotlib.pyplot as plt  # noqa: E402

from harness.report.judge_other import cell_trend  # noqa: E402
from harness.report.pooling import Cell  # noqa: E402
from harness.report.verdicts import Settings, VerdictRow  # noqa: E402
from harness.store.run_dir import plain_name  # noqa: E402

DPI = 110  # ~700 px wide figures: readable in a Markdown viewer, a few tens of kB each


@dataclass(frozen=True)
class Figure:
    """A written figure: what it shows and its file (relative to the report folder)."""

    title: str
    file: str
    kind: str


def _save(fig: plt.Figure, out: Path, name: str) -> str:
    name = plain_name(name)  # model.name=org/name must not nest folders
    fig.tight_layout()
    fig.savefig(out / name, dpi=DPI)
    plt.close(fig)
    return name


def _ci_err(values: Sequence[float], cis: Sequence[tuple[float, float]]) -> list[list[float]]:
    return [
        [max(v - lo, 0.0) for v, (lo, _) in zip(values, cis, strict=True)],
        [max(hi - v, 0.0) for v, (_, hi) in zip(values, cis, strict=True)],
    ]


def claimed_vs_measured(rows: Sequence[VerdictRow], out: Path) -> list[Figure]:
    """One figure per benchmark with at least one measured value claim."""
    figures = []
    measured = [r for r in rows if r.kind == "value" and r.measured is not None and r.measured_ci95]
    for bench in sorted({r.benchmark for r in measured if r.benchmark}):
        sel = [r for r in measured if r.benchmark == bench]
        fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(sel) + 2), 3.6))
        x = list(range(len(sel)))
        values = [float(r.measured) for r in sel]  # type: ignore[arg-type]
        ax.errorbar(
            x,
            values,
            yerr=_ci_err(values, [r.measured_ci95 for r in sel]),  # type: ignore[misc]
            fmt="o",
            capsize=4,
            label="measured (95 % fixed-set CI)",
        )
        ax.scatter(
            x,
            [float(r.claimed) for r in sel],
            marker="x",
            s=60,
            color="C3",
            zorder=3,
            label="claimed",
        )
        ax.set_xticks(x, [f"{r.model}\n{r.metric}\n{r.verdict}" for r in sel], fontsize=7)
        ax.set_ylabel("percent")
        ax.set_title(f"{bench}: claimed vs measured")
        ax.legend(fontsize=7)
        name = _save(fig, out, f"claimed_vs_measured_{bench}.png")
        figures.append(Figure(f"{bench}: claimed vs measured", name, "claims"))
    return figures


def passk_curves(cells: Sequence[Cell], out: Path) -> list[Figure]:
    """One figure per model: pass@k against k for each of its cells."""
    figures = []
    for model in sorted({c.model for c in cells}):
        fig, ax = plt.subplots(figsize=(5.0, 3.6))
        for i, cell in enumerate(c for c in cells if c.model == model):
            entries = [
                (int(k[5:]), e) for k, e in cell.summary["metrics"].items() if k.startswith("pass@")
            ]
            ks = [k for k, _ in entries]
            values = [e["value"] for _, e in entries]
            cis = [tuple(e["ci95"]) for _, e in entries]
            label = f"{cell.benchmark} (P={cell.n_problems}, n={cell.n_samples})"
            ax.errorbar(
                ks,
                values,
                yerr=_ci_err(values, cis),
                marker="o",
                capsize=3,
                label=label,
                color=f"C{i % 10}",
            )
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.set_xlabel("k")
        ax.set_ylabel("pass@k (percent)")
        ax.set_title(f"{model}: pass@k")
        ax.legend(fontsize=7)
        name = _save(fig, out, f"passk_{model}.png")
        figures.append(Figure(f"{model}: pass@k", name, "passk"))
    return figures


def length_by_level(cells: Sequence[Cell], out: Path, settings: Settings) -> list[Figure]:
    """One figure per cell whose problems have levels: mean response length per level."""
    figures = []
    for cell in cells:
        try:
            trend, unit = cell_trend(cell, "response_length", settings)
        except ValueError:
            continue  # no levels (AIME, GPQA) or the source cannot be read back
        fig, ax = plt.subplots(figsize=(5.0, 3.6))
        ax.errorbar(
            trend.levels, trend.means, yerr=_ci_err(trend.means, trend.ci95), marker="o", capsize=4
        )
        ax.set_xticks(trend.levels)
        ax.set_xlabel("level")
        ax.set_ylabel(f"mean response length ({unit})")
        ax.set_title(f"{cell.model} on {cell.benchmark}: slope {trend.slope:.3g} {unit}/level")
        name = _save(fig, out, f"length_{cell.model}_{cell.benchmark}_{len(figures)}.png")
        figures.append(Figure(f"{cell.model} on {cell.benchmark}: length by level", name, "length"))
    return figures


def write_figures(
    cells: Sequence[Cell], rows: Sequence[VerdictRow], out: Path, settings: Settings
) -> list[Figure]:
    """Write every figure into ``out`` and return them in report order."""
    out.mkdir(parents=True, exist_ok=True)
    return (
        claimed_vs_measured(rows, out)
        + passk_curves(cells, out)
        + length_by_level(cells, out, settings)
    )
