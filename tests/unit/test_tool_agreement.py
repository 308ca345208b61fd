"""The tool-vs-ours summary (harness/compare/tool.py): counts, categories, both pass@1."""

from __future__ import annotations

from harness.compare.tool import note, tool_agreement


def row(pid, j, ours, status, extracted, tool, answer, response="<think>x</think> \\boxed{1}"):
    return {
        "problem_id": pid, "sample_index": j, "response": response, "correct": ours,
        "extracted_answer": extracted, "verdicts": {"math_verify": {"status": status}},
        "tool_verdict": None if tool is None else {"tool": "t", "correct": tool, "answer": answer},
    }  # fmt: skip


def test_each_category_and_both_pass_at_1():
    rows = [
        row("a", 0, True, "ok", "1", True, "1"),  # agree
        row("a", 1, False, "truncated", None, True, "1"),
        row("b", 0, False, "unclosed_think", None, True, "2", response="<think>\\boxed{2}"),
        row("b", 1, True, "ok", "1", False, ""),  # the tool extracted nothing
        row("c", 0, False, "ok", "3", True, "3"),  # same answer, other verdict
        row("c", 1, True, "ok", "1", False, None),  # no answer logged
        row("d", 0, True, "ok", "1", None, None),  # no tool verdict: left out
    ]
    s = tool_agreement(rows, {"score": {"metric": "acc", "value": 0.5}})
    assert s["n_samples"] == 7 and s["n_with_verdict"] == 6 and s["n_differ"] == 5
    assert s["categories"] == {"truncated": 1, "answer_in_think": 1, "extraction": 1,
                               "equivalence": 1, "unexplained": 1}  # fmt: skip
    assert s["pass@1"]["tool"] == (100 + 50 + 50) / 3  # per-problem means over a, b, c
    assert s["pass@1"]["ours"] == (50 + 50 + 50) / 3
    assert s["tool_reported"] == {"metric": "acc", "value": 0.5}
    assert note(s).startswith("t graded 5 of 6 samples differently from us (1 truncated, ")


def test_no_tool_verdicts_no_summary():
    assert tool_agreement([row("a", 0, True, "ok", "1", None, None)]) is None
