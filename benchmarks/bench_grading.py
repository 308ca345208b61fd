"""Grading throughput on long R1-style responses and on adversarial ones.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_grading.py [--n 6400] [--workers 2]
Reads $R1_BENCHMARKS_DIR/math500/test.jsonl when set, else the bundled first 100 problems.
"""

import argparse
import json
import os
import random
import time
from pathlib import Path

from harness.grading.pool import GradeTask, grade_all_timed

_FULL = Path(os.environ.get("R1_BENCHMARKS_DIR") or "/nonexistent") / "math500/test.jsonl"
DATA = (
    _FULL
    if _FULL.is_file()
    else Path(__file__).resolve().parents[1] / "tests/data/math500_first100.jsonl"
)
REASONING_CHARS = 20_000  # ~5,000 tokens of reasoning at ~4 chars/token


def long_responses(n: int, rng: random.Random, samples_per_problem: int) -> list[GradeTask]:
    """n long responses, grouped ``samples_per_problem`` to a problem as a run produces them.

    Half the samples give the gold answer, the rest one of 3 wrong answers per problem (R1's
    samples of one problem repeat a few answers). samples_per_problem=1: every answer distinct.
    """
    text = DATA.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.split("\n") if line.strip()]
    tasks = []
    for i in range(n):
        row = rows[(i // samples_per_problem) % len(rows)]
        parts, size = [], 0
        while size < REASONING_CHARS:  # real solutions (with their boxes) as the reasoning
            s = rng.choice(rows)["solution"]
            parts.append(s)
            size += len(s)
        if i % 2 == 0:
            answer = row["answer"]
        else:
            wrong = rows[(len(row["unique_id"]) * 7919 + rng.randrange(3)) % len(rows)]["answer"]
            answer = wrong if samples_per_problem > 1 else rng.choice(rows)["answer"]
        response = (
            "<think>\n" + "\n\n".join(parts) + "\n</think>\n\n" + "**Final answer.** "
            f"Putting it together, the answer is $\\boxed{{{answer}}}$."
        )
        tasks.append(GradeTask(response, "stop", row["answer"], "math", True))
    return tasks


def adversarial(n: int) -> list[GradeTask]:
    shapes = [
        "</think>\\boxed{10^{10^{10^{10}}}}",
        "</think>\\boxed{2^{99999999999}}",
        "</think>\\boxed{" + "{" * 10_000 + "5" + "}" * 10_000 + "}",
        "</think>" + "\\" * 100_000,
        "</think>" + bytes(range(256)).decode("latin-1") * 400,
        "<think>" + "x" * 1_000_000 + "</think>\\boxed{5}",
    ]
    return [GradeTask(shapes[i % len(shapes)], "stop", "5", "math", True) for i in range(n)]


def run(name: str, tasks: list[GradeTask], workers: int, timeout_s: float) -> None:
    t0 = time.perf_counter()
    timed = grade_all_timed(tasks, workers=workers, timeout_s=timeout_s, progress=False)
    wall = time.perf_counter() - t0
    slowest = max(seconds for _, seconds in timed)
    n_correct = sum(pair[0].correct for pair, _ in timed)
    statuses: dict[str, int] = {}
    for pair, _ in timed:
        statuses[pair[0].status] = statuses.get(pair[0].status, 0) + 1
    mb = sum(len(t.response) for t in tasks) / 1e6
    print(
        f"{name}: {len(tasks)} responses ({mb:.0f} MB) in {wall:.2f} s = "
        f"{len(tasks) / wall:,.0f} responses/s; max per-response {slowest * 1000:.1f} ms "
        f"(timeout {timeout_s:g} s); primary correct {n_correct}; statuses {statuses}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=6400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    rng = random.Random(0)
    for per_problem, label in [
        (64, "long R1-style, 64 samples/problem"),
        (1, "long, all distinct"),
    ]:
        tasks = long_responses(args.n, rng, per_problem)
        run(label, tasks, args.workers, args.timeout)
    run("adversarial", adversarial(max(12, args.n // 100)), args.workers, args.timeout)


if __name__ == "__main__":
    main()
