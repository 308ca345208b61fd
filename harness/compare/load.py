"""Read one finished run directory item by item: every sample's text, finish reason and verdict.

A run is read only once ``harness/store/verify.py`` has checked every file ``complete.json``
lists against its sha256; a damaged file is refused with one line naming it and the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError
from harness.grading.convention import Convention
from harness.store.results import CONFIG, PROVENANCE, SAMPLES
from harness.store.verify import RunFileError, verify_run


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
    try:
        verify_run(run_dir, needed=(CONFIG, SAMPLES))
    except RunFileError as exc:
        raise CompareError(f"{exc}; compare finished, unchanged runs only") from exc
    config = _config(run_dir / CONFIG)
    items, order, tool_rows = _samples(run_dir / SAMPLES)
    if not items:
        raise CompareError(f"{run_dir / SAMPLES} holds no samples; the file is damaged")
    _check_even(run_dir / SAMPLES, items, order)
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


def _check_even(path: Path, items: dict[tuple[str, int], Any], order: dict[str, None]) -> None:
    """A run holds samples 0..n−1 of every problem, for one n; else the file is damaged."""
    indices: dict[str, list[int]] = {}
    for p, j in items:
        indices.setdefault(p, []).append(j)
    n = max(len(v) for v in indices.values())
    bad = next((p for p in order if sorted(indices[p]) != list(range(n))), None)
    if bad is not None:
        raise CompareError(
            f"{path}: problem {bad!r} has sample indices {sorted(indices[bad])[:8]}, but every "
            f"problem needs 0..{n - 1}; the file is damaged"
        )


def _origin(run_dir: Path) -> dict[str, Any]:
    """``provenance.json``'s ``backend.origin`` (what an imported log said of itself), or {}."""
    try:
        facts = json.loads((run_dir / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    backend = facts.get("backend") if isinstance(facts, dict) else None
    return (backend.get("origin") if isinstance(backend, dict) else None) or {}


def _config(path: Path) -> dict[str, Any]:
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CompareError(f"{path}: not a readable YAML file ({type(exc).__name__})") from exc
    if not isinstance(config, dict):
        raise CompareError(f"{path}:1: not a config mapping; the file is damaged")
    for key in ("model", "benchmark", "grading"):  # the sections compare reads
        if not isinstance(config.get(key) or {}, dict):
            raise CompareError(f"{path}: {key} is not a mapping; the file is damaged")
    return config


def _samples(
    path: Path,
) -> tuple[dict[tuple[str, int], Item], dict[str, None], list[dict[str, Any]]]:
    """samples.jsonl's items, its problems in first-appearance order, and its tool-verdict rows.

    The last are the rows that hold an imported log's own verdict (``compare.tool``).
    """
    items: dict[tuple[str, int], Item] = {}
    order: dict[str, None] = {}
    tool_rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    pid = str(row["problem_id"])
                    key = (pid, int(row["sample_index"]))
                    item = _item(row)
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    raise CompareError(
                        f"{path}:{number}: not a sample row ({type(exc).__name__}: {exc}); "
                        "the file is damaged, re-run the evaluation into a new run_id"
                    ) from exc
                if row.get("tool_verdict"):
                    tool_rows.append(row)
                order.setdefault(pid, None)
                items[key] = item
    except UnicodeDecodeError as exc:
        raise CompareError(f"{path}: not UTF-8 (byte {exc.start}); the file is damaged") from exc
    return items, order, tool_rows
