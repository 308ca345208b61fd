"""``backend.format=replay``: our own rows (``importers/replay_file.py`` reads and checks them).

A run's ``samples.jsonl`` is in this format, so re-grading a run never means re-generating it.
A row's optional ``problem`` (the problem text, as another tool's log may carry it) is checked
against the benchmark's text of its ``problem_id`` (``match.resolve``).
"""

from __future__ import annotations

from pathlib import Path

from harness.backends.importers.base import LogFormat, Peek, ReadContext
from harness.backends.importers.replay_file import read_rows
from harness.backends.importers.rows import ImportedLog, LogRow, parse_tool_verdict


def sniff(peek: Peek) -> str | None:
    """Lines with ``problem_id`` and a ``response`` string are ours."""
    first = peek.first
    if first is not None and "problem_id" in first and isinstance(first.get("response"), str):
        return "lines hold problem_id and a response string"
    return None


def read(path: Path, context: ReadContext) -> ImportedLog:
    """Read a replay file (every row checked by ``replay_file.read_rows``)."""
    rows = [
        LogRow(
            line=lineno,
            response=row["response"],
            sample_index=row.get("sample_index"),
            finish_reason=row.get("finish_reason") or "unknown",
            problem_id=str(row["problem_id"]),
            problem=row["problem"] if isinstance(row.get("problem"), str) else None,
            prompt=row.get("prompt"),
            n_prompt_tokens=row.get("n_prompt_tokens"),
            n_generated_tokens=row.get("n_generated_tokens"),
            tool_verdict=parse_tool_verdict(row.get("tool_verdict")),
        )
        for lineno, row in read_rows(path)
    ]
    return ImportedLog("replay", tuple(rows))


FORMAT = LogFormat(
    name="replay",
    reads="our own rows (a run's samples.jsonl): problem_id, sample_index, response, finish_reason",
    sniff=sniff,
    read=read,
    tool="r1-harness",
)
