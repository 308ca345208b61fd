"""Read one run directory item by item: every sample's text, finish reason and verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError
from harness.grading.convention import Convention
from harness.store.results import CONFIG, PROVENANCE, SAMPLES


class CompareError(HarnessError):
    """Two runs cannot be compared as given; the message says why and what to pass."""


@dataclass(frozen=True)
class Item:
    """One graded sample of a run, as the comparison needs it.

    Attributes:
        response: The response text.
        finish_reason: "stop", "length" or "unknown".
        correct: The primary grader's verdict.
        extracted: The primary grader's extracted answer (None: none).
        status: The primary grader's status ("ok", "truncated", "unclosed_think", …).
    """

    response: str
    finish_reason: str
    correct: bool
    extracted: str | None
    status: str


@dataclass(frozen=True)
class RunItems:
    """A run's samples keyed by ``(problem_id, sample_index)``, with how they were graded.

    Attributes:
        path: The run directory.
        run_id: Its name.
        model: ``model.name``.
        benchmark: ``benchmark.name``.
        convention: The grading convention it recorded (the R1 rule when it recorded none).
        reasoning: ``model.reasoning`` (answers read after ``</think>`` under the R1 rule).
        problem_ids: Problems in first-appearance order.
        items: The samples.
        tool_rows: The samples.jsonl rows that hold an imported log's own verdict.
        origin: ``provenance.json``'s ``backend.origin`` (what an imported log said of itself).
    """

    path: Path
    run_id: str
    model: str
    benchmark: str
    convention: Convention
    reasoning: bool
    problem_ids: tuple[str, ...]
    items: dict[tuple[str, int], Item]
    tool_rows: tuple[dict[str, Any], ...] = ()
    origin: dict[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        """Samples per problem (runs hold the same n for every problem)."""
        return len(self.items) // max(1, len(self.problem_ids))

    @property
    def answer_region(self) -> str:
        """Where answers were effectively read: a non-reasoning model is read anywhere."""
        return self.convention.answer_region if self.reasoning else "anywhere"


def _item(row: dict[str, Any]) -> Item:
    verdicts = row.get("verdicts") or {}
    primary = next(iter(verdicts.values()), {}) if verdicts else {}
    return Item(
        response=row.get("response") or "",
        finish_reason=row.get("finish_reason") or "unknown",
        correct=bool(row.get("correct")),
        extracted=row.get("extracted_answer"),
        status=str(primary.get("status") or "ok"),
    )


def load_items(run_dir: Path) -> RunItems:
    """Load a run directory written by ``harness-eval``.

    Raises:
        CompareError: It is not a finished run directory.
    """
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG).is_file() or not (run_dir / SAMPLES).is_file():
        raise CompareError(
            f"{run_dir} is not a finished run directory (it needs {CONFIG} and {SAMPLES}); "
            "pass the directory harness-eval printed as `run directory: …`"
        )
    config = yaml.safe_load((run_dir / CONFIG).read_text(encoding="utf-8")) or {}
    items: dict[tuple[str, int], Item] = {}
    order: dict[str, None] = {}
    tool_rows: list[dict[str, Any]] = []
    with (run_dir / SAMPLES).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if row.get("tool_verdict"):
                    tool_rows.append(row)
                pid = str(row["problem_id"])
                order.setdefault(pid, None)
                items[(pid, int(row["sample_index"]))] = _item(row)
    model = config.get("model") or {}
    return RunItems(
        path=run_dir,
        run_id=str(config.get("run_id") or run_dir.name),
        model=str(model.get("name")),
        benchmark=str((config.get("benchmark") or {}).get("name")),
        convention=Convention.from_config(config.get("grading") or {}),
        reasoning=bool(model.get("reasoning", True)),
        problem_ids=tuple(order),
        items=items,
        tool_rows=tuple(tool_rows),
        origin=_origin(run_dir),
    )


def _origin(run_dir: Path) -> dict[str, Any]:
    """``provenance.json``'s ``backend.origin`` (what an imported log said of itself), or {}."""
    try:
        facts = json.loads((run_dir / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return (facts.get("backend") or {}).get("origin") or {}
