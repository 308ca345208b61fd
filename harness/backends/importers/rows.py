"""What every log importer returns: rows in one shape, and where the log came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.errors import HarnessError
from harness.types import ToolVerdict

MAX_LISTED = 10  # how many offending lines an error message lists before "and N more"

# Finish reasons as other tools spell them → ours. OpenAI/vLLM: stop, length; Anthropic:
# end_turn, stop_sequence, max_tokens; HF generate logs: eos, max_length.
FINISH_SYNONYMS = {
    "stop": "stop", "eos": "stop", "end_turn": "stop", "stop_sequence": "stop",
    "length": "length", "max_tokens": "length", "max_length": "length",
    "content_filter": "content_filter", "unknown": "unknown",
}  # fmt: skip


class LogImportError(HarnessError):
    """A log cannot be imported as it is; the message names the lines and the fix."""


def listing(items: Sequence[str]) -> str:
    """``a, b, c and N more``: at most ``MAX_LISTED`` items of an error message."""
    shown = ", ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class LogRow:
    """One response read from a log, before it is matched to a benchmark problem.

    Attributes:
        line: Line number (JSONL) or 1-based row number (parquet) it came from.
        response: The response text.
        sample_index: Its index among the problem's samples, when the log says.
        finish_reason: "stop", "length", "content_filter" or "unknown".
        problem_id: The benchmark's problem id, when the log carries it.
        problem_index: The problem's row index in the benchmark, when that is all the log has
            (lm-eval's ``doc_id``, lighteval's ``doc.id``).
        problem: The problem text (or the full prompt), for ``backend.match=problem_text``.
        prompt: The prompt sent, when logged.
        n_prompt_tokens: Prompt tokens, when logged.
        n_generated_tokens: Generated tokens, when logged.
        tool_verdict: The tool's own verdict on this sample, when its log holds one.
    """

    line: int
    response: str
    sample_index: int | None = None
    finish_reason: str = "unknown"
    problem_id: str | None = None
    problem_index: int | None = None
    problem: str | None = None
    prompt: str | None = None
    n_prompt_tokens: int | None = None
    n_generated_tokens: int | None = None
    tool_verdict: ToolVerdict | None = None

    def replay_row(self, problem_id: str) -> dict[str, Any]:
        """The row in the replay format, for the given problem id."""
        return {
            "problem_id": problem_id,
            "sample_index": self.sample_index,
            "response": self.response,
            "finish_reason": self.finish_reason,
            "prompt": self.prompt,
            "n_prompt_tokens": self.n_prompt_tokens,
            "n_generated_tokens": self.n_generated_tokens,
            "tool_verdict": asdict(self.tool_verdict) if self.tool_verdict else None,
        }


@dataclass(frozen=True)
class ImportedLog:
    """A log read by one importer.

    Attributes:
        format: The format it was read as (``replay``, ``lm_eval``, ``lighteval``, ``jsonl``).
        rows: One row per response.
        origin: What the log says about how it was made: the tool, its model and sampling
            fields. Only what the log itself carries; never our defaults.
        notes: What a reader of the numbers must know (e.g. "the log records no finish
            reason, so truncated responses cannot be told apart").
    """

    format: str
    rows: tuple[LogRow, ...]
    origin: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def canonical_finish(value: Any) -> str | None:
    """Our finish reason for another tool's spelling (case-insensitive), or None if unknown."""
    return FINISH_SYNONYMS.get(str(value).strip().lower())


def finish_help(value: Any) -> str:
    """Why a finish reason is refused: the values read, and how to fix the log."""
    spellings: dict[str, list[str]] = {}
    for theirs, ours in FINISH_SYNONYMS.items():
        spellings.setdefault(ours, []).extend([] if theirs == ours else [theirs])
    accepted = ", ".join(
        ours + (f" (or {', '.join(other)})" if other else "") for ours, other in spellings.items()
    )
    return (
        f"finish reason {value!r} is not one this harness reads (case-insensitive): {accepted}. "
        "Rewrite the log's values as these (a response cut by the token limit as length), or "
        "remove the field to read every response as unknown"
    )


def finish_reason(value: Any, where: str) -> str:
    """Our finish reason for another tool's value (None: "unknown").

    Raises:
        LogImportError: An unrecognised value (names ``where``, the values read and the fix).
    """
    if value is None:
        return "unknown"
    ours = canonical_finish(value)
    if ours is None:
        raise LogImportError(f"{where}: {finish_help(value)}")
    return ours


def parse_tool_verdict(value: object) -> ToolVerdict | None:
    """A replay row's ``tool_verdict`` object (``store.results.completion_record``), or None."""
    if not isinstance(value, Mapping) or not isinstance(value.get("tool"), str):
        return None
    correct, score = value.get("correct"), value.get("score")
    text = {
        k: value.get(k) if isinstance(value.get(k), str) else None for k in ("answer", "metric")
    }
    number = isinstance(score, int | float) and not isinstance(score, bool)
    return ToolVerdict(
        tool=value["tool"],
        correct=correct if isinstance(correct, bool) else None,
        score=float(score) if number else None,
        **text,
    )


def distinct(values: Sequence[Any]) -> Any:
    """One value when all agree, else the sorted distinct values (at most ``MAX_LISTED``)."""
    seen: list[Any] = []
    for v in values:
        if v is not None and v not in seen:
            seen.append(v)
    if not seen:
        return None
    return seen[0] if len(seen) == 1 else seen[:MAX_LISTED]
