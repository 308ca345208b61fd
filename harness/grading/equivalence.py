"""Equivalence classes of one problem's extracted answers, for majority vote (cons@n).

Votes count extracted answers, never raw text (docs/protocol.md §2: a majority vote over raw
text instead of extracted answers is a known pass@n bug).
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from harness.grading import grader_math_verify as mv
from harness.grading.normalize import strip_string, to_int


def plain_number(answer: str) -> Decimal | None:
    """The value of a plain decimal answer ("25", "-0.50"), rounded as the grader rounds; else None.

    Such answers need no LaTeX parse (5–8 ms each with antlr): they compare by value, with
    math-verify's 6-decimal rounding (``grader_math_verify.same_number``).
    """
    text = answer.strip()
    if not mv._PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        with localcontext() as ctx:
            ctx.prec = mv._PRECISION
            return Decimal(text).quantize(mv._ROUNDING).normalize()
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None


def _key(answer: str, answer_type: str) -> Hashable:
    """Cheap exact key: equal keys are certainly equivalent answers."""
    if answer_type == "choice":
        return answer.strip().strip("()").upper()
    if answer_type == "integer":
        value = to_int(answer)
        if value is not None:
            return value
    number = plain_number(answer)
    if number is not None:
        return ("number", number)
    try:
        return strip_string(answer)
    except Exception:
        return answer


_CORRECT = ("correct",)  # the key of every answer the grader found equal to the gold


def _correct(correct: list[bool] | None, i: int) -> bool:
    return bool(correct is not None and correct[i])


def vote_groups_exact(
    answers: list[str | None], answer_type: str, correct: list[bool] | None = None
) -> list[int | None]:
    """Group by normalised string (and integer value / letter) only; fast fallback.

    With ``correct`` (the primary grader's verdicts), every correct answer is in one class:
    each equals the gold, so all are equivalent.
    """
    ids: dict[Hashable, int] = {}
    out: list[int | None] = []
    for i, a in enumerate(answers):
        if a is None:
            out.append(None)
            continue
        key = _CORRECT if _correct(correct, i) else _key(a, answer_type)
        out.append(ids.setdefault(key, len(ids)))
    return out


def needs_parser(
    answers: list[str | None], answer_type: str, correct: list[bool] | None = None
) -> bool:
    """Say whether grouping these answers may call the LaTeX parser.

    It may when some wrong math answer is not a plain number; otherwise ``vote_groups`` is
    cheap enough to run in the parent.
    """
    if answer_type != "math":
        return False
    return any(
        a is not None and not _correct(correct, i) and plain_number(a) is None
        for i, a in enumerate(answers)
    )


def _parsed(text: str, timeout: int | None) -> list[Any]:
    """A class representative: a plain number as an exact sympy Rational, else the LaTeX parse."""
    number = plain_number(text)
    if number is not None:
        from sympy import Rational  # sympy is math-verify's own dependency

        return [Rational(str(number)), text]
    try:
        return mv.parse_gold(text, timeout)
    except BaseException as exc:  # noqa: BLE001 - math-verify's TimeoutException too
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return []


def vote_groups(
    answers: list[str | None],
    answer_type: str,
    timeout_s: float,
    correct: list[bool] | None = None,
) -> list[int | None]:
    """Assign each extracted answer to an equivalence class; ids in order of first appearance.

    Integers compare by value, letters by letter, plain decimal numbers by value (rounded to 6
    decimals), other math answers by math-verify (each distinct answer is compared with one
    representative per class; two plain numbers never reach it). Given the grader's verdicts
    (``correct``), the correct answers form one class unparsed (each equals the gold), and a
    wrong answer is compared only with wrong classes. The math step stops after
    ``timeout_s`` per distinct answer in all; answers left then are grouped by normalised string.
    The bound is soft in-process; ``pool.vote_all`` adds a hard one.

    Args:
        answers: The extracted answers of one problem's n samples (None: nothing extracted).
        answer_type: "math", "integer" or "choice".
        timeout_s: Time budget per distinct answer, in seconds.
        correct: The primary grader's verdict per answer, if known.

    Returns:
        One class id per answer (None for None).

    """
    exact = vote_groups_exact(answers, answer_type, correct)
    if not needs_parser(answers, answer_type, correct):
        return exact  # letters, integers, plain numbers: equal keys ⇔ equivalent answers
    n_exact = len({g for g in exact if g is not None})
    deadline = time.monotonic() + timeout_s * max(1, n_exact)
    timeout = mv.soft_timeout(timeout_s)
    reps: list[list] = []  # parsed representative of each merged class
    kinds: list[str] = []  # that representative: "correct", "number" or "latex"
    merged: dict[int, int] = {}  # exact-group id → merged class id
    first_text: dict[int, str] = {}
    right: set[int] = set()  # exact groups of correct answers (one at most)
    for i, (a, g) in enumerate(zip(answers, exact, strict=True)):
        if g is not None and a is not None:
            first_text.setdefault(g, a)
            if _correct(correct, i):
                right.add(g)
    for g in sorted(first_text):
        target = len(reps)
        parsed: list = []
        kind = "correct" if g in right else "latex"
        if kind == "latex" and time.monotonic() < deadline and not mv._risky(first_text[g]):
            parsed = _parsed(first_text[g], timeout)
            kind = "number" if plain_number(first_text[g]) is not None else "latex"
            for cid, rep in enumerate(reps):
                if time.monotonic() >= deadline:
                    break
                if kinds[cid] == "correct" or (kind == kinds[cid] == "number"):
                    continue  # a wrong answer is not the gold; two numbers differ by key
                if parsed and rep and mv.equivalent(rep, parsed, timeout)[0]:
                    target = cid
                    break
        if target == len(reps):
            reps.append(parsed)
            kinds.append(kind)
        merged[g] = target
    return [None if g is None else merged[g] for g in exact]
