"""Grading conventions: where the answer is read and what a cut-off response is worth.

Published R1 numbers differ partly because tools grade the same text under different rules.
Two choices explain most of it, and each run records the ones it used:

- ``answer_region``: ``after_think`` (the R1 rule, our default) reads the answer only after the
  last ``</think>``; a response that never closes its reasoning has no final answer.
  ``anywhere`` reads the last box of the whole response, reasoning included, as many eval
  scripts do (the MATH paper's ``last_boxed_only_string`` applied to the raw text).
- ``truncated``: ``wrong`` (the R1 rule) counts a response stopped by the token limit
  (``finish_reason: length``) as wrong whatever it holds; ``grade`` grades it as if it were
  final, as lighteval's MATH-500 metric and lm-eval's ``math_verify`` do (neither reads a finish
  reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessError

ANSWER_REGIONS = ("after_think", "anywhere")
TRUNCATED_RULES = ("wrong", "grade")


class ConventionError(HarnessError):
    """A grading convention value that does not exist."""


@dataclass(frozen=True)
class Convention:
    """How responses are graded (defaults: the DeepSeek-R1 rule).

    Attributes:
        answer_region: ``after_think`` or ``anywhere``.
        truncated: ``wrong`` or ``grade``.
    """

    answer_region: str = "after_think"
    truncated: str = "wrong"

    def __post_init__(self) -> None:
        if self.answer_region not in ANSWER_REGIONS:
            raise ConventionError(
                f"grading.answer_region={self.answer_region!r} is not a convention; "
                f"use one of {', '.join(ANSWER_REGIONS)}"
            )
        if self.truncated not in TRUNCATED_RULES:
            raise ConventionError(
                f"grading.truncated={self.truncated!r} is not a convention; "
                f"use one of {', '.join(TRUNCATED_RULES)}"
            )

    @property
    def is_r1(self) -> bool:
        """True for the R1 rule (answer after ``</think>``, truncated is wrong)."""
        return self == R1

    def as_dict(self) -> dict[str, Any]:
        """The convention as recorded in metrics.json and provenance.json."""
        return {
            "answer_region": self.answer_region,
            "truncated": self.truncated,
            "r1_rule": self.is_r1,
        }

    def label(self) -> str:
        """Short text, e.g. ``answer_region=anywhere, truncated=grade``."""
        return f"answer_region={self.answer_region}, truncated={self.truncated}"

    @classmethod
    def from_config(cls, grading: Any) -> Convention:
        """Read ``grading.answer_region`` / ``grading.truncated`` from a config node or dict.

        Missing keys (runs written before conventions were recorded) mean the R1 rule.
        """
        get = grading.get if hasattr(grading, "get") else (lambda k, d=None: d)
        return cls(
            answer_region=str(get("answer_region", None) or R1_REGION),
            truncated=str(get("truncated", None) or R1_TRUNCATED),
        )


R1_REGION = "after_think"
R1_TRUNCATED = "wrong"
R1 = Convention(R1_REGION, R1_TRUNCATED)
"""The DeepSeek-R1 rule: the default of every run."""
