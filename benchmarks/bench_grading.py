"""Grading throughput on long R1-style responses and on adversarial ones, and the whole grading
stage (grading plus cons@n voting, ``harness.pipeline.grade``) against an earlier commit.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_grading.py [--n 6400] [--workers 2]
     [--baseline REV]
Reads $R1_BENCHMARKS_DIR/math500/test.jsonl when set, else the bundled first 100 problems.

``--baseline REV`` times the grading stage of commit REV (``git archive`` into a temporary
folder, run by this same script in a subprocess) on the very same responses, alternating with
the checkout's code, ``--repeats`` times each; the best time of each is compared.
"""

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tarfile
import tempfile
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


def own_wrong(gold: str, k: int) -> str:
    """A wrong answer of the problem's own kind: an integer off by k, else ``gold + k``."""
    return str(int(gold) + k) if gold.strip().lstrip("-").isdigit() else f"{gold}+{k}"


def long_responses(
    n: int, rng: random.Random, samples_per_problem: int, fresh_wrong: bool = False
) -> list[GradeTask]:
    """n long responses, grouped ``samples_per_problem`` to a problem as a run produces them.

    Half the samples give the gold answer, the rest one of 3 wrong answers per problem (R1's
    samples of one problem repeat a few answers). samples_per_problem=1: every answer distinct.
    ``fresh_wrong``: the wrong answers are the problem's own (``own_wrong``), so no other
    problem's gold answer, already parsed and cached by a worker, stands in for them.
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
            if fresh_wrong:
                answer = own_wrong(row["answer"], 1 + rng.randrange(3))
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


def stage_inputs(n: int, per_problem: int) -> tuple[list, list]:
    """Problems and completions for ``harness.pipeline.grade``: the long responses, as a run."""
    from harness.types import Completion, Problem

    tasks = long_responses(n, random.Random(0), per_problem, fresh_wrong=True)
    problems, completions = [], []
    for i, t in enumerate(tasks):
        pid = f"p{i // per_problem}"
        if i % per_problem == 0:
            problems.append(Problem(pid, "question", t.gold, "math"))
        completions.append(Completion(pid, i % per_problem, t.response, "stop"))
    return problems, completions


def time_stage(n: int, per_problem: int, workers: int, timeout_s: float) -> dict:
    """Wall time of the grading stage (workers start, grade, vote) and of grading alone."""
    import logging

    from harness.pipeline import grade

    logging.disable(logging.WARNING)
    problems, completions = stage_inputs(n, per_problem)
    t0, c0 = time.perf_counter(), cpu_seconds()
    graded = grade(problems, completions, reasoning=True, timeout_s=timeout_s, workers=workers)
    stage, stage_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    tasks = long_responses(n, random.Random(0), per_problem, fresh_wrong=True)
    t0, c0 = time.perf_counter(), cpu_seconds()
    grade_all_timed(tasks, workers=workers, timeout_s=timeout_s, progress=False)
    alone, alone_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    groups = json.dumps([g.vote_group for g in graded]).encode()
    return {"stage_s": stage, "grading_s": alone, "stage_cpu_s": stage_cpu,
            "grading_cpu_s": alone_cpu, "correct": sum(g.correct for g in graded),
            "groups_sha": hashlib.sha256(groups).hexdigest()}  # fmt: skip


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers, once joined).

    Unlike wall time it hardly moves when other processes share the cores.
    """
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def checkout(rev: str, into: Path) -> Path:
    """The repository at ``rev`` (``git archive``), unpacked under ``into``."""
    root = Path(__file__).resolve().parents[1]
    archive = into / "baseline.tar"
    with archive.open("wb") as handle:
        done = subprocess.run(["git", "archive", rev], cwd=root, stdout=handle, check=False)
    if done.returncode != 0:
        raise SystemExit(
            f"--baseline {rev}: git cannot archive it from {root} (not a git clone, or the commit "
            "is not in its history); pass an earlier commit of this clone, or leave --baseline out"
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def stage_in(tree: Path, args: argparse.Namespace) -> dict:
    """Run ``time_stage`` with the code of ``tree`` in a fresh interpreter."""
    cmd = [sys.executable, __file__, "--stage-only", "--n", str(args.n)]
    cmd += ["--workers", str(args.workers), "--timeout", str(args.timeout), "--data", str(DATA)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_stage(args: argparse.Namespace) -> None:
    """Time the grading stage of the checkout and of ``--baseline``, alternating."""
    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = checkout(args.baseline, Path(tmp)) if args.baseline else None
        new, old = [], []
        for _ in range(args.repeats):
            if old_tree is not None:
                old.append(stage_in(old_tree, args))
            new.append(stage_in(here, args))
    best_new = min(new, key=lambda r: r["stage_cpu_s"])
    print(
        f"grading stage (grade + vote, 64 samples/problem, half right, 3 wrong answers of its own "
        f"per problem, {args.n} responses, workers' start "
        f"included), best of {args.repeats} by CPU time: CPU {best_new['stage_cpu_s']:.1f} s, "
        f"wall {best_new['stage_s']:.1f} s = {args.n / best_new['stage_s']:,.0f} responses/s; "
        f"grading alone CPU {best_new['grading_cpu_s']:.1f} s, wall {best_new['grading_s']:.1f} s;"
        f" stage/grading CPU {best_new['stage_cpu_s'] / best_new['grading_cpu_s']:.2f}x"
    )
    if old:
        best_old = min(old, key=lambda r: r["stage_cpu_s"])
        print(
            f"baseline {args.baseline}: CPU {best_old['stage_cpu_s']:.1f} s, wall "
            f"{best_old['stage_s']:.1f} s = {args.n / best_old['stage_s']:,.0f} responses/s; "
            f"grading alone CPU {best_old['grading_cpu_s']:.1f} s; stage/grading CPU "
            f"{best_old['stage_cpu_s'] / best_old['grading_cpu_s']:.2f}x; the stage takes "
            f"{best_old['stage_cpu_s'] / best_new['stage_cpu_s']:.2f}x less CPU now "
            f"(wall {best_old['stage_s'] / best_new['stage_s']:.2f}x); same verdicts: "
            f"{best_old['correct'] == best_new['correct']}; same vote groups: "
            f"{best_old['groups_sha'] == best_new['groups_sha']}"
        )
    for label, runs in (("new", new), ("baseline", old)):
        if runs:
            cpu = [round(r["stage_cpu_s"], 1) for r in runs]
            wall = [round(r["stage_s"], 1) for r in runs]
            print(f"  {label}: stage CPU s {cpu}, wall s {wall}")


def main() -> None:
    global DATA
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=6400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--baseline", help="git revision whose grading stage to time alongside")
    ap.add_argument("--repeats", type=int, default=2, help="stage timings per code version")
    ap.add_argument("--stage-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, default=DATA, help="MATH-500 test.jsonl")
    args = ap.parse_args()
    DATA = args.data
    if args.stage_only:  # a child of compare_stage: one timing, as JSON
        print(json.dumps(time_stage(args.n, 64, args.workers, args.timeout)))
        return
    compare_stage(args)
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
