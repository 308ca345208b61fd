"""Each differing item gets the first category that explains it (harness/compare/categories.py)."""

from __future__ import annotations

import pytest

from harness.compare.categories import box_in_think, categorise
from harness.compare.load import Item

TEXT = "<think>\nIt is \\boxed{5}.\n</think>\n\nSo $\\boxed{5}$."


def item(correct, *, text=TEXT, status="ok", extracted="5", finish="stop"):
    return Item(text, finish, correct, extracted, status)


@pytest.mark.parametrize(
    ("a", "b", "regions", "expected"),
    [
        (item(True), None, ("after_think", "after_think"), "missing"),
        (None, item(True), ("after_think", "after_think"), "missing"),
        (item(True), item(False, text=TEXT + " "), ("after_think", "after_think"),
         "different_response"),
        # truncation decides before the answer region does
        (item(False, status="truncated", extracted=None, finish="length"),
         item(True, finish="length"), ("after_think", "anywhere"), "truncated"),
        (item(False, text="<think>\\boxed{5}</think>\n", status="no_answer", extracted=None),
         item(True, text="<think>\\boxed{5}</think>\n"), ("after_think", "anywhere"),
         "answer_in_think"),
        (item(False, text="<think>\\boxed{5} and", status="unclosed_think", extracted=None),
         item(True, text="<think>\\boxed{5} and"), ("after_think", "anywhere"), "answer_in_think"),
        # the same region on both sides: a different extraction is the extractor's doing
        (item(False, extracted="5."), item(True), ("after_think", "after_think"), "extraction"),
        (item(False), item(True), ("after_think", "after_think"), "equivalence"),
    ],
)  # fmt: skip
def test_categories(a, b, regions, expected):
    assert categorise(a, b, *regions) == expected


def test_box_in_think():
    assert box_in_think("<think>\\boxed{1}</think> no box")
    assert box_in_think("<think>\\boxed{1} never closed")
    assert not box_in_think(TEXT)
    assert not box_in_think("<think>no box</think>")
