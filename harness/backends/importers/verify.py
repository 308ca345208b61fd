"""Checks every imported log gets, whatever its format: its values, and the benchmark it was for.

Run by the replay backend on every ``ImportedLog`` before its rows are matched to problems
(``match.resolve`` then checks each row's problem text) and long before grading:

- **values**: token counts are non-negative integers or absent, finish reasons one of ours,
  responses strings. A bad value is an error naming its lines.
- **task**: a log that names its task (``origin["task"]``, with ``origin["tool"]``) is looked up
  in every benchmark config's ``task_names`` (``configs/benchmark/*.yaml``: each tool's names for
  that benchmark). The task of another known benchmark is refused, naming both; a task no config
  names is allowed with a note, the rows' ids and texts being what is checked then. A new format
  only fills ``origin["task"]`` and ``origin["tool"]``; a new tool's names go in the YAML files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow, listing
from harness.config.paths import config_dir

FINISH_REASONS = ("stop", "length", "content_filter", "unknown")  # harness.types.FinishReason
_TOKEN_FIELDS = ("n_prompt_tokens", "n_generated_tokens")


def _bad_values(row: LogRow) -> list[str]:
    bad = []
    for name in _TOKEN_FIELDS:
        value = getattr(row, name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            bad.append(f"{name}={value!r}")
    if row.finish_reason not in FINISH_REASONS:
        bad.append(f"finish_reason={row.finish_reason!r}")
    if not isinstance(row.response, str):
        bad.append(f"response is a {type(row.response).__name__}")
    idx = row.sample_index
    if idx is not None and (isinstance(idx, bool) or not isinstance(idx, int) or idx < 0):
        bad.append(f"sample_index={idx!r}")
    return bad


def check_values(path: Path, log: ImportedLog) -> None:
    """Refuse a log whose rows hold values the harness would misuse (module docstring).

    Raises:
        LogImportError: Names the lines and the values, and what is accepted.
    """
    found = [f"line {r.line}: {', '.join(b)}" for r in log.rows if (b := _bad_values(r))]
    if found:
        raise LogImportError(
            f"{path}: {len(found)} rows hold values that cannot be used ({listing(found)}). Token "
            "counts must be non-negative integers or absent, finish reasons one of "
            f"{', '.join(FINISH_REASONS)}, sample indices non-negative integers: fix or remove "
            "those fields"
        )


def _key(name: str) -> str:
    """Names compared without case and punctuation (``lm-eval`` = ``lm_eval``, ``Inspect-AI``)."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def task_candidates(task: str) -> set[str]:
    """The forms a logged task name is looked up under.

    The whole name, and its parts where a tool joins several: lighteval's
    ``suite|task|fewshot|truncate`` (``lighteval|math_500|0``), a registry path
    (``inspect_evals/aime2024``) or a tool prefix (``lighteval:aime24``).
    """
    parts = [task, *re.split(r"[|/]", task)]
    return {p.strip().casefold() for p in parts if p.strip() and not p.strip().isdigit()}


def catalogue(folder: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """Every benchmark config's ``task_names`` (benchmark name → tool → names)."""
    folder = folder or config_dir() / "benchmark"
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names = data.get("task_names") or {}
        if isinstance(names, Mapping):
            out[str(data.get("name", path.stem))] = {str(k): list(v) for k, v in names.items()}
    return out


@dataclass(frozen=True)
class TaskMatch:
    """What a logged task name says about the log's benchmark.

    Attributes:
        verdict: ``same`` (a name of this benchmark), ``other`` (of another known benchmark)
            or ``unknown`` (no config names it for this tool).
        benchmarks: For ``other``: the benchmarks that name it.
    """

    verdict: str
    benchmarks: tuple[str, ...] = ()


def task_match(
    tool: str, task: str, benchmark: Any, known: Mapping[str, Mapping[str, Sequence[str]]]
) -> TaskMatch:
    """Whether ``tool``'s task ``task`` is the benchmark ``benchmark`` (module docstring).

    Args:
        tool: ``origin["tool"]`` (``lm-eval``, ``lighteval``, …).
        task: ``origin["task"]``.
        benchmark: The run's benchmark config (its ``name`` and ``task_names``).
        known: ``catalogue()``: every benchmark's names, to tell another benchmark from none.
    """
    wanted = task_candidates(task)
    tool_key = _key(tool)

    def names(per_tool: Mapping[str, Sequence[str]]) -> set[str]:
        return {str(n).casefold() for t, ns in per_tool.items() if _key(t) == tool_key for n in ns}

    own = getattr(benchmark, "task_names", None) or {}
    name = str(getattr(benchmark, "name", ""))
    if wanted & names(own if isinstance(own, Mapping) else {}):
        return TaskMatch("same")
    others = tuple(b for b, per_tool in known.items() if b != name and wanted & names(per_tool))
    return TaskMatch("other", others) if others else TaskMatch("unknown")


def check_task(
    path: Path, log: ImportedLog, benchmark: Any, known: Mapping | None = None
) -> str | None:
    """Refuse a log of another benchmark; a note when its task is not a known name.

    Args:
        path: The log (for messages).
        log: The imported log (``origin["tool"]``, ``origin["task"]``).
        benchmark: The run's benchmark config, or None (then nothing is checked).
        known: Every benchmark's task names (default: ``catalogue()``).

    Returns:
        A note for the run when the task is not a name any benchmark config knows, else None.

    Raises:
        LogImportError: The task is another benchmark's (names the task and the benchmarks).
    """
    task, tool = log.origin.get("task"), log.origin.get("tool")
    if benchmark is None or not isinstance(task, str) or not task.strip():
        return None
    tool = str(tool or log.format)
    found = task_match(tool, task, benchmark, catalogue() if known is None else known)
    name = getattr(benchmark, "name", "?")
    if found.verdict == "other":
        raise LogImportError(
            f"{path}: the log's task {task!r} ({tool}) is {' or '.join(found.benchmarks)}, not "
            f"benchmark={name}: replay it with benchmark={found.benchmarks[0]} (and its "
            f"benchmark.source=…), or give the log of {name}"
        )
    if found.verdict == "unknown":
        return (
            f"the log's task {task!r} ({tool}) is not a name known for {name} (task_names in "
            f"configs/benchmark/{name}.yaml): only its rows' problem ids and texts tie it to {name}"
        )
    return None
