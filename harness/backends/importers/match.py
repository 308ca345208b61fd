"""Give every imported row its benchmark problem id, and check it against the row's problem text.

Texts are compared normalised: Unicode NFKC, the R1 instruction sentences removed, whitespace
collapsed, case folded. A row's text may hold a prompt template around the problem (lighteval's
MATH-500 query does): a row *is* a problem when it equals that problem's text or contains it.
A multiple-choice problem is compared by its question alone (its lettered options are ours).

With ``backend.match=id`` (the default) a row is matched, in order of preference:

1. by its problem id, when the log carries one; its problem text, when it carries that too, must
   then be the problem's (else an error showing the start of both texts);
2. by its problem text, when it carries no id;
3. by its position (lm-eval's ``doc_id``, lighteval's ``doc.id``) only when it carries neither;
   the run's notes then say that nothing checked it.

``backend.match=problem_text`` uses the text alone. A text that is, or contains, two problems'
texts (neither inside the other) is ambiguous: an error naming the line and both problems, unless
the row's id or position picks one of them. Rows that match nothing are an error naming them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.backends.importers.rows import LogImportError, LogRow, listing
from harness.data.gpqa import format_question
from harness.data.prompts import GPQA_INSTRUCTION, MATH_INSTRUCTION
from harness.types import Problem

MATCHES = ("id", "problem_text")
_SPACE = re.compile(r"\s+")
_SHOWN = 70  # characters of each text an error message shows


def normalise(text: str) -> str:
    """The form problem texts are compared in (module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    for sentence in (MATH_INSTRUCTION, GPQA_INSTRUCTION):
        text = text.replace(sentence, " ")
    return _SPACE.sub(" ", text).strip().casefold()


def stem(problem: Problem) -> str:
    """The problem text a log may carry: the question, without the options we append (GPQA)."""
    if problem.choices:
        return problem.question.removesuffix(format_question("", problem.choices))
    return problem.question


def _start(text: str) -> str:
    flat = _SPACE.sub(" ", text).strip()
    return '"' + flat[:_SHOWN] + ("…" if len(flat) > _SHOWN else "") + '"'


class TextIndex:
    """Benchmark problems by normalised text, with a containment fallback (cached per text)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = {p.id: p for p in problems}
        self.text = {p.id: normalise(stem(p)) for p in problems}
        self.ids: dict[str, list[str]] = {}
        for pid, text in self.text.items():
            if text:
                self.ids.setdefault(text, []).append(pid)
        self.cache: dict[str, tuple[str, ...]] = {}
        self.keys: dict[str, str] = {}

    def key(self, text: str) -> str:
        """``normalise(text)``, computed once per distinct text."""
        if text not in self.keys:
            self.keys[text] = normalise(text)
        return self.keys[text]

    def candidates(self, text: str) -> tuple[str, ...]:
        """Ids of the problems this text is or contains (several: ambiguous).

        A problem whose text lies inside another candidate's is dropped: the longer one
        explains it (a row holding B's text, which quotes A's, is B).
        """
        key = self.key(text)
        if key not in self.cache:
            if key in self.ids:
                found = tuple(self.ids[key])
            else:
                inside = [t for t in self.ids if t in key]
                widest = [t for t in inside if not any(t != u and t in u for u in inside)]
                found = tuple(pid for t in widest for pid in self.ids[t])
            self.cache[key] = found
        return self.cache[key]

    def find(self, text: str) -> str | None:
        """The id of the one problem whose text this is or contains, or None."""
        found = self.candidates(text)
        return found[0] if len(found) == 1 else None

    def holds(self, pid: str, text: str) -> bool:
        """Whether ``text`` is, or contains, problem ``pid``'s text."""
        own = self.text.get(pid)
        return bool(own) and own in self.key(text)


def needs_problems(rows: Sequence[LogRow], match: str) -> bool:
    """Whether matching needs the benchmark's problems (row indices, or texts to match or check)."""
    return match == "problem_text" or any(r.problem_id is None or r.problem for r in rows)


@dataclass(frozen=True)
class Matched:
    """Rows with their problem ids, and what the run's notes must say about how they were found.

    Attributes:
        rows: ``(line, replay row)`` in the order read.
        notes: E.g. that rows were matched by position alone.
    """

    rows: list[tuple[int, dict[str, Any]]]
    notes: tuple[str, ...] = ()


class _Resolver:
    """One pass over the rows, collecting each kind of failure with its lines."""

    def __init__(self, path: Path, match: str, problems: Sequence[Problem] | None) -> None:
        self.path, self.match = path, match
        self.problems = list(problems or ())
        self.index = TextIndex(self.problems)
        self.no_text_match: dict[int, None] = {}  # lines, in order, once each
        self.no_key: dict[int, None] = {}
        self.ambiguous: dict[int, str] = {}
        self.mismatched: dict[int, tuple[LogRow, str]] = {}
        self.by_position = 0

    def _positional(self, row: LogRow) -> str | None:
        idx = row.problem_index
        return self.problems[idx].id if idx is not None and 0 <= idx < len(self.problems) else None

    def by_text(self, row: LogRow, text: str) -> str | None:
        found = self.index.candidates(text)
        if not found:
            self.no_text_match[row.line] = None
            return None
        if len(found) == 1:
            return found[0]
        for hint in (row.problem_id, self._positional(row)):
            if hint in found:
                return hint
        self.ambiguous[row.line] = f"line {row.line} ({' or '.join(map(repr, found[:4]))})"
        return None

    def pid(self, row: LogRow) -> str | None:
        text = row.problem if row.problem and row.problem.strip() and self.problems else None
        if self.match == "problem_text":
            if text is None:
                self.no_text_match[row.line] = None
                return None
            return self.by_text(row, text)
        if row.problem_id is not None:
            pid = row.problem_id
            if text is not None and pid in self.index.text and not self.index.holds(pid, text):
                self.mismatched.setdefault(row.line, (row, pid))
            return pid
        if text is not None:
            return self.by_text(row, text)
        pid = self._positional(row)
        if pid is None:
            self.no_key[row.line] = None
        self.by_position += pid is not None
        return pid

    def errors(self) -> None:
        """Raise the first kind of failure found (mismatch, ambiguity, no match)."""
        where, check = self.path, "check benchmark=… and benchmark.source=…"
        if self.mismatched:
            row, pid = next(iter(self.mismatched.values()))
            lines = listing([f"line {n}" for n in self.mismatched])
            raise LogImportError(
                f"{where}: {len(self.mismatched)} rows carry a problem text that is not their "
                f"problem's ({lines}). Line {row.line} is for problem {pid!r}, whose text starts "
                f"{_start(stem(self.index.problems[pid]))}, but the log's text starts "
                f"{_start(row.problem or '')}. The log is of other problems or its ids point "
                f"elsewhere: {check}, or match by text alone with backend.match=problem_text"
            )
        if self.ambiguous:
            raise LogImportError(
                f"{where}: {len(self.ambiguous)} rows hold the text of more than one problem of "
                f"this benchmark ({listing(list(self.ambiguous.values()))}), so their text cannot "
                "say which they answer: match them by id (backend.fields.problem_id=…)"
            )
        if self.no_text_match:
            lines = listing([f"line {n}" for n in self.no_text_match])
            raise LogImportError(
                f"{where}: {len(self.no_text_match)} rows match no problem of this benchmark by "
                f"normalised problem text ({lines}); {check}"
            )
        if self.no_key:
            lines = listing([f"line {n}" for n in self.no_key])
            raise LogImportError(
                f"{where}: {len(self.no_key)} rows carry no problem id, no problem text and no "
                f"row index inside this benchmark ({lines}); {check}, or set "
                "backend.fields.problem_id=… or backend.match=problem_text"
            )


def resolve(
    path: Path, rows: Sequence[LogRow], match: str, problems: Sequence[Problem] | None
) -> Matched:
    """Replay rows ``(line, row)`` with problem ids, in the order read (module docstring).

    Args:
        path: The log (for messages).
        rows: The imported rows.
        match: ``id`` (ids, else texts, else row indices) or ``problem_text``.
        problems: Every problem of the benchmark in dataset order (needed for indices/texts).

    Returns:
        The rows, and the notes the run must carry (rows matched by position alone).

    Raises:
        LogImportError: An unknown ``match``; a row whose text is not its problem's, or is
            several problems'; rows that cannot be matched (each names the lines).
    """
    if match not in MATCHES:
        raise LogImportError(f"backend.match={match!r}: use one of {', '.join(MATCHES)}")
    resolver = _Resolver(path, match, problems)
    out: list[tuple[int, dict[str, Any]]] = []
    for row in rows:
        pid = resolver.pid(row)
        if pid is not None:
            out.append((row.line, row.replay_row(pid)))
    resolver.errors()
    notes: tuple[str, ...] = ()
    if resolver.by_position:
        notes = (
            f"{resolver.by_position} responses were matched to problems by their position in "
            "the log alone (doc_id / doc.id as the benchmark's row index): the log holds neither "
            "problem ids nor problem texts, so nothing checks that its row i is this benchmark's "
            "problem i",
        )
    return Matched(out, notes)
