"""Turn graded samples into the per-sample matrices every metric is computed from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from harness.metrics.summary import LengthUnit
from harness.metrics.vote import NO_ANSWER
from harness.types import GradedSample


@dataclass(frozen=True)
class SampleMatrix:
    """Per-sample facts of one run as (P problems, n samples) arrays, rows in problem order.

    Attributes:
        problem_ids: Row order.
        correct: Primary grader's verdicts (bool).
        groups: Answer-class id within the problem (int), -1 where nothing was extracted.
        truncated: Generation hit the token limit (finish reason "length" or verdict status
            "truncated").
        no_answer: The primary grader extracted no answer.
        lengths: Generated tokens where every completion reports them, else characters.
        length_unit: "tokens" or "characters", saying which.

    """

    problem_ids: tuple[str, ...]
    correct: np.ndarray
    groups: np.ndarray
    truncated: np.ndarray
    no_answer: np.ndarray
    lengths: np.ndarray
    length_unit: LengthUnit


def sample_matrix(samples: Iterable[GradedSample], problem_ids: Sequence[str]) -> SampleMatrix:
    """Arrange graded samples into matrices, checking every problem has the same n samples.

    Args:
        samples: Graded samples of one run, in any order.
        problem_ids: The problems evaluated, in the row order wanted.

    Returns:
        The matrices.

    Raises:
        ValueError: If a sample belongs to no listed problem, a (problem, sample index) pair
            repeats, or the problems do not all have sample indices 0 … n−1 for one n
            (averaging over fewer samples than claimed is a known pass@n bug, docs/protocol.md §2).

    """
    rows = {pid: i for i, pid in enumerate(problem_ids)}
    if len(rows) != len(problem_ids):
        raise ValueError("problem_ids contains duplicates")
    by_cell: dict[tuple[int, int], GradedSample] = {}
    for s in samples:
        pid, j = s.completion.problem_id, s.completion.sample_index
        if pid not in rows:
            raise ValueError(f"sample for unknown problem {pid!r}")
        if (rows[pid], j) in by_cell:
            raise ValueError(f"problem {pid!r} has sample index {j} twice")
        by_cell[(rows[pid], j)] = s
    n = 1 + max((j for _, j in by_cell), default=-1)
    if n == 0 or set(by_cell) != {(i, j) for i in range(len(rows)) for j in range(n)}:
        have = {pid: sorted(j for r, j in by_cell if r == i) for pid, i in rows.items()}
        uneven = {pid: js for pid, js in have.items() if js != list(range(n))}
        raise ValueError(
            f"every problem needs sample indices 0..n-1 with n={n}; these differ "
            f"(first 5): {dict(list(uneven.items())[:5])}"
        )
    grid = [[by_cell[(i, j)] for j in range(n)] for i in range(len(rows))]
    tokens = [[s.completion.n_generated_tokens for s in row] for row in grid]
    use_tokens = all(t is not None for row in tokens for t in row)
    return SampleMatrix(
        problem_ids=tuple(problem_ids),
        correct=np.array([[s.correct for s in row] for row in grid], dtype=bool),
        groups=np.array(
            [[NO_ANSWER if s.vote_group is None else s.vote_group for s in row] for row in grid],
            dtype=np.int64,
        ),
        truncated=np.array(
            [
                [
                    s.completion.finish_reason == "length" or s.verdicts[0].status == "truncated"
                    for s in row
                ]
                for row in grid
            ],
            dtype=bool,
        ),
        no_answer=np.array([[s.extracted is None for s in row] for row in grid], dtype=bool),
        lengths=np.array(
            tokens if use_tokens else [[len(s.completion.response) for s in row] for row in grid],
            dtype=np.float64,
        ),
        length_unit="tokens" if use_tokens else "characters",
    )
