"""Our own replay format: read and check every row of a JSON Lines replay file.

The format is ``harness.backends.replay``'s (its docstring). Kept here, beside the other
formats' readers, so both the replay backend and ``importers.read_log`` import it and neither
imports the other. Finish reasons are read as other tools spell them too (``MAX_TOKENS``,
``eos``, any case: ``rows.FINISH_SYNONYMS``); each such alias is logged once per file.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path

from harness.backends.importers.lines import jsonl_lines
from harness.backends.importers.rows import canonical_finish, finish_help, listing
from harness.errors import HarnessError

log = logging.getLogger(__name__)


class ReplayError(HarnessError):
    """The replay file cannot be used as it is."""


def _parse_row(path: Path, lineno: int, text: str, aliases: dict) -> dict:
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
    if isinstance(row.get("response"), list):
        raise ReplayError(
            f"{path}:{lineno}: field 'response' is a list; a replay row holds one response "
            "string (with its sample_index). A log with a list of responses per problem is read "
            "with backend.format=jsonl, whose list becomes samples 0..k-1"
        )
    if not isinstance(row.get("response"), str):
        raise ReplayError(f"{path}:{lineno}: field 'response' (string) is missing or not a string")
    idx = row.get("sample_index")
    if idx is not None and (not isinstance(idx, int) or isinstance(idx, bool) or idx < 0):
        raise ReplayError(f"{path}:{lineno}: 'sample_index' must be a non-negative integer")
    finish = row.get("finish_reason")
    if finish is not None:
        ours = canonical_finish(finish)
        if ours is None:
            raise ReplayError(f"{path}:{lineno}: 'finish_reason': {finish_help(finish)}")
        if ours != finish:
            aliases[(finish, ours)].append(str(lineno))
            row = {**row, "finish_reason": ours}
    return row


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """Read and check every row of a replay file.

    Args:
        path: The JSONL file.

    Returns:
        ``(line number, row)`` pairs for the non-blank lines.

    Raises:
        ReplayError: The file is missing, empty, not UTF-8 JSON Lines, or a row is malformed
            (names the line).
    """
    if not path.is_file():
        raise ReplayError(f"replay file {path} does not exist; set backend.path=FILE.jsonl")
    rows: list[tuple[int, dict]] = []
    aliases: dict[tuple[str, str], list[str]] = defaultdict(list)
    for lineno, line in jsonl_lines(path, "replay", ReplayError):
        if line.strip():
            rows.append((lineno, _parse_row(path, lineno, line, aliases)))
    if not rows:
        raise ReplayError(f"replay file {path} holds no rows")
    for (theirs, ours), lines in aliases.items():
        log.info(
            "%s: finish_reason %r read as %r (%d rows: lines %s)",
            path, theirs, ours, len(lines), listing(lines),
        )  # fmt: skip
    return rows
