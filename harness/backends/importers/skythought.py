"""``backend.format=skythought``: the ``results.json`` that ``skythought evaluate`` writes.

Writer: NovaSky-AI/SkyThought at commit 0d190f11 (package ``skythought`` 0.1.0,
``pyproject.toml``; not installable from this machine's package index).
``skythought/evals/inference_and_check.py`` writes ``results.json`` (``json.dumps(id_to_results,
indent=4)``) in ``<result_dir>/<model>_<task>_<hash>/``: one object keyed by the row's
``_index`` (the dataset row index as a string; ``skythought/evals/tasks/base.py``), each value the
dataset row (``problem``, ``answer``, ``id``, … as the task's data set has them) plus ``prompt``,
``input_conversation``, ``responses`` (one ``SingleParsedResponse`` per sample,
``skythought/evals/util/response.py``: ``content`` = the stripped text, ``correctness`` = the
task handler's verdict, kept beside ours, ``reason``) and ``token_usages`` (per sample:
``completion_tokens``, ``prompt_tokens``). ``summary.json`` beside it
(``skythought/evals/util/results.py``, ``SummaryResults``) holds ``configuration`` (``task``,
``model``, ``backend``, ``sampling_params``), ``accuracy`` and ``pass_at_k``.

SkyThought records no finish reason. Where ``summary.json`` gives ``sampling_params.max_tokens``,
a sample whose ``completion_tokens`` reach it is taken as truncated ("length") and a shorter one as
"stop"; otherwise every sample is "unknown". Problems are matched by the benchmark's id field
when the record holds it (SkyThought's AIME 2024 rows carry the ids 60..89 we use), else by
problem text with ``backend.match=problem_text``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek, ReadContext
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow
from harness.backends.importers.tool_rows import (
    compact,
    finish_by_tokens,
    first_id,
    text_of,
    think_notes,
)
from harness.types import ToolVerdict


def looks_like(document: Any) -> bool:
    """True for SkyThought's results document (records with a ``responses`` list of contents)."""
    if not isinstance(document, Mapping) or not document:
        return False
    record = next(iter(document.values()))
    responses = record.get("responses") if isinstance(record, Mapping) else None
    return (
        isinstance(responses, list)
        and bool(responses)
        and all(isinstance(r, Mapping) and "content" in r for r in responses)
    )


def _summary(path: Path) -> dict[str, Any]:
    summary = path.with_name("summary.json")
    if not summary.is_file():
        return {}
    try:
        data = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _verdict(response: Mapping[str, Any]) -> ToolVerdict | None:
    correct = response.get("correctness")
    if not isinstance(correct, bool):
        return None
    return ToolVerdict(
        tool="skythought", correct=correct, score=float(correct), metric="correctness"
    )


def read(path: Path, context: ReadContext) -> ImportedLog:
    """Read SkyThought's ``results.json`` (and ``summary.json`` beside it).

    Raises:
        LogImportError: The file is not SkyThought's results document (names the record).
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LogImportError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not looks_like(document):
        raise LogImportError(
            f"{path} is not SkyThought's results.json (an object of records with 'responses')"
        )
    summary = _summary(path)
    config = summary.get("configuration") or {}
    sampling = config.get("sampling_params") or {}
    limit = sampling.get("max_tokens")
    ids = [context.fields.get("problem_id", "problem_id"), *context.id_keys]
    texts = [context.fields.get("problem", "problem"), *context.text_keys, "problem", "question"]
    rows: list[LogRow] = []
    for number, (key, record) in enumerate(document.items(), start=1):
        responses = record.get("responses") if isinstance(record, Mapping) else None
        if not isinstance(responses, list) or not all(
            isinstance(r, Mapping) and isinstance(r.get("content"), str) for r in responses
        ):
            raise LogImportError(f"{path}: record {key!r} has no 'responses' with 'content' texts")
        usages = record.get("token_usages") or []
        prompt = record.get("prompt") if isinstance(record.get("prompt"), str) else None
        for j, response in enumerate(responses):
            usage = usages[j] if j < len(usages) and isinstance(usages[j], Mapping) else {}
            tokens = usage.get("completion_tokens")
            rows.append(
                LogRow(
                    line=number,
                    response=response["content"],
                    sample_index=j,
                    finish_reason=finish_by_tokens(tokens, limit),
                    problem_id=first_id(record, ids),
                    problem=text_of(record, texts),
                    prompt=prompt,
                    n_prompt_tokens=usage.get("prompt_tokens")
                    if isinstance(usage.get("prompt_tokens"), int)
                    else None,
                    n_generated_tokens=tokens if isinstance(tokens, int) else None,
                    tool_verdict=_verdict(response),
                )
            )
    model, task = config.get("model") or {}, config.get("task") or {}
    origin = compact(
        {
            "tool": "skythought",
            "task": task.get("name"),
            "model": model.get("name"),
            "backend": (config.get("backend") or {}).get("name"),
            "sampling_params": sampling,
            "tool_score": compact(
                {"accuracy": summary.get("accuracy"), "pass_at_k": summary.get("pass_at_k")}
            ),
            "summary_file": "summary.json" if summary else None,
        }
    )
    notes = think_notes(rows)
    if any(r.finish_reason == "unknown" for r in rows):
        notes += (
            "SkyThought records no finish reason and no summary.json max_tokens was found: "
            "truncated responses cannot be told apart",
        )
    else:
        notes += (
            "finish reasons inferred: a sample whose completion_tokens reach summary.json's "
            "max_tokens is taken as truncated (SkyThought records no finish reason)",
        )
    return ImportedLog("skythought", tuple(rows), origin, notes)


def sniff(peek: Peek) -> str | None:
    """A ``.json`` document of records holding ``responses`` lists is SkyThought's."""
    if looks_like(peek.document):
        return "a JSON object of records with responses[].content (SkyThought results.json)"
    return None


FORMAT = LogFormat(
    name="skythought",
    reads="SkyThought's results.json (records with responses[].content/correctness; "
    "summary.json beside it)",
    sniff=sniff,
    read=read,
    tool="skythought",
)
