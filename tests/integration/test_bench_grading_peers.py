"""``benchmarks/bench_grading_peers.py`` (``make bench``'s peer table) runs and prints its table.

A small set (2 problems × 64 responses, one round); lighteval is left out here (its venv's
start-up costs more than the rest), so the table has ours, math-verify and lm-eval. Every grader
counts the same half right: the set's right answers are the gold answers themselves.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_the_peer_table_has_every_grader_and_the_same_verdicts():
    cmd = [sys.executable, "benchmarks/bench_grading_peers.py", "--n", "128", "--repeats", "1",
           "--graders", "math_verify", "lm_eval"]  # fmt: skip
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    table = [line for line in out.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| grader | wall (best) | responses/s | its time ÷ ours")
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in table[1:]}
    assert set(rows) == {"ours", "math_verify", "lm_eval"}
    assert {cells[-1].strip(" |") for cells in rows.values()} == {"64"}
    assert rows["ours"][3] == "—" and rows["math_verify"][3].endswith("×")
