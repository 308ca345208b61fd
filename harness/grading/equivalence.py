"""Equivalence classes of one problem's extracted answers, for majority vote (cons@n).

Votes count extracted answers, never raw text (docs/protocol.md §2: a majority vote over raw
text instead of extracted answers is a known pass@n bug).
"""

from __future__ import annotations

import time
from collections.abc import Hashable

from harness.grading import grader_math_verify as mv
from harness.grading.normalize import strip_string, to_int


def _key(answer: str, answer_type: str) -> Hashable:
    """Cheap exact key: equal keys are certainly equivalent answers."""
    if answer_type == "choice":
        return answer.strip().strip("()").upper()
    if answer_type == "integer":
        value = to_int(answer)
        if value is not None:
            return value
    try:
        return strip_string(answer)
    except Exception:
        return answer


def vote_groups_exact(answers: list[str | None], answer_type: str) -> list[int | None]:
    """Group by normalised string (and integer value / letter) only; fast fallback."""
    ids: dict[Hashable, int] = {}
    out: list[int | None] = []
    for a in answers:
        if a is None:
            out.append(None)
            continue
        out.append(ids.setdefault(_key(a, answer_type), len(ids)))
    return out


def vote_groups(answers: list[str | None], answer_type: str, timeout_s: float) -> list[int | None]:
    """Assign each extracted answer to an equivalence class; ids in order of first appearance.

    Integers compare by value, letters by letter, math answers by math-verify (each distinct
    answer is compared with one representative per class). The math step stops after
    ``timeout_s`` per distinct answer in all; answers left then are grouped by normalised string.
    The bound is soft in-process; ``pool.vote_all`` adds a hard one.

    Args:
        answers: The extracted answers of one problem's n samples (None: nothing extracted).
        answer_type: "math", "integer" or "choice".
        timeout_s: Time budget per distinct answer, in seconds.

    Returns:
        One class id per answer (None for None).

    """
    exact = vote_groups_exact(answers, answer_type)
    if answer_type != "math":
        return exact
    n_exact = len({g for g in exact if g is not None})
    deadline = time.monotonic() + timeout_s * max(1, n_exact)
    timeout = mv.soft_timeout(timeout_s)
    reps: list[list] = []  # parsed representative of each merged class
    merged: dict[int, int] = {}  # exact-group id → merged class id
    first_text: dict[int, str] = {}
    for a, g in zip(answers, exact, strict=True):
        if g is not None and a is not None:
            first_text.setdefault(g, a)
    for g in sorted(first_text):
        target = len(reps)
        if time.monotonic() < deadline and not mv._risky(first_text[g]):
            try:
                parsed = mv.parse_gold(first_text[g], timeout)
            except BaseException as exc:  # noqa: BLE001 - math-verify's TimeoutException too
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                parsed = []
            for cid, rep in enumerate(reps):
                if time.monotonic() >= deadline:
                    break
                if parsed and rep and mv.equivalent(rep, parsed, timeout)[0]:
                    target = cid
                    break
        else:
            parsed = []
        if target == len(reps):
            reps.append(parsed)
        merged[g] = target
    return [None if g is None else merged[g] for g in exact]
