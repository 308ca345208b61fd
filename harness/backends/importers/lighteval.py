"""``backend.format=lighteval``: lighteval's details parquet (``details_<task>_<date>.parquet``).

Schema of lighteval 0.13.0 (``lighteval/logging/evaluation_tracker.py``, ``save``): one row per
document, ``Dataset.from_list([asdict(detail)])`` of ``DetailsLogger.Detail`` with the columns
``doc`` (``lighteval.tasks.requests.Doc``: ``query``, ``original_query``, ``id`` = the
document's index in the evaluation split as a string, ``generation_size``, ``specific``, …),
``model_response`` (``lighteval.models.model_output.ModelResponse``: ``text`` = one string per
sample, ``output_tokens`` = their token ids, ``input`` = the prompt, …) and ``metric``. Files
sit in ``<output_dir>/details/<model_name>/<date>/``; the run's ``results_<date>.json`` is in
``<output_dir>/results/<model_name>/`` and gives the model and generation parameters.

lighteval's verdict is per document, not per sample: ``metric`` maps each metric's name
(``pass@k:k=1&n=2``, ``avg@n:n=2``…) to the document's value, a mean over its samples. The first
metric becomes every sample's ``tool_verdict``: ``correct`` when the value is 0 or 1 (all its
samples agree), None with the value as ``score`` otherwise (which sample was right is not logged).

lighteval records no finish reason. Where ``output_tokens`` is logged, a sample that used the
whole ``doc.generation_size`` is taken as stopped by the limit ("length") and a shorter one as
"stop"; without token ids every sample is "unknown". Problems are matched by the query text
(it holds lighteval's prompt template around the problem; the problem text is found inside it),
and by ``doc.id`` as the benchmark's row index only when a row has no query (``match.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek
from harness.backends.importers.lines import binary_kind
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow, distinct
from harness.types import ToolVerdict

DETAILS_NAME = re.compile(r"^details_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[\d.-]+)\.parquet$")
COLUMNS = {"doc", "model_response"}
_STRUCTS = {
    "doc": "query, id, generation_size, …",
    "model_response": "text, output_tokens, input, …",
}


def columns(path: Path) -> set[str]:
    """Column names of a parquet file (reads only its schema)."""
    import pyarrow.parquet as pq  # a dependency of datasets

    return set(pq.read_schema(path).names)


def _finish(tokens: Any, j: int, limit: Any) -> str:
    if not isinstance(limit, int) or not isinstance(tokens, list) or j >= len(tokens):
        return "unknown"
    return "length" if len(tokens[j] or []) >= limit else "stop"


def _verdict(metric: Any) -> ToolVerdict | None:
    """The document's first metric as each of its samples' verdict (module docstring)."""
    if not isinstance(metric, Mapping) or not metric:
        return None
    name, value = next(iter(metric.items()))
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    correct = bool(value) if value in (0, 1) else None
    return ToolVerdict(tool="lighteval", correct=correct, score=float(value), metric=str(name))


def _origin(path: Path) -> dict[str, Any]:
    origin: dict[str, Any] = {"tool": "lighteval"}
    m = DETAILS_NAME.match(path.name)
    if not m:
        return origin
    origin["task"] = m["task"]
    parts = path.resolve().parts
    if "details" not in parts:
        return origin
    top = len(parts) - 1 - parts[::-1].index("details")
    model_name = "/".join(parts[top + 1 : -2])
    origin["model"] = model_name or None
    results = Path(*parts[:top], "results", *parts[top + 1 : -2], f"results_{m['date']}.json")
    if results.is_file():
        try:
            data = json.loads(results.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # unreadable, not UTF-8, not JSON: no origin
            data = {}
        if not isinstance(data, dict):
            data = {}
        general = data.get("config_general") or {}
        model_cfg = general.get("model_config") or {}
        scores = (data.get("results") or {}).get(m["task"]) or {}
        name = next((k for k in scores if not k.endswith("_stderr")), None)
        if name is not None:  # lighteval's own number: the mean over documents of its metric
            origin["score"] = {"metric": name, "value": scores[name]}
        origin.update(
            {
                "results_file": str(results.name),
                "model": general.get("model_name") or origin["model"],
                "lighteval_sha": general.get("lighteval_sha"),
                "generation_parameters": {
                    k: v
                    for k, v in (model_cfg.get("generation_parameters") or {}).items()
                    if v is not None
                },
            }
        )
    return {k: v for k, v in origin.items() if v not in (None, {}, "")}


def read(path: Path) -> ImportedLog:
    """Read a lighteval details parquet.

    Args:
        path: A ``details_<task>_<date>.parquet`` file.

    Returns:
        One row per sample (``model_response.text`` in order); ``line`` is the 1-based row.

    Raises:
        LogImportError: The file lacks lighteval's columns or a row lacks its response texts.
    """
    import pyarrow.parquet as pq

    with path.open("rb") as handle:
        head = handle.read(4)
    if head != b"PAR1":
        seen = binary_kind(head) or f"it starts with {head!r}"
        raise LogImportError(
            f"{path} is not a parquet file ({seen}); backend.format=lighteval reads lighteval's "
            "details_<task>_<date>.parquet. A JSON Lines log: name it .jsonl and set "
            "backend.format=auto (or its format)"
        )
    have = columns(path)
    if not have >= COLUMNS:
        raise LogImportError(
            f"{path} is not a lighteval details file (columns {sorted(have)}; lighteval ≥ 0.9 "
            f"writes {sorted(COLUMNS)}); use backend.format=jsonl with backend.fields.* instead"
        )
    rows: list[LogRow] = []
    finishes: list[str] = []
    tasks: list[Any] = []
    for number, rec in enumerate(pq.read_table(path).to_pylist(), start=1):
        doc, resp = rec.get("doc"), rec.get("model_response")
        for name, value in (("doc", doc), ("model_response", resp)):
            if not isinstance(value, Mapping):
                raise LogImportError(
                    f"{path}: row {number}: column {name!r} holds a {type(value).__name__}; "
                    f"lighteval 0.13 writes it as a struct ({_STRUCTS[name]})"
                )
        texts = resp.get("text")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise LogImportError(f"{path}: row {number} has no model_response.text strings")
        doc_id = "" if doc.get("id") is None else str(doc["id"]).strip()  # "0" is an id
        query = doc.get("original_query") or doc.get("query")
        tasks.append(doc.get("task_name") if isinstance(doc.get("task_name"), str) else None)
        verdict = _verdict(rec.get("metric"))
        for j, text in enumerate(texts):
            finish = _finish(resp.get("output_tokens"), j, doc.get("generation_size"))
            finishes.append(finish)
            rows.append(
                LogRow(
                    line=number,
                    response=text,
                    sample_index=j,
                    finish_reason=finish,
                    problem_index=int(doc_id) if doc_id.isdigit() else None,
                    problem=query if isinstance(query, str) else None,
                    prompt=resp.get("input") if isinstance(resp.get("input"), str) else None,
                    tool_verdict=verdict,
                )
            )
    notes: tuple[str, ...] = ()
    if any(f == "unknown" for f in finishes):
        notes = (
            "lighteval's details hold no finish reason and these hold no output token ids: "
            "truncated responses cannot be told apart",
        )
    else:
        notes = (
            "finish reasons inferred: a sample whose output tokens reach doc.generation_size "
            "is taken as truncated (lighteval records no finish reason)",
        )
    origin = _origin(path)
    task = distinct(tasks)
    if "task" not in origin and task:  # a renamed file: each doc still names its task
        origin["task"] = task if isinstance(task, str) else ", ".join(task)
    return ImportedLog("lighteval", tuple(rows), origin, notes)


def sniff(peek: Peek) -> str | None:
    """A parquet file (suffix or ``PAR1`` magic) is taken as lighteval's details."""
    if peek.suffix == ".parquet" or peek.head.startswith(b"PAR1"):
        return "a parquet file (lighteval details)"
    return None


FORMAT = LogFormat(
    name="lighteval",
    reads="lighteval's details_<task>_<date>.parquet (0.13 schema: doc, model_response, metric)",
    sniff=sniff,
    read=lambda path, context: read(path),
    tool="lighteval",
)
