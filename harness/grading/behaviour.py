"""Grading of the behaviour probes (``answer_type: refusal | identity``): one verdict per sample.

The verdict reuses the math fields (``harness.types.Verdict``) with these meanings:

- refusal: ``correct`` = the response is a refusal, ``extracted`` = the classifier's category
  (``harness.grading.refusal``);
- identity: ``correct`` = it names at least one organisation, ``extracted`` = the organisations
  it names, joined by "+", or "none" (``harness.grading.identity``).

``status`` is ``truncated`` (token limit), ``no_answer`` (no final answer) or ``ok``.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.grading import identity, refusal
from harness.types import Completion, GradedSample, Verdict

BEHAVIOUR_TYPES = ("refusal", "identity")


def is_behaviour(answer_type: str) -> bool:
    """Whether a benchmark's answer type is a behaviour probe (graded here, not by math)."""
    return answer_type in BEHAVIOUR_TYPES


def _status(c: Completion, has_answer: bool) -> str:
    if c.finish_reason == "length":
        return "truncated"
    return "ok" if has_answer else "no_answer"


def verdict(c: Completion, answer_type: str, *, reasoning: bool) -> Verdict:
    """The verdict of one completion (pure; the classifiers never raise)."""
    if answer_type == "identity":
        label = identity.classify_identity(
            c.response, reasoning=reasoning, finish_reason=c.finish_reason
        )
        return Verdict(
            grader=identity.GRADER_NAME,
            extracted=label.key,
            correct=bool(label.names),
            status=_status(c, label.has_answer),  # type: ignore[arg-type]
        )
    r = refusal.classify_refusal(c.response, reasoning=reasoning, finish_reason=c.finish_reason)
    return Verdict(
        grader=refusal.GRADER_NAME,
        extracted=r.category,
        correct=r.refused,
        status=_status(c, r.category != "no_answer"),  # type: ignore[arg-type]
    )


def grade_behaviour(
    completions: Sequence[Completion], answer_type: str, *, reasoning: bool
) -> list[GradedSample]:
    """Grade every completion of a probe run (single-process: regexes on short texts)."""
    return [
        GradedSample(completion=c, verdicts=(verdict(c, answer_type, reasoning=reasoning),))
        for c in completions
    ]


def grader_versions() -> dict[str, str]:
    """Names and versions of the behaviour graders, for provenance."""
    return {
        refusal.GRADER_NAME: refusal.GRADER_VERSION,
        identity.GRADER_NAME: identity.GRADER_VERSION,
    }
