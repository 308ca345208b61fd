"""MATH-500 gold solutions graded against their own `answer` field: both graders must agree.

Each gold solution (which ends in its \\boxed answer) is the final section of an R1-style
response whose reasoning holds a decoy box that must be ignored.
"""

import json
from pathlib import Path

import pytest

from harness.grading import grade
from harness.types import Problem

DATA = Path(__file__).resolve().parents[2].parent / "shared/benchmarks/math500/test.jsonl"

# Agreement measured when the grader was written (2026-11, math-verify 0.9.0): 500/500 for
# both. MATH-500's `answer` field is the last box of `solution`, so the string grader matches
# too; any drop is a regression in box extraction or normalisation.
MATH_VERIFY_FLOOR = 500
NORMALIZED_FLOOR = 500

pytestmark = pytest.mark.shared


def _rows() -> list[dict]:
    if not DATA.exists():
        pytest.skip(f"{DATA} not present (needs ../shared/benchmarks)")
    text = DATA.read_text(encoding="utf-8")
    # Split on "\n" only: some texts hold U+2028, which str.splitlines() breaks on (SOURCES.md).
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def test_math500_gold_solutions_agree() -> None:
    rows = _rows()
    assert len(rows) == 500
    ok = [0, 0]
    misses: list[tuple[str, str, str | None]] = []
    for r in rows:
        response = (
            "<think>\nLet me try \\boxed{-12345} first... no, recheck.\n</think>\n\n"
            + r["solution"]
        )
        problem = Problem(r["unique_id"], r["problem"], r["answer"], "math")
        verdicts = grade(response, "stop", problem, reasoning=True, timeout_s=5.0)
        for k, v in enumerate(verdicts):
            ok[k] += v.correct
            if not v.correct:
                misses.append((v.grader, r["answer"], v.extracted))
    print(f"\nMATH-500 gold agreement: math_verify {ok[0]}/500, math_normalized {ok[1]}/500")
    for miss in misses:
        print("  miss:", miss)
    assert ok[0] >= MATH_VERIFY_FLOOR
    assert ok[1] >= NORMALIZED_FLOOR
