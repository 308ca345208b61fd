"""``backend.format=opencompass``: OpenCompass's predictions (``predictions/<model>/<name>.json``).

Schema from the writer code, not from a file OpenCompass wrote here (it is not installed: its
pins and size are beyond CI's budget): ``open-compass/opencompass`` at commit 3ce9b0a4,
``opencompass/openicl/icl_inferencer/icl_base_inferencer.py``,
``GenInferencerOutputHandler.save_results`` and ``write_to_json``: one JSON document (indent 4,
``ensure_ascii=False``) mapping ``str(idx)`` (the row's index in the dataset's test split) to
``{"origin_prompt": …, "prediction": …, "gold": …}``; ``gold`` only when the row has one.
``origin_prompt`` is the prompt string, or, for chat models, a list of ``{"role", "prompt"}``
turns; ``prediction`` is the response, or a list of them when several were sampled per prompt
(samples 0..k−1). OpenCompass logs no finish reason and no per-sample verdict in this file:
every sample is "unknown" (said in the notes). Problems are matched by index as the
benchmark's row index, or by the prompt's text with ``backend.match=problem_text``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow

TOOL = "opencompass"


def looks_like(doc: Any) -> bool:
    """True for OpenCompass's predictions document (digit keys, ``prediction`` entries)."""
    if not isinstance(doc, Mapping) or not doc:
        return False
    first = next(iter(doc.values()))
    return (
        all(str(k).isdigit() for k in doc)
        and isinstance(first, Mapping)
        and ("prediction" in first and "origin_prompt" in first)
    )


def _prompt(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # chat turns: the last HUMAN/user turn holds the problem
        turns = [t for t in value if isinstance(t, Mapping) and isinstance(t.get("prompt"), str)]
        users = [t for t in turns if str(t.get("role")).upper() in ("HUMAN", "USER")] or turns
        return users[-1]["prompt"] if users else None
    return None


def read(path: Path) -> ImportedLog:
    """Read an OpenCompass predictions JSON (module docstring).

    Raises:
        LogImportError: Not OpenCompass's predictions shape, or a prediction is not text.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LogImportError(f"{path}: not a JSON document ({exc})") from None
    if not looks_like(doc):
        raise LogImportError(
            f"{path} is not OpenCompass's predictions (a JSON object of "
            '"0": {"origin_prompt", "prediction", "gold"}, …); use backend.format=jsonl instead'
        )
    rows: list[LogRow] = []
    for key in sorted(doc, key=int):
        entry = doc[key]
        texts = entry.get("prediction")
        texts = texts if isinstance(texts, list) else [texts]
        if not all(isinstance(t, str) for t in texts):
            raise LogImportError(f"{path}: entry {key!r} has a prediction that is not text")
        prompt = _prompt(entry.get("origin_prompt"))
        for j, text in enumerate(texts):
            rows.append(
                LogRow(
                    line=int(key) + 1,
                    response=text,
                    sample_index=j,
                    problem_index=int(key),
                    problem=prompt,
                    prompt=prompt,
                )
            )
    parts = path.resolve().parts
    origin: dict[str, Any] = {"tool": TOOL, "task": path.stem}
    if "predictions" in parts:
        top = len(parts) - 1 - parts[::-1].index("predictions")
        origin["model"] = "/".join(parts[top + 1 : -1]) or None
        results = Path(*parts[:top], "results", *parts[top + 1 :])
        if results.is_file():
            try:
                scores = json.loads(results.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                scores = {}
            numbers = {k: v for k, v in scores.items() if isinstance(v, int | float)}
            if numbers:
                name, value = next(iter(numbers.items()))
                origin["score"] = {"metric": name, "value": value}
    notes = (
        "OpenCompass's predictions hold no finish reason: truncated responses cannot be told "
        "apart, so grading.truncated has no effect on this run",
    )
    return ImportedLog("opencompass", tuple(rows), {k: v for k, v in origin.items() if v}, notes)


def sniff(peek: Peek) -> str | None:
    """A JSON document of digit keys whose entries hold ``origin_prompt`` and ``prediction``."""
    if looks_like(peek.document):
        return 'a JSON object of "<index>": {origin_prompt, prediction} (OpenCompass predictions)'
    return None


FORMAT = LogFormat(
    name="opencompass",
    reads="OpenCompass's predictions/<model>/<dataset>.json (GenInferencer output, 0.5 schema)",
    sniff=sniff,
    read=lambda path, context: read(path),
    tool=TOOL,
)
