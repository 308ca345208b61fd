"""``backend.format=jsonl``: any JSON Lines log, one object per problem or per sample.

Where each value sits is given by ``backend.fields.*`` (dots reach nested keys, e.g.
``fields.response=output.text``). A list-valued response field (a ``generated_responses`` list, say)
expands to samples 0..k−1 of that problem, with a list-valued
finish reason aligned to it; a path through a list maps over it (``outputs.text`` and
``outputs.finish_reason`` of a vLLM dump, ``choices.message.content`` of an API response).
Integer ids are read as strings. Model and sampling fields a row carries (``model``,
``temperature``, ``top_p``, ``max_tokens``, ``seed``, …) go to provenance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat
from harness.backends.importers.lines import jsonl_lines
from harness.backends.importers.rows import (
    ImportedLog,
    LogImportError,
    LogRow,
    distinct,
    finish_reason,
)

# Row keys that describe how the log was made, recorded as they are (the common spellings of
# OpenAI-style request logs and of open-r1/SkyThought/evalchemy outputs).
ORIGIN_KEYS = (
    "model", "model_name", "model_id", "temperature", "top_p", "top_k", "max_tokens",
    "max_new_tokens", "max_completion_tokens", "seed", "n",
)  # fmt: skip
_MISSING = object()


def lookup(row: Any, dotted: str) -> Any:
    """The value at a dotted path; a sentinel when any part is missing.

    ``"a.b"`` is ``row["a"]["b"]``; a number indexes a list (``"choices.0.text"``); a name applied
    to a list maps over its elements, so ``"outputs.text"`` of a vLLM ``RequestOutput`` dump or
    ``"choices.message.content"`` of an OpenAI response gives one value per sample.
    """
    return _lookup(row, dotted.split("."))


def _lookup(node: Any, parts: list[str]) -> Any:
    if not parts:
        return node
    head, rest = parts[0], parts[1:]
    if isinstance(node, list):
        if head.isdigit():
            return _lookup(node[int(head)], rest) if int(head) < len(node) else _MISSING
        values = [_lookup(element, parts) for element in node]
        return _MISSING if any(v is _MISSING for v in values) else values
    if isinstance(node, Mapping) and head in node:
        return _lookup(node[head], rest)
    return _MISSING


def _text(value: Any) -> str | None:
    return None if value is _MISSING or value is None else str(value)


def _rows_of(lineno: int, row: Mapping[str, Any], fields: Mapping[str, str]) -> list[LogRow]:
    where = f"line {lineno}"
    resp = lookup(row, fields["response"])
    if resp is _MISSING:
        raise LogImportError(
            f"{where}: no field {fields['response']!r} (keys: {', '.join(sorted(row))}); "
            "name the response field with backend.fields.response=…"
        )
    texts = resp if isinstance(resp, list) else [resp]
    if not all(isinstance(t, str) for t in texts):
        raise LogImportError(f"{where}: field {fields['response']!r} must be a string or strings")
    raw_finish = lookup(row, fields["finish_reason"])
    raw_finish = None if raw_finish is _MISSING else raw_finish
    if isinstance(raw_finish, list):
        if len(raw_finish) != len(texts):
            raise LogImportError(
                f"{where}: {len(raw_finish)} finish reasons for {len(texts)} responses"
            )
        finishes = [finish_reason(f, where) for f in raw_finish]
    else:
        finishes = [finish_reason(raw_finish, where)] * len(texts)
    pid = lookup(row, fields["problem_id"])
    if pid not in (_MISSING, None) and (isinstance(pid, bool) or not isinstance(pid, str | int)):
        raise LogImportError(f"{where}: problem id {pid!r} must be a string or an integer")
    idx = lookup(row, fields["sample_index"])
    if isinstance(resp, list) and idx not in (_MISSING, None):
        raise LogImportError(
            f"{where}: field {fields['response']!r} is a list of {len(texts)} responses and "
            f"{fields['sample_index']!r} is {idx!r}: a list is read as samples 0..k-1 of its "
            "problem, a sample index as one sample. Give each row one response string with its "
            "sample index, or each problem one row with the list and no sample index"
        )
    if isinstance(resp, list):
        indices: list[int | None] = list(range(len(texts)))
    elif idx is _MISSING or idx is None:
        indices = [None]
    elif isinstance(idx, int) and not isinstance(idx, bool) and idx >= 0:
        indices = [idx]
    else:
        raise LogImportError(f"{where}: sample index {idx!r} must be a non-negative integer")
    problem = lookup(row, fields["problem"])
    return [
        LogRow(
            line=lineno,
            response=t,
            sample_index=j,
            finish_reason=f,
            problem_id=_text(pid),
            problem=problem if isinstance(problem, str) else None,  # text only, never a number
        )
        for t, f, j in zip(texts, finishes, indices, strict=True)
    ]


def read_jsonl_objects(path: Path, fmt: str = "jsonl") -> list[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line (decoded by ``lines.jsonl_lines``).

    Args:
        path: The JSONL file.
        fmt: The format it is read as, for messages.

    Raises:
        LogImportError: A binary or non-UTF-8 file, a line that is not a JSON object (names
            it), or a file with none.
    """
    out: list[tuple[int, dict[str, Any]]] = []
    for lineno, line in jsonl_lines(path, fmt, LogImportError):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LogImportError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise LogImportError(f"{path}:{lineno}: expected a JSON object")
        out.append((lineno, obj))
    if not out:
        raise LogImportError(f"{path} holds no rows")
    return out


def read(path: Path, fields: Mapping[str, str]) -> ImportedLog:
    """Read a generic JSONL log with the given field mapping.

    Args:
        path: The JSONL file.
        fields: ``problem_id``, ``response``, ``finish_reason``, ``problem``, ``sample_index``
            → where each is in a row.

    Returns:
        The rows and the model/sampling fields the rows carry.
    """
    objects = read_jsonl_objects(path)
    rows: list[LogRow] = []
    listed: dict[str, int] = {}  # problem → the line whose list gave its samples 0..k-1
    for lineno, obj in objects:
        got = _rows_of(lineno, obj, fields)
        key = got[0].problem_id or got[0].problem if got else None
        if key is not None and isinstance(lookup(obj, fields["response"]), list):
            if key in listed:
                raise LogImportError(
                    f"{path}: lines {listed[key]} and {lineno} both hold a list of responses for "
                    f"problem {key[:60]!r}; a list is read as all samples 0..k-1 of its problem, "
                    "so put each problem's responses in one row"
                )
            listed[key] = lineno
        rows.extend(got)
    origin: dict[str, Any] = {"fields": dict(fields)}
    for key in ORIGIN_KEYS:
        value = distinct([obj.get(key) for _, obj in objects])
        if value is not None:
            origin[key] = value
    notes = ()
    if all(r.finish_reason == "unknown" for r in rows):
        notes = (
            f"the log records no finish reason (field {fields['finish_reason']!r}): truncated "
            "responses cannot be told apart",
        )
    return ImportedLog("jsonl", tuple(rows), origin, notes)


FORMAT = LogFormat(
    name="jsonl",
    reads="any JSON Lines log, mapped with backend.fields.problem_id=…, backend.fields.response=…, "
    "backend.fields.finish_reason=…, backend.fields.problem=…",
    sniff=lambda peek: None,  # never guessed: chosen when backend.fields is set (detect)
    read=lambda path, context: read(path, context.fields),
)
