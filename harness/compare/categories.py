"""Why one item's verdict differs between two runs: one category per item, first rule that holds.

1. ``missing``: the item is in one run only. ``harness-compare`` lists no such item as
   differing: it counts them apart, as unshared samples (``reconcile.py``).
2. ``different_response``: the two texts differ (other sampling, another harness's output).
3. ``truncated``: the same text, and one side counted it wrong because it was stopped by the
   token limit (``grading.truncated=wrong``) while the other graded it.
4. ``answer_in_think``: the same text, the two runs read answers from different regions
   (``grading.answer_region``), and the region decided it: the text never closes its
   reasoning, or its last box lies inside the reasoning.
5. ``extraction``: the same text, different extracted answers (another extractor or grader).
6. ``equivalence``: the same text and extraction, a different verdict (another equivalence
   check, or another gold answer).
"""

from __future__ import annotations

from harness.compare.load import Item
from harness.grading.extract import THINK_END, last_boxed_span

# The categories of an item both runs hold (``missing`` is not one of them).
CATEGORIES = ("truncated", "answer_in_think", "extraction", "equivalence", "different_response")


def box_in_think(response: str) -> bool:
    """True when the last box of the text is inside the reasoning (or ``</think>`` never comes)."""
    span = last_boxed_span(response)
    if span is None:
        return False
    end = response.rfind(THINK_END)
    return end < 0 or span[0] < end


def categorise(a: Item | None, b: Item | None, region_a: str, region_b: str) -> str:
    """The category of an item whose verdicts differ (module docstring).

    Args:
        a: The item in run A (None: absent).
        b: The item in run B (None: absent).
        region_a: Where run A read answers ("after_think" or "anywhere").
        region_b: Where run B read answers.

    Returns:
        One of ``CATEGORIES``.
    """
    if a is None or b is None:
        return "missing"
    if a.response != b.response:
        return "different_response"
    if "truncated" in (a.status, b.status):
        return "truncated"
    if region_a != region_b and (
        "unclosed_think" in (a.status, b.status) or box_in_think(a.response)
    ):
        return "answer_in_think"
    if a.extracted != b.extracted:
        return "extraction"
    return "equivalence"
