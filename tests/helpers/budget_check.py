"""Compare a run's budget curve with an actual run at that budget, sample for sample."""

from __future__ import annotations

import json
from pathlib import Path

from harness.analysis.budget import cut_completion
from harness.types import Completion

KEYS = ("response", "finish_reason", "n_generated_tokens")


def rows(run: Path) -> list[dict]:
    """samples.jsonl of a run directory, in file order."""
    return [json.loads(x) for x in (run / "samples.jsonl").read_text().splitlines() if x.strip()]


def completion(row: dict) -> Completion:
    """A samples.jsonl row back as a Completion."""
    return Completion(
        problem_id=row["problem_id"],
        sample_index=row["sample_index"],
        response=row["response"],
        finish_reason=row["finish_reason"],
        n_generated_tokens=row["n_generated_tokens"],
    )


def cut_rows(long_run: Path, budget: int, tokenizer) -> dict[tuple[str, int], dict]:  # noqa: ANN001
    """Every sample of ``long_run`` cut at ``budget``: ``{(problem, sample): {KEYS…}}``."""
    out = {}
    for row in rows(long_run):
        cut = cut_completion(completion(row), budget, tokenizer)
        out[(row["problem_id"], row["sample_index"])] = {k: getattr(cut, k) for k in KEYS}
    return out


def actual_rows(run: Path) -> dict[tuple[str, int], dict]:
    """The same fields of an actual run, keyed the same way, with its verdicts."""
    return {(r["problem_id"], r["sample_index"]): {k: r[k] for k in KEYS} for r in rows(run)}


def curve_point(run: Path, budget: int) -> dict:
    """The budget-curve point at ``budget`` of a run's metrics.json."""
    curve = json.loads((run / "metrics.json").read_text())["budget_curve"]
    return next(p for p in curve["points"] if p["budget"] == budget)


def point_core(point: dict) -> dict:
    """The part of a curve point a run at that budget reports itself."""
    return {k: v for k, v in point.items() if k in ("pass@1", "truncated_pct")}


def run_point(run: Path) -> dict:
    """A run's own pass@1 (value, interval) and truncated share, shaped like a curve point."""
    m = json.loads((run / "metrics.json").read_text())
    p = m["metrics"]["pass@1"]
    return {"pass@1": {"value": p["value"], "ci95": p["ci95"]}, "truncated_pct": m["truncated_pct"]}


def split_budgets(lengths: list[int]) -> list[int]:
    """Budgets that cut some responses and not others, one equal to a response's own length
    (its EOS is then the last token allowed), and one that cuts every response."""
    ordered = sorted(set(lengths))
    assert len(ordered) >= 2, f"responses all have {ordered} tokens: no budget splits them"
    return sorted({2, ordered[len(ordered) // 2], ordered[0] - 1, ordered[-1] - 1} - {0})
