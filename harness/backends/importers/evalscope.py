"""``backend.format=evalscope``: evalscope's reviews (``reviews/<model>/<bench>_<subset>.jsonl``).

Schema of evalscope 1.14.1 (PyPI; writer code in ``modelscope/evalscope``,
``evalscope/api/evaluator/cache.py``: ``ReviewResult``, ``ModelResult`` and the paths
``<work_dir>/<timestamp>/{predictions,reviews}/<model>/<benchmark>_<subset>.jsonl`` and
``reports/<model>/<benchmark>.json``, ``configs/task_config.yaml`` (version, generation config,
repeats); ``evalscope/api/metric/scorer.py``: ``Score``,
``SampleScore``). Tested on files evalscope 1.14.1 itself writes
(tests/integration/test_evalscope_import.py, its ``mock_llm`` model).

One line per (problem, repeat): ``index`` (the line's sample), ``target`` (gold answers),
``messages`` (the chat: the last assistant message is the response), ``sample_score``:
``group_id`` (the problem's index in the benchmark's subset), ``generation_index`` (the repeat:
our sample index), ``sample_metadata`` (the dataset row's extra fields), ``score``:
``value`` (metric name → value; ``main_score_name`` names the main one), ``prediction`` and
``extracted_prediction`` (evalscope's extracted answer). The finish reason is not in the review:
it is read from the ``predictions`` file of the same run (``model_output.choices[0].stop_reason``,
keyed by ``index``) when it sits where evalscope writes it; else every sample is "unknown".
A response whose ``<think>`` block evalscope split into reasoning and text parts is joined back
as ``<think>reasoning</think>text`` (evalscope strips the whitespace between them).
Problems are matched by ``sample_metadata``'s id keys or by ``group_id`` as the row index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek, ReadContext
from harness.backends.importers.generic import read_jsonl_objects
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow
from harness.types import ToolVerdict

TOOL = "evalscope"
# evalscope's stop reasons (evalscope/api/model/model_output.py, as inspect-ai's) → ours
_STOP = {"stop": "stop", "max_tokens": "length", "length": "length",
         "model_length": "length", "content_filter": "content_filter"}  # fmt: skip


def looks_like(obj: Mapping[str, Any]) -> bool:
    """True for a line of evalscope's review file."""
    score = obj.get("sample_score")
    return "index" in obj and isinstance(score, Mapping) and isinstance(score.get("score"), Mapping)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    reasoning = "".join(p.get("reasoning") or "" for p in parts if p.get("type") == "reasoning")
    text = "".join(p.get("text") or "" for p in parts if p.get("type") == "text")
    return f"<think>{reasoning}</think>{text}" if reasoning else text


def _last(messages: Any, role: str) -> str | None:
    found = [m for m in messages or [] if isinstance(m, Mapping) and m.get("role") == role]
    return _text(found[-1].get("content")) if found else None


def _stops(path: Path) -> dict[int, tuple[str, Any]]:
    """``index`` → (finish reason, usage) from the run's predictions file, when it is there."""
    parts = path.resolve().parts
    if "reviews" not in parts:
        return {}
    top = len(parts) - 1 - parts[::-1].index("reviews")
    predictions = Path(*parts[:top], "predictions", *parts[top + 1 :])
    if not predictions.is_file():
        return {}
    out = {}
    for _, obj in read_jsonl_objects(predictions):
        choices = (obj.get("model_output") or {}).get("choices") or [{}]
        stop = _STOP.get(str(choices[0].get("stop_reason")), "unknown")
        out[obj.get("index")] = (stop, (obj.get("model_output") or {}).get("usage") or {})
    return out


def _verdict(score: Mapping[str, Any]) -> ToolVerdict | None:
    values = score.get("value") or {}
    name = score.get("main_score_name")
    name = name if name in values else next(iter(values), None)
    value = values.get(name) if name else None
    if not isinstance(value, int | float):
        return None
    answer = score.get("extracted_prediction")
    return ToolVerdict(
        tool=TOOL,
        correct=bool(value) if value in (0, 1) else None,
        answer=str(answer) if answer is not None else None,
        score=float(value),
        metric=name,
    )


def _report(path: Path) -> dict[str, Any]:
    """Model, benchmark and evalscope's own score from ``reports/<model>/<benchmark>.json``."""
    parts = path.resolve().parts
    if "reviews" not in parts:
        return {}
    top = len(parts) - 1 - parts[::-1].index("reviews")
    folder = Path(*parts[:top], "reports", *parts[top + 1 : -1])
    for report in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if not path.name.startswith(f"{data.get('dataset_name')}_"):
            continue
        metric = (data.get("metrics") or [{}])[0]
        name = metric.get("name") or (metric.get("identity") or {}).get("name")
        return {
            "model": data.get("model_name"),
            "task": data.get("dataset_name"),
            "score": {"metric": name, "value": metric.get("score"), "n": metric.get("num")},
            "report_file": report.name,
            **_task_config(Path(*parts[:top], "configs", "task_config.yaml")),
        }
    return {}


def _task_config(path: Path) -> dict[str, Any]:
    """Version, model, sampling and repeats from the run's ``configs/task_config.yaml``."""
    import yaml

    try:
        cfg = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return {
        "version": cfg.get("evalscope_version"),
        "eval_type": cfg.get("eval_type"),
        "sampling": cfg.get("generation_config"),
        "repeats": cfg.get("repeats"),
        "seed": cfg.get("seed"),
    }


def _id(meta: Any, keys: Sequence[str]) -> str | None:
    for key in keys:
        value = meta.get(key) if isinstance(meta, Mapping) else None
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None


def read(path: Path, id_keys: Sequence[str]) -> ImportedLog:
    """Read an evalscope review file (module docstring).

    Args:
        path: A ``reviews/<model>/<benchmark>_<subset>.jsonl`` file.
        id_keys: ``sample_metadata`` keys that may hold the benchmark's problem id.

    Returns:
        One row per line: ``generation_index`` is the sample index.

    Raises:
        LogImportError: A line is not evalscope's review shape (names it).
    """
    stops = _stops(path)
    rows: list[LogRow] = []
    for lineno, obj in read_jsonl_objects(path):
        if not looks_like(obj):
            raise LogImportError(
                f"{path}:{lineno}: not an evalscope review line (needs index and "
                "sample_score.score); evalscope writes them under reviews/<model>/"
            )
        sample, score = obj["sample_score"], obj["sample_score"]["score"]
        response = _last(obj.get("messages"), "assistant")
        if response is None:
            response = score.get("prediction")
        if not isinstance(response, str):
            raise LogImportError(f"{path}:{lineno}: no assistant message and no prediction")
        stop, usage = stops.get(obj["index"], ("unknown", {}))
        group = sample.get("group_id")
        rows.append(
            LogRow(
                line=lineno,
                response=response,
                sample_index=int(sample.get("generation_index") or 0),
                finish_reason=stop,
                problem_id=_id(sample.get("sample_metadata"), id_keys),
                problem_index=group if isinstance(group, int) else None,
                problem=_last(obj.get("messages"), "user"),
                n_prompt_tokens=usage.get("input_tokens"),
                n_generated_tokens=usage.get("output_tokens"),
                tool_verdict=_verdict(score),
            )
        )
    origin = {"tool": TOOL, **{k: v for k, v in _report(path).items() if v is not None}}
    notes = [f"{TOOL}'s own verdicts (its main score per sample) are kept beside ours"]
    if not stops:
        notes.append(
            "no evalscope predictions file beside the reviews: finish reasons unknown, "
            "truncated responses cannot be told apart"
        )
    return ImportedLog("evalscope", tuple(rows), origin, tuple(notes))


def sniff(peek: Peek) -> str | None:
    """Lines with ``index`` and ``sample_score.score`` are evalscope's reviews."""
    if peek.first is not None and looks_like(peek.first):
        return "lines hold index and sample_score.score (evalscope reviews)"
    return None


def _read(path: Path, context: ReadContext) -> ImportedLog:
    return read(path, [context.fields.get("problem_id", "problem_id"), *context.id_keys])


FORMAT = LogFormat(
    name="evalscope",
    reads="evalscope's reviews/<model>/<benchmark>_<subset>.jsonl (1.x ReviewResult lines)",
    sniff=sniff,
    read=_read,
    tool=TOOL,
)
