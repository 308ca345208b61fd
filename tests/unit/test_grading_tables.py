r"""Table tests: (gold, response, expected) rows shaped like real R1 outputs.

Each row: id, gold, answer_type, response, finish_reason, expected primary (math_verify)
correctness and status, expected secondary (math_normalized) correctness.
"""

import pytest

from harness.grading import final_section, grade, grader_versions, last_boxed, vote_groups
from harness.grading.extract import extract_letter, response_status
from harness.grading.normalize import strip_string, to_int
from harness.types import Problem

T = "<think>\nOkay, let me think. Suppose the answer were \\boxed{999}. No, recheck.\n</think>\n\n"

F5 = "First \\boxed{5}. Hmm, that used the wrong sign in the second step. Redoing it gives "

ROWS = [
    # id, gold, type, response, finish, primary correct, primary status, secondary correct
    ("plain", "25", "math", T + "The answer is $\\boxed{25}$.", "stop", True, "ok", True),
    ("box-in-think-ignored", "999", "math", T + "So $\\boxed{25}$.", "stop", False, "ok", False),
    ("only-box-in-think", "999", "math", T + "I am not sure.", "stop", False, "no_answer", False),
    ("last-box-wins", "7", "math", T + F5 + "\\boxed{7}.", "stop", True, "ok", True),
    ("last-box-wrong", "5", "math", T + F5 + "\\boxed{7}.", "stop", False, "ok", False),
    # math-verify's rule: boxes joined by and/or/,/; within 70 chars are one multi-part answer.
    (
        "boxes-joined",
        "2, 3",
        "math",
        T + "$x=\\boxed{2}$ and $x=\\boxed{3}$",
        "stop",
        True,
        "ok",
        False,
    ),
    (
        "two-think-ends",
        "3",
        "math",
        "<think>a</think> \\boxed{2} </think> \\boxed{3}",
        "stop",
        True,
        "ok",
        True,
    ),
    ("truncated-right-box", "25", "math", T + "\\boxed{25}", "length", False, "truncated", False),
    (
        "truncated-in-think",
        "25",
        "math",
        "<think>\n\\boxed{25} and so",
        "length",
        False,
        "truncated",
        False,
    ),
    (
        "unclosed-think",
        "25",
        "math",
        "<think>\nSo \\boxed{25}.",
        "stop",
        False,
        "unclosed_think",
        False,
    ),
    ("empty-final", "25", "math", T, "stop", False, "no_answer", False),
    ("half", "\\frac{1}{2}", "math", T + "$\\boxed{0.5}$", "stop", True, "ok", True),
    ("dfrac12", "\\frac{1}{2}", "math", T + "$\\boxed{\\dfrac12}$", "stop", True, "ok", True),
    ("slash", "\\frac{1}{2}", "math", T + "$\\boxed{1/2}$", "stop", True, "ok", True),
    ("sqrt-forms", "\\sqrt{117}", "math", T + "$\\boxed{3\\sqrt{13}}$", "stop", True, "ok", False),
    ("sqrt-unbraced", "2\\sqrt{3}", "math", T + "$\\boxed{2\\sqrt3}$", "stop", True, "ok", True),
    ("interval", "[2,5)", "math", T + "$\\boxed{[2, 5)}$", "stop", True, "ok", True),
    ("interval-wrong", "[2,5)", "math", T + "$\\boxed{(2, 5)}$", "stop", False, "ok", False),
    (
        "polar-tuple",
        "\\left( 3, \\frac{\\pi}{2} \\right)",
        "math",
        T + "$\\boxed{(3, \\frac{\\pi}{2})}$",
        "stop",
        True,
        "ok",
        True,
    ),
    ("degrees", "90^\\circ", "math", T + "$\\boxed{90}$", "stop", True, "ok", True),
    ("degrees-word", "30", "math", T + "$\\boxed{30^{\\circ}}$", "stop", True, "ok", True),
    ("text-unit", "10", "math", T + "$\\boxed{10\\text{ cm}}$", "stop", True, "ok", True),
    (
        "text-answer",
        "\\text{Evelyn}",
        "math",
        T + "$\\boxed{\\text{Evelyn}}$",
        "stop",
        True,
        "ok",
        True,
    ),
    ("dollars", "18.90", "math", T + "$\\boxed{\\$18.90}$", "stop", True, "ok", True),
    ("x-equals", "5", "math", T + "$\\boxed{x = 5}$", "stop", True, "ok", True),
    ("fbox", "5", "math", T + "$\\fbox{5}$", "stop", True, "ok", True),
    ("boxed-bare", "5", "math", T + "so the answer is \\boxed 5", "stop", True, "ok", True),
    ("wrong-number", "25", "math", T + "$\\boxed{24}$", "stop", False, "ok", False),
    ("negative", "-3", "math", T + "$\\boxed{-3}$", "stop", True, "ok", True),
    ("pi-expr", "2\\pi", "math", T + "$\\boxed{2 \\pi}$", "stop", True, "ok", True),
    ("set-list", "1, 2", "math", T + "$\\boxed{1, 2}$", "stop", True, "ok", True),
    ("no-box-answer-word", "25", "math", T + "The final answer is 25.", "stop", True, "ok", False),
    (
        "no-answer-at-all",
        "25",
        "math",
        T + "I could not solve it.",
        "stop",
        False,
        "no_answer",
        False,
    ),
    ("aime-leading-zero", "25", "integer", T + "$\\boxed{025}$", "stop", True, "ok", True),
    ("aime-float", "27", "integer", T + "$\\boxed{27.0}$", "stop", True, "ok", True),
    ("aime-wrong", "27", "integer", T + "$\\boxed{72}$", "stop", False, "ok", False),
    ("aime-truncated", "27", "integer", T + "$\\boxed{27}$", "length", False, "truncated", False),
    ("aime-thousands", "1000", "integer", T + "$\\boxed{1{,}000}$", "stop", True, "ok", True),
    (
        "aime-in-think-only",
        "27",
        "integer",
        "<think>\\boxed{27}</think>\nDone.",
        "stop",
        False,
        "no_answer",
        False,
    ),
    ("gpqa-answer-colon", "C", "choice", T + "Answer: C", "stop", True, "ok", True),
    ("gpqa-answer-is-paren", "C", "choice", T + "The answer is (C).", "stop", True, "ok", True),
    ("gpqa-boxed", "C", "choice", T + "$\\boxed{C}$", "stop", True, "ok", True),
    ("gpqa-bold", "C", "choice", T + "**Answer:** C", "stop", True, "ok", True),
    ("gpqa-boxed-text", "C", "choice", T + "$\\boxed{\\text{C}}$", "stop", True, "ok", True),
    (
        "gpqa-last-wins",
        "B",
        "choice",
        T + "Answer: A\nWait, no. Answer: B",
        "stop",
        True,
        "ok",
        True,
    ),
    ("gpqa-wrong", "B", "choice", T + "The answer is (D).", "stop", False, "ok", False),
    (
        "gpqa-in-think-only",
        "B",
        "choice",
        "<think>Answer: B</think>\nHmm.",
        "stop",
        False,
        "no_answer",
        False,
    ),
    ("gpqa-unclosed", "B", "choice", "<think>Answer: B", "stop", False, "unclosed_think", False),
]


@pytest.mark.parametrize(
    ("gold", "answer_type", "response", "finish", "ok1", "status1", "ok2"),
    [r[1:] for r in ROWS],
    ids=[r[0] for r in ROWS],
)
def test_table(gold, answer_type, response, finish, ok1, status1, ok2) -> None:
    problem = Problem("p", "q", gold, answer_type)
    first, second = grade(response, finish, problem, reasoning=True, timeout_s=5.0)
    assert (first.grader, second.grader) == ("math_verify", "math_normalized")
    assert (first.correct, first.status) == (ok1, status1), first
    assert second.correct == ok2, second
    if status1 in ("truncated", "unclosed_think"):
        assert second.status == status1


def test_non_reasoning_reads_whole_text() -> None:
    problem = Problem("p", "q", "25", "math")
    first, second = grade("Compute... \\boxed{25}", "stop", problem, reasoning=False, timeout_s=5)
    assert first.correct and second.correct


def test_enough_rows() -> None:
    assert len(ROWS) >= 40


def test_final_section_and_status() -> None:
    assert final_section("<think>a</think>b</think>c", True) == "c"
    assert final_section("<think>abc", True) is None
    assert final_section("<think>abc", False) == "<think>abc"
    assert response_status("x</think>\\boxed{1}", "length", True) == "truncated"
    assert response_status("x", "stop", True) == "unclosed_think"
    assert response_status("x", "stop", False) is None


def test_extract_helpers() -> None:
    assert last_boxed("a \\boxed{1} b \\boxed{\\frac{1}{2}} c") == "\\frac{1}{2}"
    assert last_boxed("\\boxed{\\{1,2\\}}") == "\\{1,2\\}"
    assert last_boxed("\\boxed{2} then \\boxed{3") == "2"  # unbalanced last box skipped
    assert last_boxed("no box") is None
    assert extract_letter("The answer is **B**. Final answer: (D)") == "D"
    assert extract_letter("Some text without a letter.") is None
    assert strip_string("\\left( 3, \\dfrac{\\pi}{2} \\right)") == "(3,\\frac{\\pi}{2})"
    assert strip_string("0.5") == "\\frac{1}{2}"
    assert to_int("025") == 25 and to_int("27.0") == 27 and to_int("2.5") is None


def test_grader_versions() -> None:
    versions = grader_versions()
    assert list(versions) == ["math_verify", "math_normalized"]
    assert versions["math_verify"] == "0.9.0"
    assert versions["math_normalized"].startswith("hendrycks-2021/")


@pytest.mark.parametrize(
    ("answers", "answer_type", "expected"),
    [
        (["\\frac{1}{2}", "0.5", None, "3", "\\dfrac12", "3.0"], "math", [0, 0, None, 1, 0, 1]),
        (["3\\sqrt{13}", "\\sqrt{117}", "x"], "math", [0, 0, 1]),
        (["025", "25", "26", None, "25.0"], "integer", [0, 0, 1, None, 0]),
        (["C", "c", "(C)", "A"], "choice", [0, 0, 0, 1]),
        ([None, None], "math", [None, None]),
        ([], "math", []),
        (["7", "[2,5)", "7"], "math", [0, 1, 0]),
    ],
)
def test_vote_groups(answers, answer_type, expected) -> None:
    assert vote_groups(answers, answer_type, timeout_s=5.0) == expected
