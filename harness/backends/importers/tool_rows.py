"""Helpers the per-tool readers share: table rows from parquet or JSONL, ids, the tool's score.

Kept apart from ``rows.py`` (the shapes every importer returns) because only the readers of other
tools' files need them (``nemo_skills``, ``evalchemy``, ``matharena``, ``skythought``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.backends.importers.generic import lookup, read_jsonl_objects
from harness.backends.importers.rows import LogImportError, LogRow

THINK_END = "</think>"


def table_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line or 1-based row, record)`` of a parquet file or a JSON Lines file.

    A hub data set comes as parquet shards (``datasets``' ``push_to_hub``); the same rows saved
    with ``to_json`` are JSON Lines.

    Raises:
        LogImportError: The file is neither (names it).
    """
    with path.open("rb") as handle:
        parquet = handle.read(4) == b"PAR1"
    if not parquet:
        return read_jsonl_objects(path)
    import pyarrow.parquet as pq  # a dependency of datasets

    try:
        records = pq.read_table(path).to_pylist()
    except (OSError, ValueError) as exc:
        raise LogImportError(f"{path}: not a readable parquet file ({exc})") from None
    if not records:
        raise LogImportError(f"{path} holds no rows")
    return list(enumerate(records, start=1))


def parquet_columns(path: Path) -> set[str]:
    """Column names of a parquet file (its schema only), or an empty set."""
    import pyarrow.parquet as pq

    try:
        return set(pq.read_schema(path).names)
    except (OSError, ValueError):
        return set()


def row_keys(peek: Any) -> set[str]:
    """The keys of a table log's rows as ``auto`` sees them (``base.Peek``).

    The first JSONL line's keys, else a parquet file's columns (its schema only).
    """
    have = set(peek.first or ())
    if not have and peek.head.startswith(b"PAR1"):
        have = parquet_columns(peek.path)
    return have


def decoded(value: Any) -> Any:
    """A value that a writer JSON-encoded into a string column (MathArena's lists), decoded."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def first_id(record: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    """The first of ``keys`` (dotted paths) whose value is a string or an integer, as a string."""
    for key in keys:
        value = lookup(record, key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def text_of(record: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    """The first of ``keys`` whose value is a non-empty string."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def tool_accuracy(rows: Sequence[LogRow]) -> float | None:
    """The tool's own mean verdict over the rows it judged, in percent (None: it judged none)."""
    judged = [
        r.tool_verdict.correct
        for r in rows
        if r.tool_verdict and r.tool_verdict.correct is not None
    ]
    return round(100.0 * sum(judged) / len(judged), 4) if judged else None


def think_notes(rows: Sequence[LogRow]) -> tuple[str, ...]:
    """A note when no response holds ``</think>`` (the R1 rule then grades every one unclosed)."""
    if rows and not any(THINK_END in r.response for r in rows):
        return (
            f"no response in this log holds {THINK_END}: under grading.answer_region=after_think "
            "every one is graded as an unclosed reasoning block; the tool may have dropped the "
            "reasoning or its end tag (re-grade with grading.answer_region=anywhere to compare)",
        )
    return ()


def finish_by_tokens(tokens: Any, limit: Any) -> str:
    """``length`` when the generated tokens reach the limit, ``stop`` below it, else unknown."""
    if isinstance(tokens, int) and isinstance(limit, int) and limit > 0:
        return "length" if tokens >= limit else "stop"
    return "unknown"


def compact(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping without empty values (origin records only what the log holds)."""
    return {k: v for k, v in mapping.items() if v not in (None, {}, [], "")}
