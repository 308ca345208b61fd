"""Majority vote over extracted answers (cons@n), per problem, with fractional credit for ties.

DeepSeek-R1 reports cons@64 on AIME: the answer given by most of the 64 samples is graded
(arXiv 2501.12948, §3). The vote is over *extracted* answers grouped into equivalence classes by
the grader, never over raw text (docs/protocol.md §2, "pass@n bugs": voting over raw strings
splits equal answers).

Tie rule (fractional credit): when m answer classes tie for the most votes, the problem scores
c/m, where c is the number of tied classes that are correct (0 or 1 in practice). This is the
expected score of breaking the tie uniformly at random, so it is neutral and has no sampling
order in it. DeepSeek's Table 5 cons@64 values 52.7 and 13.4 are not multiples of 100/30, which
a plain vote on 30 problems cannot produce; split ties (or averaging over vote sets) can.

cons@64 when n > 64: the n samples are cut into ⌊n/64⌋ disjoint blocks of 64 consecutive sample
indices, cons@64 is computed per block and averaged, so pooled runs still report the quantity
the paper reports; leftover samples (n mod 64) are not used by that metric.
"""

from __future__ import annotations

import numpy as np

NO_ANSWER = -1
"""Group id of a sample with no extractable answer; such samples do not vote."""

TIE_RULE = "an m-way tie for the most votes scores c/m, c = tied classes that are correct"
"""The tie rule, stated in the estimator text of cons@n."""

VOTE_BLOCK = 64  # the paper's cons@64 (arXiv 2501.12948, Table 5)


def class_counts(correct: np.ndarray, groups: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Votes per answer class of each problem, and whether each class is correct.

    Args:
        correct: Bool matrix (P, n); constant within each class.
        groups: Int matrix (P, n) of class ids, -1 for no answer.

    Returns:
        Per problem: (counts, class_correct), both of length = number of answered classes.
    """
    out = []
    for p in range(correct.shape[0]):
        voting = groups[p] != NO_ANSWER
        ids, first, counts = np.unique(groups[p][voting], return_index=True, return_counts=True)
        out.append((counts, correct[p][voting][first].astype(bool)))
    return out


def vote_credit(counts: np.ndarray, class_correct: np.ndarray) -> np.ndarray:
    """Fractional majority-vote credit from vote counts (vectorised over leading axes).

    Args:
        counts: Votes per class, shape (..., C); C may be 0.
        class_correct: Bool vector (C,): which classes are correct.

    Returns:
        Shape (...): c/m for an m-way tie at the top with c correct classes; 0 when nobody voted.
    """
    counts = np.asarray(counts)
    if counts.shape[-1] == 0:
        return np.zeros(counts.shape[:-1])
    top = counts.max(axis=-1, keepdims=True)
    tied = (counts == top) & (top > 0)
    m = tied.sum(axis=-1)
    c = (tied & class_correct).sum(axis=-1)
    return np.where(m > 0, c / np.maximum(m, 1), 0.0)


def majority_vote(correct: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per-problem credit of the majority vote over all n samples (module docstring).

    Samples vote for their answer's equivalence class (``groups``); samples with group
    ``NO_ANSWER`` (-1) do not vote. A problem where no sample has an answer scores 0.

    Args:
        correct: Bool matrix of shape (P problems, n samples); constant within each class.
        groups: Int matrix of the same shape: equivalence-class id of each sample's extracted
            answer among that problem's samples, -1 for none.

    Returns:
        Float vector of shape (P,) in [0, 1]: 1 or 0 for a clear winner, c/m for a tie.
    """
    correct = np.asarray(correct, dtype=bool)
    groups = np.asarray(groups)
    return np.array([float(vote_credit(n, ok)) for n, ok in class_counts(correct, groups)])


def block_vote(correct: np.ndarray, groups: np.ndarray, block: int = VOTE_BLOCK) -> np.ndarray:
    """cons@block averaged over the ⌊n/block⌋ disjoint blocks of consecutive samples.

    Args:
        correct: Bool matrix (P, n) with n ≥ block.
        groups: Int matrix (P, n).
        block: Samples per vote (64 for the paper's cons@64).

    Returns:
        Float vector (P,): the mean over blocks of each block's fractional vote credit.
    """
    n = correct.shape[1]
    if n < block:
        raise ValueError(f"cons@{block} needs at least {block} samples per problem, got {n}")
    k = n // block
    parts = [
        majority_vote(
            correct[:, b * block : (b + 1) * block], groups[:, b * block : (b + 1) * block]
        )
        for b in range(k)
    ]
    return np.mean(parts, axis=0)


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
