"""Give every imported row its benchmark problem id: by id, by row index, or by problem text.

``backend.match=problem_text`` compares normalised texts: Unicode NFKC, the R1 instruction
sentences removed, whitespace collapsed, case folded. A row whose text is not exactly a problem's
may hold a prompt template around it (lighteval's MATH-500 query does); it then matches the
longest problem text found inside it. Rows that match nothing are an error naming their lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.backends.importers.rows import LogImportError, LogRow, listing
from harness.data.prompts import GPQA_INSTRUCTION, MATH_INSTRUCTION
from harness.types import Problem

MATCHES = ("id", "problem_text")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The form problem texts are compared in (module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    for sentence in (MATH_INSTRUCTION, GPQA_INSTRUCTION):
        text = text.replace(sentence, " ")
    return _SPACE.sub(" ", text).strip().casefold()


class TextIndex:
    """Benchmark problems by normalised text, with a containment fallback (cached per text)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.exact: dict[str, str] = {}
        for p in problems:
            self.exact.setdefault(normalise(p.question), p.id)
        # Longest first, so a problem that contains another's text wins over it.
        self.by_length = sorted(self.exact.items(), key=lambda kv: -len(kv[0]))
        self.cache: dict[str, str | None] = {}

    def find(self, text: str) -> str | None:
        """The id of the problem whose text this is or contains, or None."""
        key = normalise(text)
        if key not in self.cache:
            hit = self.exact.get(key)
            if hit is None and key:
                hit = next((pid for t, pid in self.by_length if t and t in key), None)
            self.cache[key] = hit
        return self.cache[key]


def needs_problems(rows: Sequence[LogRow], match: str) -> bool:
    """Whether matching needs the benchmark's full problem list (row indices or texts)."""
    return match == "problem_text" or any(r.problem_id is None for r in rows)


def resolve(
    path: Path, rows: Sequence[LogRow], match: str, problems: Sequence[Problem] | None
) -> list[tuple[int, dict[str, Any]]]:
    """Replay rows ``(line, row)`` with problem ids, in the order read.

    Args:
        path: The log (for messages).
        rows: The imported rows.
        match: ``id`` (ids, else row indices) or ``problem_text``.
        problems: Every problem of the benchmark in dataset order (needed for indices/texts).

    Raises:
        LogImportError: An unknown ``match``, or rows that cannot be matched (names the lines).
    """
    if match not in MATCHES:
        raise LogImportError(f"backend.match={match!r}: use one of {', '.join(MATCHES)}")
    index = TextIndex(problems or ()) if match == "problem_text" else None
    out: list[tuple[int, dict[str, Any]]] = []
    bad: list[str] = []
    for row in rows:
        pid: str | None = None
        if index is not None:
            pid = index.find(row.problem) if row.problem else None
        elif row.problem_id is not None:
            pid = row.problem_id
        elif row.problem_index is not None and problems and 0 <= row.problem_index < len(problems):
            pid = problems[row.problem_index].id
        if pid is None:
            bad.append(f"line {row.line}")
            continue
        out.append((row.line, row.replay_row(pid)))
    if bad:
        lines = sorted(set(bad), key=lambda s: int(s.split()[1]))
        if index is not None:
            how = "match no problem of this benchmark by normalised problem text"
            fix = "check benchmark=… and benchmark.source=…"
        else:
            how = "carry no problem id and no row index inside this benchmark"
            fix = "set backend.fields.problem_id=… or backend.match=problem_text"
        raise LogImportError(f"{path}: {len(lines)} rows {how} ({listing(lines)}); {fix}")
    return out
