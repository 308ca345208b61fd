"""``grade``: one response, two independent verdicts (math-verify first). Pure and total."""

from __future__ import annotations

from collections.abc import Callable

from math_verify.errors import TimeoutException

from harness.grading import grader_math_verify as mv
from harness.grading import grader_normalized as mn
from harness.grading.extract import prepare
from harness.types import Problem, Verdict, VerdictStatus

GRADERS: dict[str, str] = {mv.NAME: mv.VERSION, mn.NAME: mn.VERSION}
"""Grader name → version, primary first; record it with every run."""

Outcome = tuple[str | None, bool, str]


def grader_versions() -> dict[str, str]:
    """Return the graders' names and versions, primary first."""
    return dict(GRADERS)


def _safe(name: str, fn: Callable[[], Outcome]) -> Verdict:
    """Run one grader, turning every failure into a verdict."""
    try:
        extracted, correct, status = fn()
        return Verdict(name, extracted, bool(correct), status)  # type: ignore[arg-type]
    except TimeoutException:
        return Verdict(name, None, False, "timeout")
    except RecursionError:
        return Verdict(name, None, False, "error")
    except Exception:
        return Verdict(name, None, False, "error")


def grade_window(
    status: VerdictStatus | None, window: str, gold: str, answer_type: str, timeout_s: float
) -> tuple[Verdict, Verdict]:
    """Grade a response already cut by ``extract.prepare`` (what pool workers receive).

    Args:
        status: The status from ``prepare``; not None means "not gradable" (truncated, …).
        window: The answer window of the final section.
        gold: Gold answer text.
        answer_type: "math", "integer" or "choice".
        timeout_s: Soft per-grader time limit in seconds.

    Returns:
        (primary, secondary) verdicts.

    """
    if status is not None:
        return Verdict(mv.NAME, None, False, status), Verdict(mn.NAME, None, False, status)
    if answer_type == "integer":
        first = _safe(mv.NAME, lambda: mv.grade_integer(window, gold, timeout_s))
        second = _safe(mn.NAME, lambda: mn.grade_integer(window, gold))
    elif answer_type == "choice":
        first = _safe(mv.NAME, lambda: mv.grade_choice(window, gold))
        second = _safe(mn.NAME, lambda: mn.grade_choice(window, gold, timeout_s))
    else:
        first = _safe(mv.NAME, lambda: mv.grade_math(window, gold, timeout_s))
        second = _safe(mn.NAME, lambda: mn.grade_math(window, gold))
    return first, second


def grade(
    response: str,
    finish_reason: str,
    problem: Problem,
    reasoning: bool,
    timeout_s: float,
    answer_region: str = "after_think",
    truncated: str = "wrong",
) -> tuple[Verdict, Verdict]:
    """Grade one response with both graders; never raises.

    In-process the time limit is soft (math-verify's SIGALRM, main thread only); inputs that
    would make sympy compute astronomically large numbers are caught before parsing. Use
    ``pool.grade_all`` for a hard per-response limit.

    Args:
        response: The generated text.
        finish_reason: "stop", "length" or "unknown"; "length" means truncated.
        problem: The problem (its ``gold`` and ``answer_type`` are used).
        reasoning: True for R1-style models (the answer is read after the last ``</think>``).
        timeout_s: Soft time limit per grader call, in seconds.
        answer_region: "after_think" (R1 rule) or "anywhere" (``harness.grading.convention``).
        truncated: "wrong" (R1 rule) or "grade".

    Returns:
        (math_verify verdict, math_normalized verdict).

    """
    try:
        status, window = prepare(response, finish_reason, reasoning, answer_region, truncated)
        return grade_window(status, window, problem.gold, problem.answer_type, timeout_s)
    except BaseException as exc:  # noqa: BLE001 - total: even a stray TimeoutException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return Verdict(mv.NAME, None, False, "error"), Verdict(mn.NAME, None, False, "error")
