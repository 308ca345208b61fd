"""Our grader against three peers on the very same responses, interleaved in one run.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_grading_peers.py [--n 6400] [--workers 2]
     [--repeats 3] [--lighteval-python .venv-tools/lighteval/bin/python]

The responses are ``bench_grading.long_responses``'s 64-per-problem set (long R1-style texts,
~20,000 characters of real MATH-500 solutions as reasoning, then ``</think>`` and a boxed final
answer; half right, the rest one of 3 wrong answers per problem), written once to a JSONL file
with each problem's gold answer and solution. Each grader then runs in a fresh interpreter, on
``--workers`` processes, over all of them. Its workers are started and warmed up first (each has
imported its grader and graded one answer); the wall clock runs from the first response sent to
the last verdict back, so it measures grading, not start-up. "With workers' start" adds the time
from creating the pool to its workers being ready (imports, warm-up), as a one-off run pays it.
CPU time adds the workers' whole lives (this process and its reaped children). Rounds alternate
the graders' order, so a load on the machine falls on each of them alike.

- ``ours``: ``harness.grading.pool.grade_all_timed`` (the R1 convention: answer after
  ``</think>``; cut in the parent to the answer window), as a run grades.
- ``math_verify``: plain math-verify 0.9, ``verify(parse("$gold$"), parse(final))`` with its
  default extraction targets and timeouts, ``final`` being the text after the last ``</think>``
  (what an R1-aware caller hands it); ``math_verify_whole`` (``--graders``) parses the whole
  response instead, every box of the reasoning included.
- ``lm_eval``: lm-eval 0.4's MATH scoring helpers (``tasks/hendrycks_math/utils.py``): the last
  ``\\boxed{}`` of the response and of the solution, ``remove_boxed``, then ``is_equiv``
  (string normalisation).
- ``lighteval``: lighteval 0.13's MATH-500 metric (``Metrics.pass_at_k_math`` with k=1, n=1,
  as its ``math_500`` task sets it), on the text after its own ``remove_reasoning_tags``, the
  gold taken from ``"ANSWER: " + solution`` as its task's prompt function writes it. lighteval's
  pins clash with ours, so it runs in its own venv (``bash scripts/setup_tool_venvs.sh
  lighteval``); without that venv it is left out, and the table says so.

Prints one line per run, then a table: each grader's best wall time, responses/s, its time
divided by ours (above 1: ours is faster), the same with the workers' start, CPU time, and how
many responses it counts correct.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRADERS = ("ours", "math_verify", "lm_eval", "lighteval")  # the default set
CHOICES = (*GRADERS, "math_verify_whole")
LIGHTEVAL_PYTHON = ROOT / ".venv-tools" / "lighteval" / "bin" / "python"
CHUNK = 64  # responses per task sent to a worker, as harness.grading.pool.CHUNK_SIZE


def write_set(path: Path, n: int) -> None:
    """The 64-per-problem set of ``bench_grading``, with each response's gold and solution."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_grading

    rows = [json.loads(x) for x in bench_grading.DATA.read_text().splitlines() if x.strip()]
    tasks = bench_grading.long_responses(n, random.Random(0), 64)
    with path.open("w", encoding="utf-8") as out:
        for i, task in enumerate(tasks):
            row = rows[(i // 64) % len(rows)]  # the row long_responses drew problem i from
            assert row["answer"] == task.gold
            rec = {"response": task.response, "answer": row["answer"], "solution": row["solution"]}
            out.write(json.dumps(rec) + "\n")


# --- the peers, each called in a worker process on (response, answer, solution) -------------


def _math_verify(item: tuple[str, str, str]) -> bool:
    from math_verify import parse, verify

    response, answer, _ = item
    final = response.rsplit("</think>", 1)[-1]  # what an R1-aware caller hands it
    return bool(verify(parse(f"${answer}$"), parse(final)))


def _math_verify_whole(item: tuple[str, str, str]) -> bool:
    from math_verify import parse, verify

    response, answer, _ = item
    return bool(verify(parse(f"${answer}$"), parse(response)))


def _lm_eval(item: tuple[str, str, str]) -> bool:
    from lm_eval.tasks.hendrycks_math.utils import is_equiv, last_boxed_only_string, remove_boxed

    response, _, solution = item
    box = last_boxed_only_string(response)
    if box is None:
        return False
    try:
        return bool(is_equiv(remove_boxed(box), remove_boxed(last_boxed_only_string(solution))))
    except AssertionError:  # remove_boxed asserts its input's shape
        return False


@functools.cache
def _lighteval_metric():  # noqa: ANN202 - lighteval's own type, from its venv only
    """The metric lighteval 0.13's ``math_500`` task sets (built once per worker)."""
    from lighteval.metrics.metrics import Metrics

    return Metrics.pass_at_k_math(sample_params={"k": 1, "n": 1})


def _lighteval(item: tuple[str, str, str]) -> bool:
    from lighteval.models.model_output import ModelResponse
    from lighteval.tasks.requests import Doc
    from lighteval.utils.utils import remove_reasoning_tags

    response, _, solution = item
    doc = Doc(query="", choices=[f"ANSWER: {solution}"], gold_index=0)
    model_response = ModelResponse(text=[response])
    model_response.text_post_processed = [
        remove_reasoning_tags(response, [("<think>", "</think>")])
    ]
    metric = _lighteval_metric()
    return metric.sample_level_fn.compute(doc=doc, model_response=model_response) == 1.0


PEERS = {
    "math_verify": _math_verify,
    "math_verify_whole": _math_verify_whole,
    "lm_eval": _lm_eval,
    "lighteval": _lighteval,
}


def _warm(grader: str) -> None:
    """Import the peer's code in each worker before the clock matters for it (one call)."""
    import logging

    logging.disable(logging.WARNING)  # lighteval warns per response it cannot extract
    PEERS[grader](("</think> $\\boxed{\\frac{1}{2}}$", "\\frac12", "\\boxed{\\frac{1}{2}}"))


def cpu_seconds() -> float:
    """CPU of this process and its reaped children (the workers, once joined)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def worker_main(grader: str, data: Path, workers: int) -> dict:
    """One timed pass of ``grader`` over the set (a fresh interpreter runs this)."""
    items = [
        (r["response"], r["answer"], r["solution"])
        for r in map(json.loads, data.read_text(encoding="utf-8").splitlines())
    ]
    if grader == "ours":
        from harness.grading.pool import GradeTask, grade_all_timed, open_pool

        tasks = [GradeTask(resp, "stop", gold, "math", True) for resp, gold, _ in items]
        started = time.perf_counter()
        with open_pool(workers) as pool:
            wait_all([pool.schedule(time.sleep, args=(0.5,)) for _ in range(workers)])
            t0, c0 = time.perf_counter(), cpu_seconds()
            timed = grade_all_timed(tasks, timeout_s=5.0, progress=False, pool=pool)
            wall = time.perf_counter() - t0
        cpu = cpu_seconds() - c0
        verdicts = [pair[0].correct for pair, _ in timed]
    else:
        context = multiprocessing.get_context("fork")
        started = time.perf_counter()
        pool = context.Pool(workers, initializer=_warm, initargs=(grader,))
        pool.map(time.sleep, [0.5] * workers, chunksize=1)  # every worker started and warm
        t0, c0 = time.perf_counter(), cpu_seconds()
        verdicts = pool.map(PEERS[grader], items, chunksize=CHUNK)
        wall = time.perf_counter() - t0
        pool.close()
        pool.join()
        cpu = cpu_seconds() - c0
    return {"grader": grader, "n": len(items), "wall_s": wall, "cpu_s": cpu,
            "with_start_s": t0 - started - 0.5 + wall,  # the 0.5 s warm-up wait taken out
            "correct": sum(map(bool, verdicts))}  # fmt: skip


def wait_all(futures: list) -> None:
    """Wait for pebble futures (the warm-up tasks)."""
    for future in futures:
        future.result()


def run_once(grader: str, data: Path, args: argparse.Namespace) -> dict:
    python = str(args.lighteval_python) if grader == "lighteval" else sys.executable
    cmd = [python, __file__, "--worker", grader, "--data", str(data)]
    cmd += ["--workers", str(args.workers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{grader} failed (exit {out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=6400, help="responses (64 per problem)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes per grader")
    ap.add_argument("--repeats", type=int, default=3, help="rounds; the best of each is shown")
    ap.add_argument("--lighteval-python", type=Path, default=LIGHTEVAL_PYTHON)
    ap.add_argument("--graders", nargs="+", choices=CHOICES, default=list(GRADERS))
    ap.add_argument("--worker", choices=CHOICES, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker_main(args.worker, args.data, args.workers)))
        return
    graders = ["ours", *(g for g in args.graders if g != "ours")]
    if "lighteval" in graders and not args.lighteval_python.is_file():
        graders.remove("lighteval")
        print(f"lighteval left out: {args.lighteval_python} is absent "
              "(bash scripts/setup_tool_venvs.sh lighteval)")  # fmt: skip
    runs: dict[str, list[dict]] = {g: [] for g in graders}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "responses.jsonl"
        write_set(data, args.n)
        for r in range(args.repeats):
            order = graders[r % len(graders) :] + graders[: r % len(graders)]
            for grader in order:
                res = run_once(grader, data, args)
                runs[grader].append(res)
                print(f"round {r + 1} {grader}: wall {res['wall_s']:.2f} s, CPU {res['cpu_s']:.2f}"
                      f" s, {res['correct']} of {res['n']} correct", flush=True)  # fmt: skip
    best = {g: min(rs, key=lambda x: x["wall_s"]) for g, rs in runs.items()}
    ours = best["ours"]["wall_s"]
    print(f"\n{args.n} responses, {args.workers} workers each, best of {args.repeats} rounds")
    start = best["ours"]["with_start_s"]
    print("| grader | wall (best) | responses/s | its time ÷ ours | with workers' start | "
          "its time ÷ ours | CPU | correct |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for g, res in best.items():
        ratio = "—" if g == "ours" else f"{res['wall_s'] / ours:.2f}×"
        ratio_start = "—" if g == "ours" else f"{res['with_start_s'] / start:.2f}×"
        print(f"| {g} | {res['wall_s']:.2f} s | {res['n'] / res['wall_s']:,.0f} | {ratio} | "
              f"{res['with_start_s']:.2f} s | {ratio_start} | {res['cpu_s']:.2f} s | "
              f"{res['correct']:,} |")  # fmt: skip


if __name__ == "__main__":
    main()
