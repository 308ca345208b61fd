import numpy as np
import pytest

from harness.metrics import majority_vote, problem_scores


def credit(correct: list[int], groups: list[int]) -> float:
    return float(majority_vote(np.array([correct], dtype=bool), np.array([groups]))[0])


def vote(correct: list[int], groups: list[int]) -> bool:
    out = credit(correct, groups)
    assert out in (0.0, 1.0), out  # a clear winner scores exactly 0 or 1
    return out == 1.0


def test_clear_majority_correct_and_incorrect() -> None:
    assert vote([1, 1, 1, 0, 0], [0, 0, 0, 1, 2]) is True
    assert vote([0, 0, 0, 1, 1], [3, 3, 3, 7, 7]) is False


def test_plurality_wins_without_absolute_majority() -> None:
    # classes of size 2 (wrong), 1, 1, 1 (one of them right): the pair wins
    assert vote([0, 0, 1, 0, 0], [5, 5, 1, 2, 3]) is False


def test_equivalent_answers_outvote_a_larger_single_string() -> None:
    # "1/2", "0.5", "\\frac12" were put in one class (id 4) by the grader; "2" appears twice.
    # Counted as raw strings, "2" would win 2 to 1; counted as classes, class 4 wins 3 to 2.
    assert vote([1, 1, 1, 0, 0], [4, 4, 4, 9, 9]) is True


def test_no_answer_samples_do_not_vote() -> None:
    # three samples without an answer, one wrong answer, two right ones: right wins 2 to 1
    assert vote([0, 0, 0, 0, 1, 1], [-1, -1, -1, 2, 0, 0]) is True
    # only one sample answered: it decides
    assert vote([0, 0, 1], [-1, -1, 0]) is True


def test_all_no_answer_is_incorrect() -> None:
    assert vote([0, 0, 0], [-1, -1, -1]) is False


@pytest.mark.parametrize(
    ("correct", "groups", "expected"),
    [
        ([1, 0, 1, 0], [0, 1, 0, 1], 0.5),  # 2-2 tie, one of the two classes is right
        ([0, 1, 0, 1], [1, 0, 1, 0], 0.5),  # order does not matter
        ([0, 0, 1], [-1, 2, 5], 0.5),  # 1-1 tie after a no-answer
        ([1, 0, 0], [0, 1, 2], 1 / 3),  # three-way tie
        ([0, 0, 1, 1], [1, 2, 3, 3], 1.0),  # the right class has two votes: no tie
        ([0, 0, 0, 0], [1, 1, 2, 2], 0.0),  # a tie of wrong classes scores 0
    ],
)
def test_ties_score_one_over_m(correct, groups, expected) -> None:
    assert credit(correct, groups) == pytest.approx(expected)


def test_cons64_blocks_average_when_n_exceeds_64() -> None:
    rng = np.random.default_rng(0)
    correct = rng.random((6, 130)) < 0.5
    groups = np.where(correct, 0, 1 + rng.integers(0, 3, correct.shape))
    scores = problem_scores(correct, groups)
    expected = (
        majority_vote(correct[:, :64], groups[:, :64])
        + majority_vote(correct[:, 64:128], groups[:, 64:128])
    ) / 2
    np.testing.assert_allclose(scores["cons@64"], expected)
    assert "2 disjoint blocks" in scores.metrics[-1].estimator
    assert "2 left over" in scores.metrics[-1].estimator


def test_vectorised_over_problems() -> None:
    correct = np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=bool)
    groups = np.array([[0, 0, 1], [1, 1, 0], [-1, -1, -1]])
    np.testing.assert_array_equal(majority_vote(correct, groups), [True, False, False])


def test_cons_metric_uses_the_vote_and_states_the_tie_rule() -> None:
    correct = np.array([[1, 0, 1, 0], [0, 0, 0, 1]], dtype=bool)
    groups = np.array([[0, 1, 0, 1], [2, 2, -1, 0]])
    scores = problem_scores(correct, groups)
    np.testing.assert_array_equal(scores["cons@4"], [0.5, 0.0])  # 2-2 tie: half credit
    estimator = scores.metrics[-1].estimator
    assert "tie for the most votes scores c/m" in estimator and "neutral" in estimator


def test_class_with_mixed_verdicts_is_rejected() -> None:
    with pytest.raises(ValueError, match="class 0 mixes correct and incorrect"):
        problem_scores(np.array([[1, 0]], dtype=bool), np.array([[0, 0]]))
