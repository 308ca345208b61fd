r"""Adversarial inputs: every one returns a Verdict within its time limit, none raises.

In-process ``grade`` has a soft limit (math-verify's SIGALRM) plus guards against astronomically
large numbers; ``grade_all`` adds the hard limit, shown here with a worker stuck in C code.
"""

import re
import time

import pytest

from harness.grading import GradeTask, grade, grade_all, vote_all, vote_groups
from harness.grading import pool as pool_module
from harness.types import Problem, Verdict

TIMEOUT = 1.0
SLACK = 1.5  # process start-up, antlr warm-up and the soft timeout's whole-second rounding

TEN_MB = "x" * 10_000_000
ADVERSARIAL = {
    "10MB-no-think": TEN_MB,
    "10MB-reasoning-then-box": "<think>" + TEN_MB + "</think>\\boxed{5}",
    "10MB-final-section": "</think>" + ("\\frac{1}{2} = " * 700_000) + "\\boxed{5}",
    "10MB-of-boxes": "</think>" + "\\boxed{1}" * 1_100_000,
    "10MB-of-braces": "</think>\\boxed" + "{" * 5_000_000 + "}" * 5_000_000,
    "nested-braces-10k": "</think>\\boxed{" + "{" * 10_000 + "5" + "}" * 10_000 + "}",
    "nested-parens-3k": "</think>\\boxed{" + "(" * 3_000 + "5" + ")" * 3_000 + "}",
    "power-tower": "</think>\\boxed{10^{10^{10^{10}}}}",
    "huge-exponent": "</think>\\boxed{2^{99999999999}}",
    "huge-exponent-plain": "</think>The answer is 2**99999999999",
    "big-power": "</think>\\boxed{999999^{999999}}",
    "factorial": "</think>\\boxed{(10^{6})!}",
    "binary-junk": "</think>" + bytes(range(256)).decode("latin-1") * 100 + "\\boxed{\x00\xff}",
    "lone-backslashes": "</think>" + "\\" * 100_001,
    "unbalanced-box": "</think>\\boxed{\\frac{1}{2" * 1000,
    "many-dollars": "</think>" + "$" * 1_000_000,
    "surrogates": "</think>\\boxed{\ud800\udfff}",
    "empty": "",
}


@pytest.mark.parametrize("answer_type", ["math", "integer", "choice"])
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_grade_is_total_and_bounded(name: str, answer_type: str) -> None:
    gold = {"math": "5", "integer": "5", "choice": "C"}[answer_type]
    problem = Problem("p", "q", gold, answer_type)
    t0 = time.perf_counter()
    verdicts = grade(ADVERSARIAL[name], "stop", problem, reasoning=True, timeout_s=TIMEOUT)
    elapsed = time.perf_counter() - t0
    assert len(verdicts) == 2 and all(isinstance(v, Verdict) for v in verdicts)
    assert elapsed < 2 * TIMEOUT + SLACK, f"{name}: {elapsed:.2f}s"


def test_grade_survives_non_string_input() -> None:
    first, second = grade(None, "stop", Problem("p", "q", "5", "math"), True, TIMEOUT)  # type: ignore[arg-type]
    assert first.status == "error" and not second.correct


_REAL_GRADE_WINDOW = pool_module.grade_window


def _stuck_in_c(status, window, gold, answer_type, timeout_s):
    """Stand-in grader: catastrophic regex backtracking in C, deaf to signals, for "HANG"."""
    if "HANG" in window:
        re.match(r"(a+)+$", "a" * 64 + "b")  # ~2^64 steps: never returns
    return _REAL_GRADE_WINDOW(status, window, gold, answer_type, timeout_s)


@pytest.mark.slow
def test_pool_hard_timeout_on_c_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pool forks its workers, which inherit the patched module attribute.
    monkeypatch.setattr(pool_module, "grade_window", _stuck_in_c)
    responses = (
        ["</think>\\boxed{5}"] * 5 + ["</think>HANG \\boxed{5}"] + ["</think>\\boxed{4}"] * 5
    )
    tasks = [GradeTask(r, "stop", "5", "math", True) for r in responses]
    t0 = time.perf_counter()
    timed = pool_module.grade_all_timed(
        tasks, workers=2, timeout_s=TIMEOUT, progress=False, chunk_size=4
    )
    elapsed = time.perf_counter() - t0
    statuses = [pair[0].status for pair, _ in timed]
    assert statuses[5] == "timeout" and timed[5][0][1].status == "timeout"
    assert [pair[0].correct for pair, _ in timed] == [True] * 5 + [False] * 6
    assert statuses.count("timeout") == 1  # the rest of the chunk was regraded one by one
    # chunk budget (4 × 1 s) + single retry (1 s) + start-up
    assert elapsed < 4 * TIMEOUT + TIMEOUT + 4 * SLACK, elapsed


@pytest.mark.slow
def test_pool_on_all_adversarial_inputs() -> None:
    tasks = [GradeTask(r, "stop", "5", "math", True) for r in ADVERSARIAL.values()]
    tasks += [GradeTask(r, "length", "5", "integer", True) for r in ADVERSARIAL.values()]
    t0 = time.perf_counter()
    timed = pool_module.grade_all_timed(tasks, workers=2, timeout_s=TIMEOUT, progress=False)
    assert len(timed) == len(tasks)
    assert max(seconds for _, seconds in timed) < TIMEOUT + SLACK
    assert all(pair[0].status == "truncated" for pair, _ in timed[len(ADVERSARIAL) :])
    assert time.perf_counter() - t0 < 60


def test_grade_all_small_matches_grade() -> None:
    responses = ["</think>\\boxed{5}", "</think>\\boxed{6}", "<think>no end", "</think>"]
    tasks = [GradeTask(r, "stop", "5", "math", True) for r in responses]
    pairs = grade_all(tasks, workers=2, timeout_s=TIMEOUT, progress=False)
    expected = [grade(r, "stop", Problem("p", "q", "5", "math"), True, TIMEOUT) for r in responses]
    assert pairs == expected


def test_vote_groups_bounded() -> None:
    answers = ["10^{10^{10^{10}}}", "2^{99999999999}", "999999^{999999}", "5", "5.0", None]
    t0 = time.perf_counter()
    groups = vote_groups(answers, "math", timeout_s=TIMEOUT)
    assert time.perf_counter() - t0 < len(answers) * TIMEOUT + SLACK
    assert groups[3] == groups[4] and groups[5] is None
    assert vote_all([(answers, "math"), (["C", "C"], "choice")], workers=2, timeout_s=TIMEOUT)[
        1
    ] == [0, 0]
