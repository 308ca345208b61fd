"""What lies under a headline number: per-run counts of the responses behind pass@1 and cons@n.

One definition for math and probe runs (``metrics.json["responses"]``, README "What a run
writes"). The flags overlap; each is a count of samples:

- ``truncated``: generation stopped at the token limit (finish reason ``length``).
- ``unclosed_reasoning``: a reasoning model's response with no ``</think>``, cut or not (a cut
  R1 response is usually unclosed too).
- ``no_answer``: the primary verdict holds no answer, whatever the reason: cut under the R1 rule,
  reasoning never closed, nothing extractable in the final section, a grader timeout or error.
  ``no_answer_pct`` is this count's share in both kinds of run.
- ``answer_missed``: no answer, yet the final section holds a box or a closing "answer is …"
  (``harness.grading.flags.answer_missed``); math runs only.
- ``looping``: the response ends in an exact repetition (``harness.grading.flags.loop_period``);
  ``looping_truncated`` of them were also cut at the token limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.grading.extract import THINK_END
from harness.grading.flags import answer_missed, is_looping
from harness.types import GradedSample

DEFINITIONS = {
    "truncated": "finish reason length (the token limit)",
    "unclosed_reasoning": "reasoning model, no </think> in the response (cut or not)",
    "no_answer": "the primary verdict holds no answer, whatever the reason (cut, unclosed, "
    "nothing extractable, grader timeout or error); includes the truncated ones",
    "answer_missed": "no answer, though the final section holds a box or a closing "
    "'answer is …' (math runs)",
    "looping": "the last max(2000, 3p) characters repeat with a period p ≤ 4000",
}


def is_truncated(sample: GradedSample) -> bool:
    """Cut at the token limit (finish reason, or a verdict that says so)."""
    return sample.completion.finish_reason == "length" or sample.verdicts[0].status == "truncated"


def response_counts(
    graded: Sequence[GradedSample], *, reasoning: bool, math: bool = True
) -> dict[str, Any]:
    """``metrics.json["responses"]``: the counts of the module docstring.

    Args:
        graded: The run's graded samples.
        reasoning: The model thinks in ``<think>…</think>`` (``model.reasoning``).
        math: A math run (counts ``answer_missed``); probe runs leave it null.
    """
    truncated = unclosed = no_answer = missed = looping = looping_cut = 0
    for s in graded:
        response = s.completion.response
        cut = is_truncated(s)
        loops = is_looping(response)
        truncated += cut
        unclosed += reasoning and isinstance(response, str) and THINK_END not in response
        no_answer += s.verdicts[0].status != "ok"
        missed += math and answer_missed(response, s.verdicts[0])
        looping += loops
        looping_cut += loops and cut
    return {
        "samples": len(graded),
        "truncated": int(truncated),
        "unclosed_reasoning": int(unclosed),
        "no_answer": int(no_answer),
        "answer_missed": int(missed) if math else None,
        "looping": int(looping),
        "looping_truncated": int(looping_cut),
        "definitions": DEFINITIONS,
    }


def counts_line(responses: dict[str, Any]) -> str:
    """One line of the counts, as ``harness-eval`` prints it under the metrics."""
    r = responses
    parts = [
        f"truncated {r['truncated']}",
        f"unclosed reasoning {r['unclosed_reasoning']}",
        f"no answer {r['no_answer']}",
    ]
    if r.get("answer_missed") is not None:
        parts.append(f"answer missed {r['answer_missed']}")
    parts.append(f"looping {r['looping']} ({r['looping_truncated']} cut)")
    return f"of {r['samples']} samples: " + ", ".join(parts)
