"""Majority vote over extracted answers (cons@n), per problem.

DeepSeek-R1 reports cons@64 on AIME: the answer given by most of the 64 samples is graded
(arXiv 2501.12948, §3). The vote is over *extracted* answers grouped into equivalence classes by
the grader, never over raw text (docs/protocol.md §2, "pass@n bugs").
"""

from __future__ import annotations

import numpy as np

NO_ANSWER = -1
"""Group id of a sample with no extractable answer; such samples do not vote."""

TIE_RULE = "ties go to the class that appears first among the samples"
"""The deterministic tie rule, stated in the estimator text of cons@n."""


def majority_vote(correct: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per-problem correctness of the majority-vote answer.

    Samples vote for their answer's equivalence class (``groups``); samples with group
    ``NO_ANSWER`` (-1) do not vote. The class with the most votes wins; a tie goes to the tied
    class whose first sample comes earliest in sample order. That rule never looks at
    correctness, and sample order is random, so it is neutral: in expectation it neither favours
    nor penalises the correct class. A problem where no sample has an answer counts as incorrect.

    Args:
        correct: Bool matrix of shape (P problems, n samples); constant within each class.
        groups: Int matrix of the same shape: equivalence-class id of each sample's extracted
            answer among that problem's samples, -1 for none.

    Returns:
        Bool vector of shape (P,): whether the winning class is correct.

    """
    correct = np.asarray(correct, dtype=bool)
    groups = np.asarray(groups)
    winners = np.zeros(correct.shape[0], dtype=bool)
    for p in range(correct.shape[0]):
        voting = groups[p] != NO_ANSWER
        if not voting.any():
            continue  # nobody answered: incorrect
        ids, first, counts = np.unique(groups[p][voting], return_index=True, return_counts=True)
        tied = counts == counts.max()
        winner = ids[tied][np.argmin(first[tied])]
        winners[p] = correct[p][groups[p] == winner][0]
    return winners


def check_classes(correct: np.ndarray, groups: np.ndarray) -> None:
    """Raise if correctness differs within an answer class of some problem.

    Args:
        correct: Bool matrix of shape (P, n).
        groups: Int matrix of shape (P, n).

    Raises:
        ValueError: Naming the first problem row and class id where samples disagree.

    """
    for p in range(correct.shape[0]):
        for gid in np.unique(groups[p]):
            if gid == NO_ANSWER:
                continue
            verdicts = correct[p][groups[p] == gid]
            if verdicts.any() and not verdicts.all():
                raise ValueError(
                    f"problem row {p}: answer class {int(gid)} mixes correct and incorrect "
                    "samples; equivalent answers must share one verdict"
                )
