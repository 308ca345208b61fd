"""The report's side-by-side table of behaviour-probe runs (hosted next to open weights)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.report.behaviour import is_behaviour_run
from harness.report.runs import Run

REFUSAL_COLUMNS = ("refusal_rate", "control_refusal_rate", "refusal_gap", "neutral_refusal_rate")
IDENTITY_ORGS = ("openai", "deepseek", "qwen", "meta", "anthropic", "none")


def _cell(entry: Any) -> str:
    if not isinstance(entry, dict) or "value" not in entry:
        return "–"
    lo, hi = entry["ci95"]
    return f"{entry['value']:.1f} [{lo:.1f}, {hi:.1f}]"


def _who(run: Run) -> list[str]:
    backend = (run.config.get("backend") or {}).get("name", "?")
    n = f"{run.samples.shape[0]} × {run.samples.shape[1]}"
    return [run.model, backend, run.run_id, n]


def behaviour_section(runs: Sequence[Run]) -> str:
    """Markdown: one table per probe set, one row per run (empty string when there are none).

    Values are percent with fixed-set 95 % intervals (``harness/metrics/behaviour.py``).
    """
    mine = sorted((r for r in runs if is_behaviour_run(r)), key=lambda r: (r.benchmark, r.model))
    if not mine:
        return ""
    lines = ["## Behaviour probes", ""]
    lines.append(
        "Percent, with fixed-set 95 % intervals (this probe set; only the samples are random). "
        "`refusal_gap` = sensitive − matched control, paired over pairs. A hosted model "
        "(`backend=openai_api`) beside open weights shows whether refusals come from a layer on "
        "top of the model."
    )
    for bench in sorted({r.benchmark for r in mine}):
        group = [r for r in mine if r.benchmark == bench]
        identity = any(r.config["benchmark"].get("answer_type") == "identity" for r in group)
        cols = [f"identity_share.{o}" for o in IDENTITY_ORGS] if identity else REFUSAL_COLUMNS
        head = ["model", "backend", "run", "probes × samples", *cols]
        lines += ["", f"### {bench}", "", "| " + " | ".join(head) + " |"]
        lines.append("|" + "---|" * len(head))
        for r in group:
            found = r.metrics.get("metrics") or {}
            lines.append("| " + " | ".join(_who(r) + [_cell(found.get(c)) for c in cols]) + " |")
    return "\n".join(lines) + "\n"
