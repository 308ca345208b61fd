"""``backend.format=matharena``: a MathArena outputs data set (``MathArena/<competition>_outputs``).

Writer: eth-sri/matharena at commit e9276603 (not on PyPI), ``scripts/curation/upload_outputs.py``:
for every model config and problem of a competition it reads the run's
``outputs/<comp>/<model_config>/<problem>.json.zst`` and writes one row per answer: ``problem_idx``
(MathArena's problem number), ``problem``, ``model_name`` (human-readable), ``model_config``,
``idx_answer`` (the sample's index), ``all_messages`` (the conversation, JSON-encoded),
``user_message``, ``answer`` (the last message's content: the text graded), ``input_tokens``,
``output_tokens``, ``cost``, and for final-answer competitions ``gold_answer``, ``parsed_answer``
(its parser's answer, as a string) and ``correct`` (its verdict, kept beside ours;
the hub's schemas show a float there for proof competitions, kept as the score). The rows go to
the hub with ``Dataset.from_pandas(df).push_to_hub`` (parquet) or, with ``--local-save-path``, to
JSON Lines (``df.to_json(orient="records", lines=True)``).

A data set holds every model of the competition; one model's rows are imported at a time (an
``evidence=`` entry selects them; a file holding several models is refused with their names).
Problems are matched by problem text (``backend.match=problem_text``): MathArena's ``problem_idx``
is not our id. The rows hold no finish reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek, ReadContext
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow, listing
from harness.backends.importers.tool_rows import (
    compact,
    row_keys,
    table_rows,
    think_notes,
    tool_accuracy,
)
from harness.types import ToolVerdict

_KEYS = {"problem_idx", "model_config", "idx_answer", "answer"}


def _verdict(rec: Mapping[str, Any]) -> ToolVerdict | None:
    value = rec.get("correct")  # bool for final-answer competitions, a float (points) for proofs
    if not isinstance(value, bool | int | float):
        return None
    score = float(value)
    parsed = rec.get("parsed_answer")
    return ToolVerdict(
        tool="matharena",
        correct=bool(score) if score in (0.0, 1.0) else None,
        answer=None if parsed is None else str(parsed),
        score=score,
        metric="correct",
    )


def read(path: Path, context: ReadContext) -> ImportedLog:
    """Read one model's rows of a MathArena outputs data set.

    Raises:
        LogImportError: A row lacks MathArena's columns, or the file holds several models.
    """
    records = table_rows(path)
    models = sorted({str(rec.get("model_config")) for _, rec in records})
    if len(models) > 1:
        raise LogImportError(
            f"{path} holds {len(models)} models ({listing(models)}); import one model's rows "
            "(an evidence= entry selects them with evidence.select.model_config=…)"
        )
    rows: list[LogRow] = []
    for number, rec in records:
        if not set(rec) >= _KEYS or not isinstance(rec["answer"], str):
            raise LogImportError(
                f"{path}: row {number} is not a MathArena output row (needs "
                f"{', '.join(sorted(_KEYS))}, with 'answer' a string)"
            )
        idx, tokens = rec["idx_answer"], rec.get("output_tokens")
        user = rec.get("user_message")
        rows.append(
            LogRow(
                line=number,
                response=rec["answer"],
                sample_index=int(idx) if isinstance(idx, int | float) else None,
                problem=rec.get("problem") if isinstance(rec.get("problem"), str) else user,
                prompt=user if isinstance(user, str) else None,
                n_prompt_tokens=int(rec["input_tokens"])
                if isinstance(rec.get("input_tokens"), int | float)
                else None,
                n_generated_tokens=int(tokens) if isinstance(tokens, int | float) else None,
                tool_verdict=_verdict(rec),
            )
        )
    first = records[0][1]
    score = tool_accuracy(rows)
    origin = compact(
        {
            "tool": "matharena",
            "model": first.get("model_config"),
            "model_name": first.get("model_name"),
            "samples_per_problem": len({r.sample_index for r in rows}),
            "tool_score": {"correct": score} if score is not None else None,
        }
    )
    notes = (
        "MathArena's output rows hold no finish reason: truncated responses cannot be told apart",
        *think_notes(rows),
    )
    return ImportedLog("matharena", tuple(rows), origin, notes)


def sniff(peek: Peek) -> str | None:
    """MathArena's columns, in a parquet file or in the first line of a JSONL file."""
    if row_keys(peek) >= _KEYS:
        return "rows hold problem_idx, model_config, idx_answer and answer (MathArena outputs)"
    return None


FORMAT = LogFormat(
    name="matharena",
    reads="one model's rows of a MathArena outputs data set (problem_idx, model_config, "
    "idx_answer, answer, correct; parquet or JSONL)",
    sniff=sniff,
    read=read,
    tool="matharena",
)
