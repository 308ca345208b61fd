import numpy as np
import pytest

from harness.metrics import sample_matrix
from harness.types import Completion, GradedSample, Verdict


def graded(pid, j, correct, extracted, group, *, finish="stop", tokens=None, text="abc"):
    status = "ok" if extracted is not None else "no_answer"
    return GradedSample(
        completion=Completion(pid, j, text, finish_reason=finish, n_generated_tokens=tokens),
        verdicts=(Verdict("g", extracted, correct, status),),
        vote_group=group,
    )


def test_builds_matrices_in_problem_order() -> None:
    samples = [
        graded("b", 1, False, None, None, finish="length", text="xxxx"),
        graded("a", 0, True, "5", 0, text="x"),
        graded("b", 0, True, "7", 0, text="xx"),
        graded("a", 1, False, "6", 1, text="xxx"),
    ]
    m = sample_matrix(samples, ["a", "b"])
    assert m.problem_ids == ("a", "b")
    np.testing.assert_array_equal(m.correct, [[True, False], [True, False]])
    np.testing.assert_array_equal(m.groups, [[0, 1], [0, -1]])
    np.testing.assert_array_equal(m.truncated, [[False, False], [False, True]])
    np.testing.assert_array_equal(m.no_answer, [[False, False], [False, True]])
    np.testing.assert_array_equal(m.lengths, [[1, 3], [2, 4]])
    assert m.length_unit == "characters"


def test_uses_tokens_when_every_completion_has_them() -> None:
    samples = [graded("a", j, True, "1", 0, tokens=10 * (j + 1)) for j in range(3)]
    m = sample_matrix(samples, ["a"])
    assert m.length_unit == "tokens"
    np.testing.assert_array_equal(m.lengths, [[10, 20, 30]])


def test_rejects_uneven_sample_counts() -> None:
    samples = [
        graded("a", 0, True, "1", 0),
        graded("a", 1, True, "1", 0),
        graded("b", 0, 1, "1", 0),
    ]
    with pytest.raises(ValueError, match="sample indices 0..n-1"):
        sample_matrix(samples, ["a", "b"])


def test_rejects_duplicates_and_unknown_problems() -> None:
    with pytest.raises(ValueError, match="twice"):
        sample_matrix([graded("a", 0, True, "1", 0)] * 2, ["a"])
    with pytest.raises(ValueError, match="unknown problem"):
        sample_matrix([graded("z", 0, True, "1", 0)], ["a"])
