r"""Pure, total flags on a response beside its verdict: stuck in a loop, an answer missed.

Neither changes a verdict; both are counted beside pass@1 and cons@n so that a headline number
shows what lies under it (issue 19 §8).

``looping``: the response ends in an exact repetition. The tail is *p-periodic* (every character
equals the one ``p`` before it) over at least ``max(LOOP_SPAN_CHARS, LOOP_REPEATS · p)``
characters, for some period ``1 ≤ p ≤ LOOP_MAX_PERIOD``. OpenCompass's repeat analysis counts
the same thing (a response whose end repeats one n-gram until the token limit). The test is a
handful of ``str.rfind`` and slice comparisons: candidate periods are the distances back to
earlier copies of the last ``LOOP_KEY_CHARS`` characters, which a periodic tail must have.

``answer_missed``: the verdict has no answer, yet the final section holds a ``\boxed{`` /
``\fbox{`` or ends with an "answer is …" / "Answer: …" phrase; MathArena flags such responses for
a human to look at, since the extractor (or the rule) may have lost a real answer.
"""

from __future__ import annotations

import re

from harness.grading.extract import THINK_END
from harness.types import Verdict

# 2,000 characters ≈ 500 tokens of R1 text (≈ 4 characters per token for English and LaTeX).
# Genuine reasoning repeats phrases ("Wait, let me check"), never 2,000 characters verbatim;
# a decoding loop that runs to a 32k-token limit repeats for thousands of tokens.
LOOP_SPAN_CHARS = 2_000
LOOP_REPEATS = 3  # a unit seen three times in a row is a loop, not a restated step
LOOP_MAX_PERIOD = 4_000  # a repeated unit up to a long paragraph (≈ 1,000 tokens)
LOOP_KEY_CHARS = 16  # copies of the last 16 characters give the candidate periods
FINAL_TAIL_CHARS = 300  # where a closing "answer is …" stands: the final section's last lines

_ANSWER_PHRASE = re.compile(r"(?i)(?:answer\s+is|answer\s*[:：])\s*\S")


def loop_period(response: str) -> int | None:
    """The shortest period ``p`` over which the response's tail repeats exactly, or None.

    Args:
        response: The generated text.

    Returns:
        ``p`` when the last ``max(LOOP_SPAN_CHARS, LOOP_REPEATS·p)`` characters are p-periodic
        for some ``p ≤ LOOP_MAX_PERIOD``; None otherwise (a response shorter than the span
        included: it did not loop to any limit).
    """
    if not isinstance(response, str) or len(response) < LOOP_SPAN_CHARS:
        return None
    t = response[-LOOP_REPEATS * LOOP_MAX_PERIOD :]
    n = len(t)
    key = t[-LOOP_KEY_CHARS:]
    low = max(0, n - LOOP_KEY_CHARS - LOOP_MAX_PERIOD)
    end = n - 1
    while True:
        j = t.rfind(key, low, end)
        if j < 0:
            return None
        p = n - LOOP_KEY_CHARS - j
        span = max(LOOP_SPAN_CHARS, LOOP_REPEATS * p)
        if span <= n and t[n - span : n - p] == t[n - span + p :]:
            return p
        end = j + LOOP_KEY_CHARS - 1  # the next copy to the left


def is_looping(response: str) -> bool:
    """Whether the response ends in an exact repetition (``loop_period`` is not None)."""
    try:
        return loop_period(response) is not None
    except Exception:  # noqa: BLE001 - a flag never raises
        return False


def answer_missed(response: str, verdict: Verdict) -> bool:
    r"""Whether an answer seems present in the final section though the verdict has none.

    Only verdicts whose final section was read count: ``no_answer`` (nothing extracted) and
    grader ``timeout`` / ``error``. A truncated or unclosed response has no final section under
    the R1 rule, so nothing there can have been missed.

    Args:
        response: The generated text.
        verdict: The primary grader's verdict.
    """
    try:
        if verdict.extracted is not None or verdict.status not in ("no_answer", "timeout", "error"):
            return False
        idx = response.rfind(THINK_END)
        final = response if idx < 0 else response[idx + len(THINK_END) :]
        if "\\boxed" in final or "\\fbox" in final:
            return True
        return _ANSWER_PHRASE.search(final[-FINAL_TAIL_CHARS:]) is not None
    except Exception:  # noqa: BLE001 - a flag never raises
        return False
