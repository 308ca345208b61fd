"""Grading stage: responses → verdicts (math-verify primary, MATH-paper strings second)."""

from harness.grading.equivalence import vote_groups
from harness.grading.extract import final_section, last_boxed, response_status
from harness.grading.graders import GRADERS, grade, grader_versions
from harness.grading.pool import GradeTask, grade_all, vote_all

__all__ = [
    "GRADERS",
    "GradeTask",
    "final_section",
    "grade",
    "grade_all",
    "grader_versions",
    "last_boxed",
    "response_status",
    "vote_all",
    "vote_groups",
]
