"""Read other tools' logs as formats of the replay backend (``backend.format=…``).

- ``replay``: our own rows (``importers/replay_file.py``, the format of ``backends/replay.py``),
  e.g. a run's ``samples.jsonl``.
- ``lm_eval``: lm-eval's ``--log_samples`` file (``importers/lm_eval.py``).
- ``lighteval``: lighteval's details parquet (``importers/lighteval.py``).
- ``jsonl``: any JSON Lines log with ``backend.fields.*`` (``importers/generic.py``).
- ``auto`` (default): chosen from the file (``detect``), and the choice is logged and recorded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.backends.importers import generic, lighteval, lm_eval
from harness.backends.importers.replay_file import read_rows
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow

log = logging.getLogger(__name__)

FORMATS = ("auto", "replay", "lm_eval", "lighteval", "jsonl")
DEFAULT_FIELDS = {
    "problem_id": "problem_id", "response": "response", "finish_reason": "finish_reason",
    "problem": "problem", "sample_index": "sample_index",
}  # fmt: skip


def _first_object(path: Path) -> dict[str, Any] | None:
    with path.open("r", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    return None
                return obj if isinstance(obj, dict) else None
    return None


def detect(path: Path, fields: Mapping[str, str]) -> tuple[str, str]:
    """Choose the format of ``path``: ``(format, why)``.

    A parquet file is lighteval's; a JSONL line with ``doc_id``, ``doc`` and ``resps`` is
    lm-eval's; ``backend.fields`` set to anything but the defaults means the generic reader; a
    line with ``problem_id`` and a string ``response`` is ours; anything else is generic JSONL.
    """
    if path.suffix == ".parquet":
        return "lighteval", "a parquet file (lighteval details)"
    first = _first_object(path)
    if first is None:
        return "replay", "the first line is not a JSON object; read as replay to name the line"
    if lm_eval.looks_like(first):
        return "lm_eval", "lines hold doc_id, doc and resps (lm-eval --log_samples)"
    if {**DEFAULT_FIELDS, **fields} != DEFAULT_FIELDS:
        return "jsonl", "backend.fields is set"
    if "problem_id" in first and isinstance(first.get("response"), str):
        return "replay", "lines hold problem_id and a response string"
    return "jsonl", f"no known format's keys (first line has {', '.join(sorted(first)[:8])})"


def _replay_rows(path: Path) -> ImportedLog:
    rows = [
        LogRow(
            line=lineno,
            response=row["response"],
            sample_index=row.get("sample_index"),
            finish_reason=row.get("finish_reason") or "unknown",
            problem_id=str(row["problem_id"]),
            prompt=row.get("prompt"),
            n_prompt_tokens=row.get("n_prompt_tokens"),
            n_generated_tokens=row.get("n_generated_tokens"),
        )
        for lineno, row in read_rows(path)
    ]
    return ImportedLog("replay", tuple(rows))


def read_log(
    path: Path,
    fmt: str,
    fields: Mapping[str, str] | None = None,
    *,
    id_keys: Sequence[str] = (),
    text_keys: Sequence[str] = (),
) -> tuple[ImportedLog, str]:
    """Read a log in the given format (``auto``: detected).

    Args:
        path: The log file.
        fmt: One of ``FORMATS``.
        fields: ``backend.fields`` (the generic reader's mapping; defaults filled in).
        id_keys: Keys of an lm-eval document that may hold the problem id.
        text_keys: Keys of an lm-eval document that may hold the problem text.

    Returns:
        The log, and how its format was chosen (``"backend.format"`` or ``"auto: <why>"``).

    Raises:
        LogImportError: An unknown format, a missing file, or a malformed log.
    """
    if fmt not in FORMATS:
        raise LogImportError(f"backend.format={fmt!r} is not a format; use one of {FORMATS}")
    if not path.is_file():
        raise LogImportError(
            f"replay file {path} does not exist; set backend.path=FILE.jsonl (or FILE.parquet)"
        )
    mapping = {**DEFAULT_FIELDS, **{k: v for k, v in (fields or {}).items() if v}}
    chosen_by = "backend.format"
    if fmt == "auto":
        fmt, why = detect(path, mapping)
        chosen_by = f"auto: {why}"
        log.info("backend.format=auto: reading %s as %s (%s)", path, fmt, why)
    if fmt == "lm_eval":
        keys = [mapping["problem_id"], *id_keys]
        texts = [mapping["problem"], *text_keys]
        return lm_eval.read(path, keys, texts), chosen_by
    if fmt == "lighteval":
        return lighteval.read(path), chosen_by
    if fmt == "jsonl":
        return generic.read(path, mapping), chosen_by
    return _replay_rows(path), chosen_by


__all__ = ["FORMATS", "LogImportError", "ImportedLog", "LogRow", "detect", "read_log"]
