"""Our own replay format: read and check every row of a JSON Lines replay file.

The format is ``harness.backends.replay``'s (its docstring). Kept here, beside the other
formats' readers, so both the replay backend and ``importers.read_log`` import it and neither
imports the other.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.errors import HarnessError

_FINISH = {"stop", "length", "content_filter"}


class ReplayError(HarnessError):
    """The replay file cannot be used as it is."""


def _parse_row(path: Path, lineno: int, text: str) -> dict:
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReplayError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise ReplayError(f"{path}:{lineno}: expected a JSON object, got {type(row).__name__}")
    if not isinstance(row.get("problem_id"), str | int) or isinstance(row.get("problem_id"), bool):
        raise ReplayError(
            f"{path}:{lineno}: field 'problem_id' (string) is missing or not a string"
        )
    if not isinstance(row.get("response"), str):
        raise ReplayError(f"{path}:{lineno}: field 'response' (string) is missing or not a string")
    idx = row.get("sample_index")
    if idx is not None and (not isinstance(idx, int) or isinstance(idx, bool) or idx < 0):
        raise ReplayError(f"{path}:{lineno}: 'sample_index' must be a non-negative integer")
    finish = row.get("finish_reason")
    if finish is not None and finish not in _FINISH and finish != "unknown":
        raise ReplayError(
            f'{path}:{lineno}: \'finish_reason\' must be "stop", "length" or "content_filter", '
            f"got {finish!r}"
        )
    return row


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """Read and check every row of a replay file.

    Args:
        path: The JSONL file.

    Returns:
        ``(line number, row)`` pairs for the non-blank lines.

    Raises:
        ReplayError: The file is missing, empty, or a row is malformed (names the line).
    """
    if not path.is_file():
        raise ReplayError(f"replay file {path} does not exist; set backend.path=FILE.jsonl")
    rows: list[tuple[int, dict]] = []
    with path.open("r", encoding="utf-8") as handle:
        # Split on "\n" only: responses may hold U+2028, which str.splitlines() would break on.
        for lineno, line in enumerate(handle, start=1):
            if line.strip():
                rows.append((lineno, _parse_row(path, lineno, line)))
    if not rows:
        raise ReplayError(f"replay file {path} holds no rows")
    return rows
