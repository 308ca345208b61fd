"""``backend.format=lm_eval``: the ``samples_<task>_<date>.jsonl`` that ``--log_samples`` writes.

lm-eval 0.4 writes one line per (document, filter) with ``doc_id`` (the document's index in the
task's evaluation split), ``doc`` (the dataset row), ``arguments`` (``gen_args_0.arg_0`` is the
prompt, ``arg_1`` the generation kwargs) and ``resps`` (the raw responses: a list per request,
holding the task's ``repeats``). Every filter repeats the same raw responses, so the first line of
each document is read and the responses of its requests become samples 0..k−1.

Problems are matched by id when the document holds the benchmark's id field (MATH-500's
``unique_id``) or ``backend.fields.problem_id``; else by the document's problem text (the
benchmark's problem field, else the prompt); by ``doc_id`` as the benchmark's row index only
when a line holds neither (``match.py``). The problem text, when there is one, is checked
against the matched problem's. lm-eval records no finish reason: every response
is "unknown", so a truncated response cannot be told apart (said in the run's notes). The
``results_<date>.json`` written beside the samples gives the model and generation settings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek, ReadContext
from harness.backends.importers.generic import lookup, read_jsonl_objects
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow

SAMPLES_NAME = re.compile(r"^samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[\d.-]+)\.jsonl$")
_KEYS = {"doc_id", "doc", "resps"}


def looks_like(obj: Mapping[str, Any]) -> bool:
    """True for a line of lm-eval's ``--log_samples`` output."""
    return set(obj) >= _KEYS


def _first(doc: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = lookup(doc, key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None


def _origin(path: Path) -> dict[str, Any]:
    """Task, model and generation settings from the file name and ``results_<date>.json``."""
    m = SAMPLES_NAME.match(path.name)
    origin: dict[str, Any] = {"tool": "lm-eval"}
    if not m:
        return origin
    origin["task"] = m["task"]
    results = path.with_name(f"results_{m['date']}.json")
    if not results.is_file():
        return origin
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # unreadable, not UTF-8, not JSON: no origin
        return origin
    if not isinstance(data, dict):
        return origin
    config = data.get("config") or {}
    task_cfg = (data.get("configs") or {}).get(m["task"]) or {}
    origin.update(
        {
            "results_file": results.name,
            "lm_eval_version": data.get("lm_eval_version"),
            "model": data.get("model_name"),
            "model_type": config.get("model"),
            "model_args": config.get("model_args"),
            "model_revision": config.get("model_revision"),
            "generation_kwargs": task_cfg.get("generation_kwargs"),
            "cli_gen_kwargs": config.get("gen_kwargs"),
            "repeats": task_cfg.get("repeats"),
            "num_fewshot": task_cfg.get("num_fewshot"),
            "chat_template_sha": data.get("chat_template_sha"),
        }
    )
    return {k: v for k, v in origin.items() if v not in (None, {}, "")}


def _prompt(obj: Mapping[str, Any]) -> tuple[str | None, Any]:
    args = obj.get("arguments")
    prompt, kwargs = None, None
    if isinstance(args, Mapping) and isinstance(args.get("gen_args_0"), Mapping):
        prompt, kwargs = args["gen_args_0"].get("arg_0"), args["gen_args_0"].get("arg_1")
    elif isinstance(args, list) and args and isinstance(args[0], list) and args[0]:
        prompt, kwargs = args[0][0], args[0][1] if len(args[0]) > 1 else None  # lm-eval < 0.4.3
    return (prompt if isinstance(prompt, str) else None), kwargs


def read(path: Path, id_keys: Sequence[str], text_keys: Sequence[str]) -> ImportedLog:
    """Read lm-eval's per-sample log.

    Args:
        path: A ``samples_<task>_<date>.jsonl`` file.
        id_keys: Document keys that may hold the benchmark's problem id, in order.
        text_keys: Document keys that may hold the problem text, in order.

    Returns:
        One row per response (samples in ``resps`` order), and the origin.

    Raises:
        LogImportError: A line is not lm-eval's sample shape (names it).
    """
    rows: list[LogRow] = []
    seen: set[Any] = set()
    gen_kwargs: list[Any] = []
    for lineno, obj in read_jsonl_objects(path, "lm_eval"):
        if not looks_like(obj):
            raise LogImportError(
                f"{path}:{lineno}: not an lm-eval --log_samples line (needs doc_id, doc, resps)"
            )
        doc_id, doc, resps = obj["doc_id"], obj["doc"], obj["resps"]
        if isinstance(doc_id, bool) or not isinstance(doc_id, int | str):
            raise LogImportError(f"{path}:{lineno}: 'doc_id' {doc_id!r} must be an integer")
        if not isinstance(doc, Mapping):
            raise LogImportError(
                f"{path}:{lineno}: 'doc' is a {type(doc).__name__}; lm-eval logs the document "
                "as a JSON object (the dataset row)"
            )
        if doc_id in seen:  # the same document under another filter
            continue
        seen.add(doc_id)
        prompt, kwargs = _prompt(obj)
        gen_kwargs.append(kwargs)
        if not isinstance(resps, list):
            raise LogImportError(f"{path}:{lineno}: 'resps' must be a list of response lists")
        texts = [t for req in resps for t in (req if isinstance(req, list) else [req])]
        if not all(isinstance(t, str) for t in texts):
            raise LogImportError(f"{path}:{lineno}: 'resps' must hold response strings")
        for j, text in enumerate(texts):
            rows.append(
                LogRow(
                    line=lineno,
                    response=text,
                    sample_index=j,
                    problem_id=_first(doc, id_keys),
                    problem_index=doc_id if isinstance(doc_id, int) else None,
                    problem=_first(doc, text_keys) or prompt,
                    prompt=prompt,
                )
            )
    origin = _origin(path)
    if "generation_kwargs" not in origin and gen_kwargs and gen_kwargs[0] is not None:
        origin["generation_kwargs"] = gen_kwargs[0]
    notes = (
        "lm-eval's samples log records no finish reason: truncated responses cannot be told "
        "apart, so grading.truncated has no effect on this run",
    )
    return ImportedLog("lm_eval", tuple(rows), origin, notes)


def sniff(peek: Peek) -> str | None:
    """Lines with ``doc_id``, ``doc`` and ``resps`` are lm-eval's."""
    if peek.first is not None and looks_like(peek.first):
        return "lines hold doc_id, doc and resps (lm-eval --log_samples)"
    return None


def _read(path: Path, context: ReadContext) -> ImportedLog:
    keys = [context.fields.get("problem_id", "problem_id"), *context.id_keys]
    texts = [context.fields.get("problem", "problem"), *context.text_keys]
    return read(path, keys, texts)


FORMAT = LogFormat(
    name="lm_eval",
    reads="the samples_<task>_<date>.jsonl that lm-eval's --log_samples writes",
    sniff=sniff,
    read=_read,
    tool="lm-eval",
)
