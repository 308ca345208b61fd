"""Statistics stage: pass@k, cons@n and seeded cluster-bootstrap intervals from the sample matrix.

Read top-down: ``passk`` and ``vote`` score each problem, ``scores`` gathers the per-problem
vectors, ``bootstrap`` resamples problems, ``summary`` writes metrics.json, ``matrix`` builds the
input matrices from graded samples.
"""

from harness.metrics.bootstrap import (
    PairedDiff,
    bootstrap_ci,
    bootstrap_means,
    paired_bootstrap_diff,
    percentile_interval,
    resample_indices,
)
from harness.metrics.matrix import SampleMatrix, sample_matrix
from harness.metrics.passk import k_values, pass_at_1, pass_at_k
from harness.metrics.scores import MetricScores, ProblemScores, problem_scores, validate_matrix
from harness.metrics.summary import metric_values, summarize
from harness.metrics.vote import majority_vote

__all__ = [
    "MetricScores",
    "PairedDiff",
    "ProblemScores",
    "SampleMatrix",
    "bootstrap_ci",
    "bootstrap_means",
    "k_values",
    "majority_vote",
    "metric_values",
    "paired_bootstrap_diff",
    "pass_at_1",
    "pass_at_k",
    "percentile_interval",
    "problem_scores",
    "resample_indices",
    "sample_matrix",
    "summarize",
    "validate_matrix",
]
