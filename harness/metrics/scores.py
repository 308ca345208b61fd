"""Per-problem score vectors of every reported metric, computed once from the sample matrix.

Each metric is the mean over problems of a fixed per-problem score, so these vectors are all the
bootstrap (``bootstrap.py``) and paired run comparisons (``paired_bootstrap_diff``) need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.metrics.passk import k_values, pass_at_1, pass_at_k
from harness.metrics.vote import TIE_RULE, VOTE_BLOCK, block_vote, check_classes, majority_vote


@dataclass(frozen=True)
class MetricScores:
    """One metric's per-problem scores and the name of its estimator.

    Attributes:
        name: Metric key, e.g. "pass@1", "pass@8", "cons@64".
        k: Samples the metric is about (k of pass@k; n for cons@n).
        estimator: How the number is estimated, in words, with its source.
        scores: Read-only float vector of shape (P,), per-problem values in [0, 1].

    """

    name: str
    k: int
    estimator: str
    scores: np.ndarray


@dataclass(frozen=True)
class ProblemScores:
    """Per-problem scores of all metrics of one run, in the problem order of its matrix.

    Attributes:
        n_problems: P.
        n_samples: n, samples per problem.
        metrics: pass@1, pass@2, pass@4, … pass@n, then cons@n, then cons@64 when n > 64.

    """

    n_problems: int
    n_samples: int
    metrics: tuple[MetricScores, ...]

    def __getitem__(self, name: str) -> np.ndarray:
        """Per-problem scores of the metric called ``name``."""
        for metric in self.metrics:
            if metric.name == name:
                return metric.scores
        raise KeyError(f"no metric {name!r}; have {[m.name for m in self.metrics]}")


def validate_matrix(correct: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check and normalise the correctness and answer-class matrices.

    Args:
        correct: Shape (P, n), bool or 0/1.
        groups: Shape (P, n), integer class ids, -1 for no answer.

    Returns:
        ``(correct, groups)`` as bool and int64 arrays.

    Raises:
        ValueError: On wrong dimensions, mismatched shapes, P or n of zero, non-0/1 correctness,
            non-integer groups, or a class whose samples disagree on correctness.

    """
    correct = np.asarray(correct)
    groups = np.asarray(groups)
    if correct.ndim != 2:
        raise ValueError(f"correct must be a (problems, samples) matrix, got shape {correct.shape}")
    if groups.shape != correct.shape:
        raise ValueError(f"groups shape {groups.shape} differs from correct shape {correct.shape}")
    n_problems, n_samples = correct.shape
    if n_problems < 1:
        raise ValueError("need at least one problem (P >= 1), got P = 0")
    if n_samples < 1:
        raise ValueError("need at least one sample per problem (n >= 1), got n = 0")
    if correct.dtype != bool:
        if not np.isin(correct, (0, 1)).all():
            raise ValueError("correct must hold only 0/1 or True/False")
        correct = correct.astype(bool)
    if not np.issubdtype(groups.dtype, np.integer):
        raise ValueError(f"groups must be integer class ids, got dtype {groups.dtype}")
    if (groups < -1).any():
        raise ValueError("groups must be >= 0, or -1 for a sample with no answer")
    groups = groups.astype(np.int64)
    check_classes(correct, groups)
    return correct, groups


def _frozen(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float64)
    vector.setflags(write=False)
    return vector


def problem_scores(correct: np.ndarray, groups: np.ndarray) -> ProblemScores:
    """Per-problem pass@1, unbiased pass@k for k = 2, 4, 8, … and n, and cons@n.

    Args:
        correct: Bool matrix of shape (P problems, n samples).
        groups: Int matrix of the same shape: answer-class id of each sample within its
            problem, -1 where no answer was extracted.

    Returns:
        The per-problem score vectors, with the estimator of each metric named.

    Raises:
        ValueError: If the matrices are malformed (see ``validate_matrix``).

    """
    correct, groups = validate_matrix(correct, groups)
    n_problems, n = correct.shape
    metrics = [
        MetricScores(
            name="pass@1",
            k=1,
            estimator=f"mean correctness over n={n} samples per problem (DeepSeek-R1 paper)",
            scores=_frozen(pass_at_1(correct)),
        )
    ]
    for k in k_values(n)[1:]:
        metrics.append(
            MetricScores(
                name=f"pass@{k}",
                k=k,
                estimator=f"unbiased pass@k (Chen et al. 2021), n={n}",
                scores=_frozen(pass_at_k(correct, k)),
            )
        )
    metrics.append(
        MetricScores(
            name=f"cons@{n}",
            k=n,
            estimator=(
                f"majority vote over extracted answers of n={n} samples (equivalent answers "
                f"form one class; samples with no answer do not vote; {TIE_RULE}, a neutral "
                "rule; no answer at all counts as incorrect)"
            ),
            scores=_frozen(majority_vote(correct, groups)),
        )
    )
    if n > VOTE_BLOCK:
        blocks = n // VOTE_BLOCK
        metrics.append(
            MetricScores(
                name=f"cons@{VOTE_BLOCK}",
                k=VOTE_BLOCK,
                estimator=(
                    f"majority vote of {VOTE_BLOCK} samples averaged over {blocks} disjoint "
                    f"blocks of consecutive samples (n={n}; {n - blocks * VOTE_BLOCK} left "
                    f"over); {TIE_RULE}"
                ),
                scores=_frozen(block_vote(correct, groups)),
            )
        )
    return ProblemScores(n_problems=n_problems, n_samples=n, metrics=tuple(metrics))
