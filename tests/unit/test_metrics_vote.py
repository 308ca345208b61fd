import numpy as np
import pytest

from harness.metrics import majority_vote, problem_scores


def vote(correct: list[int], groups: list[int]) -> bool:
    return bool(majority_vote(np.array([correct], dtype=bool), np.array([groups]))[0])


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
        ([1, 0, 1, 0], [0, 1, 0, 1], True),  # tie 2-2: class 0 appears first, it is correct
        ([0, 1, 0, 1], [1, 0, 1, 0], False),  # tie 2-2: class 1 appears first, it is wrong
        ([0, 1, 1, 0], [3, 0, 0, 3], False),  # ids do not matter, first appearance does
        ([0, 0, 1], [-1, 2, 5], False),  # 1-1 tie after a no-answer: class 2 first
        ([1, 0], [0, 1], True),
    ],
)
def test_ties_go_to_first_appearing_class(correct, groups, expected) -> None:
    assert vote(correct, groups) is expected


def test_vectorised_over_problems() -> None:
    correct = np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=bool)
    groups = np.array([[0, 0, 1], [1, 1, 0], [-1, -1, -1]])
    np.testing.assert_array_equal(majority_vote(correct, groups), [True, False, False])


def test_cons_metric_uses_the_vote_and_states_the_tie_rule() -> None:
    correct = np.array([[1, 0, 1, 0], [0, 0, 0, 1]], dtype=bool)
    groups = np.array([[0, 1, 0, 1], [2, 2, -1, 0]])
    scores = problem_scores(correct, groups)
    np.testing.assert_array_equal(scores["cons@4"], [1.0, 0.0])
    estimator = scores.metrics[-1].estimator
    assert "first among the samples" in estimator and "neutral" in estimator


def test_class_with_mixed_verdicts_is_rejected() -> None:
    with pytest.raises(ValueError, match="class 0 mixes correct and incorrect"):
        problem_scores(np.array([[1, 0]], dtype=bool), np.array([[0, 0]]))
