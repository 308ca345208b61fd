"""Grading while generating: on a paced replay the work after the last completion stays small,
and every verdict, vote group, file and metric equals grading everything at the end.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from harness.data.loader import load_benchmark
from harness.data.oracle import write_rows
from harness.grading.stream import StreamGrader, grade
from harness.pipeline import run
from harness.types import Completion
from tests.conftest import compose, data_file

N = 8
PROBLEMS = 24
TAIL_TARGET_S = 5.0  # issue 18's target for the tail (last completion -> complete.json)
# Faster than the case, 32,000 samples from 8 GPUs in about a quarter of an hour (~35/s),
# and far below what grading keeps up with (~2,000 responses/s on 2 cores).
PACE = 48


def rows_for(problems) -> list[dict]:
    """R1-shaped rows whose answers repeat within a problem: gold, gold+1 and another problem's
    LaTeX gold (so voting needs the parser), a reasoning block with its own decoy box."""
    rows = []
    for i, p in enumerate(problems):
        other = problems[(i + 7) % len(problems)].gold
        for j in range(N):
            answer = [p.gold, other, f"{p.gold}+1", p.gold][j % 4]
            text = (
                f"<think>\n{p.question}\nFirst try: \\boxed{{{other}}}. Check again.\n</think>\n\n"
                f"The answer is $\\boxed{{{answer}}}$."
            )
            rows.append({"problem_id": p.id, "sample_index": j, "response": text})
    return rows


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same replay run twice: delivered at once, and paced at PACE completions/s (4 s)."""
    tmp = tmp_path_factory.mktemp("stream")
    base = [f"benchmark.source={data_file('math500')}", f"limit={PROBLEMS}"]
    problems, _ = load_benchmark(compose(base).benchmark, limit=PROBLEMS)
    path = write_rows(rows_for(problems), tmp / "replay.jsonl")
    out = {}
    for name, pace in (("unpaced", "null"), ("paced", str(PACE))):
        cfg = compose(
            [*base, "backend=replay", f"backend.path={path}", f"backend.pace={pace}",
             f"sampling.n={N}", "grading.workers=2", f"results_dir={tmp}", f"run_id={name}"]
        )  # fmt: skip
        started = time.perf_counter()
        outcome = run(cfg, tmp / name)
        out[name] = (outcome, time.perf_counter() - started)
    return problems, path, out


def test_paced_tail_under_target(runs):
    _, _, out = runs
    outcome, wall = out["paced"]
    gen = outcome.metrics["generation"]
    assert gen["paced_completions_per_s"] == PACE
    assert wall >= PROBLEMS * N / PACE  # the pacing happened
    assert 0 <= gen["tail_s"] <= TAIL_TARGET_S
    assert "last completion" in gen["tail_s_is"]
    assert (outcome.run_dir / "complete.json").is_file()


def test_verdicts_unchanged_by_pacing(runs):
    _, _, out = runs
    a, b = (out[k][0].run_dir for k in ("unpaced", "paced"))
    for name in ("samples.jsonl", "disagreements.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((d / "metrics.json").read_text()) for d in (a, b))
    for key in ("generation", "wall_time_s", "accounting"):  # timings and the pace itself
        ma.pop(key), mb.pop(key)
    assert ma == mb
    assert ma["metrics"]["pass@1"]["value"] == 50.0  # gold in 2 of every 4 samples


def test_samples_equal_batch_grading(runs):
    """samples.jsonl of the paced run holds what grading all completions at the end gives."""
    problems, path, out = runs
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    completions = [Completion(r["problem_id"], r["sample_index"], r["response"], "unknown")
                   for r in rows]  # fmt: skip
    batch = grade(problems, completions, reasoning=True, timeout_s=5.0, workers=2)
    written = [json.loads(line) for line in (out["paced"][0].run_dir / "samples.jsonl").open()]
    assert [(w["problem_id"], w["sample_index"]) for w in written] == [
        (c.problem_id, c.sample_index) for c in completions
    ]
    assert [w["verdicts"] for w in written] == [
        {v.grader: {"extracted": v.extracted, "correct": v.correct, "status": v.status}
         for v in s.verdicts} for s in batch
    ]  # fmt: skip
    assert [w["vote_group"] for w in written] == [s.vote_group for s in batch]
    assert len({w["vote_group"] for w in written if w["problem_id"] == problems[0].id}) == 3


def test_problems_graded_before_the_last_completion(tmp_path: Path):
    """Problems are graded and voted on while completions still arrive (the overlap itself)."""
    problems, _ = load_benchmark(compose([f"benchmark.source={data_file('math500')}"]).benchmark,
                                 limit=PROBLEMS)  # fmt: skip
    rows = rows_for(problems)
    emitted: list[float] = []
    grader = StreamGrader(problems, reasoning=True, timeout_s=5.0, workers=2, n=N,
                          on_problem=lambda s: emitted.append(time.perf_counter()))  # fmt: skip
    completions = [Completion(r["problem_id"], r["sample_index"], r["response"], "unknown")
                   for r in rows]  # fmt: skip
    half = len(completions) // 2
    grader.add_all(completions[:half])  # one chunk of 64 goes to the workers
    deadline = time.perf_counter() + 120  # the workers start and warm up (seconds when loaded)
    while len(emitted) < 64 // N and time.perf_counter() < deadline:
        grader.poll()
        time.sleep(0.05)
    grader.add_all(completions[half:])
    last = time.perf_counter()
    graded = grader.finish(completions)
    assert sum(t < last for t in emitted) >= 64 // N  # the first chunk's problems, voted
    assert graded == grade(problems, completions, reasoning=True, timeout_s=5.0, workers=2)
