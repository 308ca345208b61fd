"""Grading conventions: where the answer is read (answer_region) and what truncation costs."""

from __future__ import annotations

import pytest
import yaml

from harness.grading import grade
from harness.grading.convention import R1, Convention, ConventionError
from harness.grading.pool import GradeTask, grade_all
from harness.report.pooling import build_cells
from harness.report.runs import load_run
from harness.store.run_dir import mark_complete
from harness.types import Problem
from tests.unit.test_report_runs import write_run

P = Problem("p", "q", "25", "math")
# The only box is inside the reasoning; the response is cut right after </think>.
BOX_IN_THINK = "<think>\nSo the count is \\boxed{25}. Let me double-check.\n</think>\n"
# Stopped by the token limit after boxing the right answer in its final section.
CUT_WITH_BOX = "<think>\nShort.\n</think>\n\nThe answer is $\\boxed{25}$, because"
NEVER_CLOSED = "<think>\nIt is \\boxed{25}, I think, but"


def verdict(response, finish, **conv):
    return grade(response, finish, P, reasoning=True, timeout_s=5.0, **conv)


def test_box_inside_think_is_wrong_after_think_and_right_anywhere():
    first, second = verdict(BOX_IN_THINK, "stop")
    assert (first.correct, first.status, second.correct) == (False, "no_answer", False)
    first, second = verdict(BOX_IN_THINK, "stop", answer_region="anywhere")
    assert (first.correct, first.status, first.extracted, second.correct) == (
        True,
        "ok",
        "25",
        True,
    )


def test_unclosed_reasoning_is_read_anywhere():
    assert verdict(NEVER_CLOSED, "stop")[0].status == "unclosed_think"
    assert verdict(NEVER_CLOSED, "stop", answer_region="anywhere")[0].correct


def test_length_response_with_box_is_wrong_under_wrong_and_graded_under_grade():
    first, second = verdict(CUT_WITH_BOX, "length")
    assert (first.correct, first.status, second.status) == (False, "truncated", "truncated")
    first, second = verdict(CUT_WITH_BOX, "length", truncated="grade")
    assert (first.correct, first.status, second.correct) == (True, "ok", True)
    # graded means graded, not credited: a wrong box stays wrong
    wrong = CUT_WITH_BOX.replace("{25}", "{24}")
    assert verdict(wrong, "length", truncated="grade")[0].correct is False


def test_both_conventions_together_credit_a_cut_reasoning_box():
    assert not verdict(NEVER_CLOSED, "length", answer_region="anywhere")[0].correct
    assert verdict(NEVER_CLOSED, "length", answer_region="anywhere", truncated="grade")[0].correct


def test_pool_applies_the_convention_per_task():
    tasks = [
        GradeTask(BOX_IN_THINK, "stop", "25", "math", True),
        GradeTask(BOX_IN_THINK, "stop", "25", "math", True, answer_region="anywhere"),
        GradeTask(CUT_WITH_BOX, "length", "25", "math", True),
        GradeTask(CUT_WITH_BOX, "length", "25", "math", True, truncated="grade"),
    ]
    got = [pair[0].correct for pair in grade_all(tasks, workers=1, timeout_s=5, progress=False)]
    assert got == [False, True, False, True]


def test_convention_values_are_checked_and_recorded():
    assert R1.is_r1 and R1.as_dict() == {
        "answer_region": "after_think",
        "truncated": "wrong",
        "r1_rule": True,
    }
    assert Convention.from_config({}) == R1  # runs from before conventions were recorded
    other = Convention.from_config({"answer_region": "anywhere", "truncated": "grade"})
    assert not other.is_r1 and other.label() == "answer_region=anywhere, truncated=grade"
    with pytest.raises(ConventionError, match="grading.answer_region='inside'.*after_think"):
        Convention(answer_region="inside")
    with pytest.raises(ConventionError, match="grading.truncated='skip'.*wrong, grade"):
        Convention(truncated="skip")


def test_report_never_pools_runs_graded_under_different_conventions(tmp_path):
    a = load_run(write_run(tmp_path / "a"))
    b_dir = write_run(tmp_path / "b")
    config = yaml.safe_load((b_dir / "config.yaml").read_text())
    config["grading"] = {"answer_region": "anywhere", "truncated": "wrong"}
    (b_dir / "config.yaml").write_text(yaml.safe_dump(config))
    mark_complete(b_dir)
    cells = build_cells([a, load_run(b_dir)], resamples=100, seed=0, confidence=0.95)
    assert len(cells) == 2
    notes = {c.runs[0].run_id: c.notes for c in cells}
    assert notes["a"] == (
        "not pooled with b: grading convention answer_region=after_think, truncated=wrong vs "
        "answer_region=anywhere, truncated=wrong",
    )
