"""Replay backend: read recorded responses instead of generating them.

Re-grading saved outputs must not mean re-generating them. The file is JSON Lines, one response
per row::

    {"problem_id": str, "sample_index": int (optional), "response": str,
     "finish_reason": "stop" | "length" (optional)}

Optional extra keys ``prompt``, ``n_prompt_tokens`` and ``n_generated_tokens`` are kept; any other
key is ignored, so a run's own ``samples.jsonl`` replays as it is. Other tools' logs (lm-eval,
lighteval, any JSONL with ``backend.fields``) are read by ``harness/backends/importers/`` into the
same rows (``backend.format``); this format's reader is there too (``importers/replay_file.py``).
Every problem must have the same number of samples. Nothing is dropped silently: unknown
problems, duplicate ``(problem_id, sample_index)`` pairs, unequal sample counts and malformed rows
are errors that name the line numbers.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.backends.base import Generation, Sink
from harness.backends.importers import ImportedLog, read_log
from harness.backends.importers.match import needs_problems, resolve
from harness.backends.importers.replay_file import ReplayError, read_rows
from harness.backends.importers.rows import parse_tool_verdict
from harness.backends.importers.verify import check_task, check_values
from harness.types import Completion, Problem

_MAX_LISTED = 10  # how many offending lines an error message lists before "and N more"


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def replay(path: Path, selected: Sequence[Problem], all_ids: set[str]) -> Generation:
    """Turn a replay file into completions for the selected problems (see ``replay_rows``)."""
    return replay_rows(path, read_rows(path), selected, all_ids)


def replay_rows(
    path: Path, rows: Sequence[tuple[int, dict]], selected: Sequence[Problem], all_ids: set[str]
) -> Generation:
    """Turn replay rows into completions for the selected problems.

    Args:
        path: The file they came from (for messages).
        rows: ``(line number, row)`` pairs in the replay format.
        selected: Problems under evaluation (after ``limit``), in dataset order.
        all_ids: Every problem id of the benchmark, to tell rows outside ``limit`` from rows for
            problems that do not exist.

    Returns:
        The completions and counts.

    Raises:
        ReplayError: Unknown problem ids, duplicate pairs, unequal counts, missing problems.
    """
    wanted = {p.id for p in selected}
    by_problem: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    unknown: list[str] = []
    skipped = 0
    for lineno, row in rows:
        pid = str(row["problem_id"])
        if pid in wanted:
            by_problem[pid].append((lineno, row))
        elif pid in all_ids:
            skipped += 1
        else:
            unknown.append(f"line {lineno} ({pid!r})")
    if unknown:
        raise ReplayError(
            f"{path}: {len(unknown)} rows name problems that are not in this benchmark: "
            f"{_listing(unknown)}. Check benchmark=… and benchmark.source=…, or match rows by "
            "problem text with backend.match=problem_text (a tool's own ids are not ours)"
        )
    missing = [p.id for p in selected if p.id not in by_problem]
    if missing:
        raise ReplayError(
            f"{path}: no responses for {len(missing)} of {len(selected)} problems: "
            f"{_listing(missing)}. Use limit=… or record responses for them"
        )
    completions = {pid: _indexed(path, pid, rows) for pid, rows in by_problem.items()}
    counts = {pid: len(c) for pid, c in completions.items()}
    if len(set(counts.values())) > 1:
        modal = max(set(counts.values()), key=list(counts.values()).count)
        odd = [f"{pid} has {n}" for pid, n in counts.items() if n != modal]
        raise ReplayError(
            f"{path}: unequal sample counts: most problems have {modal} samples but "
            f"{_listing(odd)}; pass@k and cons@n need the same n for every problem"
        )
    ordered = tuple(c for p in selected for c in completions[p.id])
    return Generation(ordered, n_samples=next(iter(counts.values())), skipped_rows=skipped)


def _indexed(path: Path, pid: str, rows: list[tuple[int, dict]]) -> list[Completion]:
    """Give every row of one problem its sample index; reject duplicate indices."""
    explicit = [r.get("sample_index") is not None for _, r in rows]
    if any(explicit) and not all(explicit):
        lines = ", ".join(str(n) for n, _ in rows)
        raise ReplayError(
            f"{path}: problem {pid!r} mixes rows with and without 'sample_index' (lines {lines})"
        )
    seen: dict[int, int] = {}
    out: list[Completion] = []
    for position, (lineno, row) in enumerate(rows):
        idx = row["sample_index"] if explicit[0] else position
        if idx in seen:
            raise ReplayError(
                f"{path}: duplicate (problem_id={pid!r}, sample_index={idx}) "
                f"on lines {seen[idx]} and {lineno}"
            )
        seen[idx] = lineno
        out.append(
            Completion(
                problem_id=pid,
                sample_index=idx,
                response=row["response"],
                finish_reason=row.get("finish_reason") or "unknown",
                prompt=row.get("prompt"),
                n_prompt_tokens=row.get("n_prompt_tokens"),
                n_generated_tokens=row.get("n_generated_tokens"),
                tool_verdict=parse_tool_verdict(row.get("tool_verdict")),
            )
        )
    out.sort(key=lambda c: c.sample_index)
    if [c.sample_index for c in out] != list(range(len(out))):
        got = [c.sample_index for c in out][:_MAX_LISTED]
        raise ReplayError(
            f"{path}: problem {pid!r} has sample indices {got}; they must run 0..{len(out) - 1}"
        )
    return out


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def deliver(completions: Sequence[Completion], sink: Sink, pace: float | None) -> None:
    """Hand completions to ``sink`` in order; with ``pace``, the k-th at ``k / pace`` seconds."""
    start = time.perf_counter()
    for k, completion in enumerate(completions, start=1):
        if pace is not None:
            wait = start + k / pace - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        sink(completion)


class ReplayBackend:
    """``backend=replay``: completions come from a recorded log (``backend.format``).

    ``backend.pace`` (completions per second) is a testing and benchmark knob: the completions
    reach the sink at that rate, as a generating backend's would, so grading while generating
    can be measured without a model (``benchmarks/bench_tail.py``).
    """

    replays = True  # the sink only grades: the file already persists every completion

    def __init__(
        self,
        path: str | None,
        name: str = "replay",
        format: str = "auto",  # noqa: A002 - the config key users write
        fields: Mapping[str, str] | None = None,
        match: str = "id",
        pace: float | None = None,
        **context: Any,
    ) -> None:
        if not path:
            raise ReplayError(
                "backend=replay needs a file: add backend.path=FILE.jsonl (or FILE.parquet)"
            )
        self.path = Path(path).expanduser()
        self.name = name
        self.format = format
        self.fields = {str(k): str(v) for k, v in (fields or {}).items() if v is not None}
        self.match = match
        if pace is not None and not float(pace) > 0:
            raise ReplayError(f"backend.pace={pace}: give completions per second > 0, or null")
        self.pace = None if pace is None else float(pace)
        self.benchmark = context.get("benchmark")
        self.imported: ImportedLog | None = None
        self._digest: str | None = None
        self.chosen_by = ""
        self.notes: list[str] = []  # the log's, and how its rows were matched and checked

    def _keys(self, attr: str) -> list[str]:
        """Benchmark fields an lm-eval document may hold (its id or problem text field)."""
        value = getattr(self.benchmark, attr, None) if self.benchmark is not None else None
        if value is None:
            return []
        return [str(value)] if isinstance(value, str) else [str(v) for v in value]

    def _rows(self) -> list[tuple[int, dict]]:
        """Read the log and give each row its problem id."""
        self.imported, self.chosen_by = read_log(
            self.path,
            self.format,
            self.fields,
            id_keys=self._keys("id_field"),
            text_keys=self._keys("problem_fields"),
            benchmark=self.benchmark,
        )
        check_values(self.path, self.imported)
        task_note = check_task(self.path, self.imported, self.benchmark)
        rows = self.imported.rows
        everything = None
        if needs_problems(rows, self.match) and self.benchmark is not None:
            from harness.data.loader import load_benchmark  # the full list, in dataset order

            everything, _ = load_benchmark(self.benchmark, limit=None)
        matched = resolve(self.path, rows, self.match, everything)
        self.notes = [*self.imported.notes, *([task_note] if task_note else []), *matched.notes]
        return matched.rows

    def generate(
        self,
        problems: Sequence[Problem],
        *,
        all_ids: set[str],
        n: int,
        done: Mapping[tuple[str, int], Completion] | None = None,
        sink: Sink | None = None,
    ) -> Generation:
        """Read the recorded completions for ``problems`` and hand each to ``sink``.

        ``done`` is unused: replaying is cheap. The file already persists the completions, so
        the pipeline's sink for a replay (``replays = True``) grades them without logging them.
        With ``pace`` set, the sink gets them at that rate, as from a generating backend.

        Args:
            problems: Problems under evaluation.
            all_ids: Every id in the benchmark.
            n: The configured samples per problem (``sampling.n``); the file must match it.
            done: Unused.
            sink: Called with every completion, in order (paced when ``pace`` is set).

        Returns:
            The completions; the log's notes (e.g. no finish reasons, rows matched by position
            alone, a task name no benchmark config knows) in ``stats["notes"]``.

        Raises:
            ReplayError: On any problem with the file, or when its sample count is not ``n``.
        """
        result = replay_rows(self.path, self._rows(), problems, all_ids)
        self._digest = file_sha256(self.path)  # here, not in the run's tail (provenance)
        if result.n_samples != n:
            raise ReplayError(
                f"{self.path} holds {result.n_samples} samples per problem but sampling.n={n}; "
                f"add sampling.n={result.n_samples} so the run records the protocol it used"
            )
        notes = list(self.notes)
        if sink is not None:
            deliver(result.completions, sink, self.pace)
        stats: dict[str, Any] = {"notes": notes} if notes else {}
        if self.pace is not None:
            stats["paced_completions_per_s"] = self.pace
        return Generation(
            result.completions,
            n_samples=result.n_samples,
            skipped_rows=result.skipped_rows,
            stats=stats,
        )

    def provenance(self) -> dict[str, Any]:
        """Which file was replayed (path, sha256), read as which format, and its origin.

        ``origin`` holds only what the log itself says (tool, model, sampling fields).
        """
        digest = self._digest or file_sha256(self.path)
        facts: dict[str, Any] = {"path": str(self.path.resolve()), "sha256": digest}
        if self.imported is not None:
            facts["format"] = self.imported.format
            facts["format_chosen_by"] = self.chosen_by
            facts["match"] = self.match
            facts["origin"] = dict(self.imported.origin)
        return facts
