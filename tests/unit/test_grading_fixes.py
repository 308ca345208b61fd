r"""Grading edge cases of issue 10: big plain integers, the hang guard's scope, small towers,
numeric voting in batches, and a worker warm-up that really loads the LaTeX parser.
"""

from __future__ import annotations

import time

import pytest

from harness.grading import grade, vote_all, vote_groups
from harness.grading import grader_math_verify as mv
from harness.grading import pool as pool_module
from harness.grading.equivalence import needs_parser
from harness.types import Problem

BIG = "12345678901234567890123"  # 23 digits: overflowed Decimal's default 28-digit quantize


@pytest.mark.parametrize("answer_type", ["math", "integer"])
def test_big_plain_integer_is_graded_not_an_error(answer_type: str) -> None:
    first, second = grade(
        f"</think>\\boxed{{{BIG}}}", "stop", Problem("p", "q", BIG, answer_type), True, 5.0
    )
    assert (first.status, first.correct, first.extracted) == ("ok", True, BIG)
    wrong = grade(
        f"</think>\\boxed{{{BIG}}}",
        "stop",
        Problem("p", "q", BIG[:-1] + "4", answer_type),
        True,
        5.0,
    )
    assert wrong[0].status == "ok" and not wrong[0].correct


def test_hang_guard_reads_the_answer_not_the_prose_after_it() -> None:
    response = (
        "<think>work</think>\nSo $x = \\boxed{\\dfrac{1}{2}}$. Note that this is far smaller "
        "than $10^{10^{3}}$, which is huge."
    )
    first, _ = grade(response, "stop", Problem("p", "q", "\\frac{1}{2}", "math"), True, 5.0)
    assert first.correct and first.status == "ok"


def test_prose_with_a_huge_tower_after_the_box_is_not_parsed() -> None:
    response = "</think>\\boxed{\\frac{1}{2}} and besides, 10^{10^{10^{10}}} is large."
    t0 = time.perf_counter()
    first, _ = grade(response, "stop", Problem("p", "q", "\\frac{1}{2}", "math"), True, 5.0)
    assert first.correct and time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("answer_type", ["math", "integer"])
def test_small_tower_is_computed(answer_type: str) -> None:
    first, _ = grade(
        "</think>\\boxed{2^{3^{2}}}", "stop", Problem("p", "q", "512", answer_type), True, 5.0
    )
    assert first.correct
    wrong, _ = grade(
        "</think>\\boxed{2^{3^{2}}}", "stop", Problem("p", "q", "64", answer_type), True, 5.0
    )
    assert not wrong.correct


@pytest.mark.parametrize(
    ("text", "risky"),
    [
        ("10^{10^{10}}", True),  # exponent 10^10
        ("2^{99999999999}", True),
        ("2**99999999999", True),
        ("x^{10^{7}}", True),
        ("2^{-9999999}", True),
        ("2^{3^{2}}", False),  # exponent 9
        ("3^{3^{3}}", False),  # exponent 27
        ("2^{2^{2^{2}}}", False),  # exponent 2^4 = 16
        ("2^{2^{2^{2^{2}}}}", False),  # exponent 65,536: 19,729 digits, computed quickly
        ("2^{2^{2^{2^{2^{2}}}}}", True),  # exponent 2^65536
        ("e^{2^{x}}", False),
        ("999999^{999999}", False),  # 6-digit exponent: the old rule's bound, kept
    ],
)
def test_tower_guard_bounds_the_exponent(text: str, risky: bool) -> None:
    assert mv._risky(text) is risky


def test_numeric_voting_groups_plain_numbers_by_value() -> None:
    answers = ["5", "5.0", "05", "5.0000001", "6", None, "\\frac{10}{2}", "0.5", "\\frac12"]
    assert vote_groups(answers, "math", timeout_s=5.0) == [0, 0, 0, 0, 1, None, 0, 2, 2]
    assert not needs_parser(["5", "5.0", None, "-3"], "math")
    assert needs_parser(["5", "\\frac12"], "math")
    assert not needs_parser(["\\frac12"], "integer")
    big = [BIG, BIG + ".0", "1" + BIG]
    assert vote_groups(big, "math", timeout_s=5.0) == [0, 0, 1]


def test_vote_all_batches_problems_and_matches_vote_groups() -> None:
    problems = []
    for i in range(40):
        if i % 3 == 0:
            problems.append(([f"{i}", f"{i}.0", "7", None], "math"))  # plain: grouped here
        elif i % 3 == 1:
            problems.append(([f"\\frac{{{i}}}{{2}}", f"{i / 2}", "\\sqrt{2}", "x"], "math"))
        else:
            problems.append((["025", "25", "C"], "integer"))
    expected = [vote_groups(a, t, timeout_s=5.0) for a, t in problems]
    assert vote_all(problems, workers=2, timeout_s=5.0) == expected


def test_worker_warm_up_loads_the_latex_parser() -> None:
    mv.parse_gold.cache_clear()
    pool_module._init_worker()
    # The warm-up answer went through the LaTeX parse (a plain "1" would take the fast path).
    assert mv.parse_gold.cache_info().currsize == 1


def test_voting_with_verdicts_merges_correct_answers_and_parses_only_wrong_ones() -> None:
    answers = ["\\frac{1}{2}", "0.5", "\\dfrac12", "\\sqrt{2}", "\\sqrt2", "3", None]
    correct = [True, True, True, False, False, False, False]
    groups = vote_groups(answers, "math", timeout_s=5.0, correct=correct)
    assert groups == [0, 0, 0, 1, 1, 2, None]
    assert groups == vote_groups(answers, "math", timeout_s=5.0)  # same classes, less parsing
    assert not needs_parser(["\\frac12", "3"], "math", [True, False])  # only a correct LaTeX one
    mv.parse_gold.cache_clear()
    vote_groups(["\\frac{1}{2}", "\\frac{2}{4}", "7"], "math", 5.0, [True, True, False])
    assert mv.parse_gold.cache_info().currsize == 0  # no LaTeX parse at all


def test_vote_all_with_verdicts_matches_vote_groups() -> None:
    problems = [(["\\frac{1}{2}", "0.5", "\\pi", "x+1", "1+x"], "math")] * 3
    correct = [[True, True, False, False, False]] * 3
    expected = [vote_groups(a, t, 5.0, c) for (a, t), c in zip(problems, correct, strict=True)]
    assert vote_all(problems, workers=2, timeout_s=5.0, correct=correct) == expected
    assert expected[0] == [0, 0, 1, 2, 2]
