"""MATH-500 gold solutions graded against their own `answer` field: both graders must agree.

Each gold solution (which ends in its \\boxed answer) is the final section of an R1-style
response whose reasoning holds a decoy box that must be ignored. The bundled first 100 problems
always run; all 500 run when R1_BENCHMARKS_DIR holds the full file (tests/data/README.md).
"""

import json
from pathlib import Path

import pytest

from harness.grading import grade
from harness.types import Problem
from tests.conftest import data_file, full_data_dir

# Agreement measured when the grader was written (2026-11, math-verify 0.9.0): 500/500 for
# both. MATH-500's `answer` field is the last box of `solution`, so the string grader matches
# too; any miss is a regression in box extraction or normalisation.
SOURCES = [
    pytest.param("bundled", 100, id="bundled-100"),
    pytest.param("full", 500, id="full-500", marks=pytest.mark.full_data("benchmarks")),
]


def _rows(which: str) -> list[dict]:
    if which == "bundled":
        path = data_file("math500")
    else:
        path = Path(full_data_dir("benchmarks") or ".") / "math500" / "test.jsonl"
    text = path.read_text(encoding="utf-8")
    # Split on "\n" only: some texts hold U+2028, which str.splitlines() breaks on.
    return [json.loads(line) for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize(("which", "count"), SOURCES)
def test_math500_gold_solutions_agree(which: str, count: int) -> None:
    rows = _rows(which)
    assert len(rows) == count
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
    print(f"\nMATH-500 gold agreement ({count}): math_verify {ok[0]}, math_normalized {ok[1]}")
    for miss in misses:
        print("  miss:", miss)
    assert ok == [count, count]
