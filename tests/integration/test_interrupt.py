"""Ctrl-C during a run ends with one line naming the resume command, exit status 130.

A real replay run through the console module, interrupted with SIGINT sent to its whole
process group (what a terminal's Ctrl-C does, grading workers included) while it grades.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harness.data.loader import load_benchmark
from harness.data.oracle import oracle_rows, write_rows
from tests.conftest import REPO, compose, data_file
from tests.helpers import eval_inproc

# 6,400 responses: ~3 s of grading on one worker. 1,600 took 0.9 s on an idle machine
# (2026-12-02, after grading got faster), so the interrupt 1 s in came after grading had ended.
N_PROBLEMS, N_SAMPLES = 100, 64


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_ctrl_c_while_grading_prints_one_line_with_the_resume_command(tmp_path: Path) -> None:
    overrides = [f"benchmark.source={data_file('math500')}", f"limit={N_PROBLEMS}"]
    problems, _ = load_benchmark(compose(overrides).benchmark, limit=N_PROBLEMS)
    rows = oracle_rows(problems, n=N_SAMPLES, rates=0.5, seed=3)
    replay = write_rows(rows, tmp_path / "replay.jsonl")
    run_dir = tmp_path / "results" / "interrupted"
    cmd = [
        sys.executable, "-m", "harness.cli.eval", *overrides, "backend=replay",
        f"backend.path={replay}", f"sampling.n={N_SAMPLES}", "grading.workers=1",
        f"results_dir={tmp_path / 'results'}", "run_id=interrupted",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    seen: list[str] = []  # stderr, read as it comes: tqdm's "grading:" bar marks the stage
    reader = threading.Thread(target=lambda: seen.extend(iter(proc.stderr.readline, "")))
    reader.start()
    started = _wait_for(lambda: "grading:" in "".join(seen), 180)
    assert started and proc.poll() is None, "the run never reached grading:\n" + "".join(seen)
    time.sleep(0.5)  # grading workers started and at work
    assert proc.poll() is None, "grading finished before the interrupt: make the run longer"
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=120)
    reader.join(timeout=30)
    err = "".join(seen)
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    lines = [line for line in err.splitlines() if line.startswith("interrupted:")]
    assert len(lines) == 1, err[-3000:]
    assert "harness-eval " in lines[0] and "run_id=interrupted" in lines[0]
    assert not (run_dir / "metrics.json").exists() and not (run_dir / "complete.json").exists()
    # Nothing damaged: re-running the command in the resume line finishes the run (through
    # harness-eval's entry point in this process: the interrupt above is what needs a process).
    again = eval_inproc.harness_eval(*cmd[3:])
    assert again.returncode == 0, again.stderr[-3000:]
    assert (run_dir / "complete.json").is_file()
    # The finished run shows the counts under its numbers: summary line, metrics.json, samples.
    metrics = json.loads((run_dir / "metrics.json").read_text())
    responses = metrics["responses"]
    assert responses["samples"] == N_PROBLEMS * N_SAMPLES
    assert responses["no_answer"] == round(metrics["no_answer_pct"] * responses["samples"] / 100)
    assert f"of {N_PROBLEMS * N_SAMPLES} samples: truncated " in again.stdout
    samples = (run_dir / "samples.jsonl").read_text().splitlines()
    assert all(json.loads(line)["looping"] is False for line in samples)  # oracle rows never loop


def test_ctrl_c_during_a_plan_prints_one_line() -> None:
    # The R1 table plan composes 21 jobs: seconds of work, long enough to interrupt.
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.plan", "experiment=r1_table"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    time.sleep(2.0)
    assert proc.poll() is None, "the plan finished before the interrupt"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert err.strip().splitlines() == [
        "interrupted: nothing was written (a plan only reads configs and earlier runs)"
    ]


@pytest.mark.parametrize("module", ["eval", "plan", "report", "compare"])
def test_every_cli_main_ends_an_interrupt_in_one_line(module: str, capsys) -> None:
    import importlib

    main = importlib.import_module(f"harness.cli.{module}").main
    assert hasattr(main, "__wrapped__"), f"harness.cli.{module}.main is not one_line_interrupt"
    from harness.cli.interrupt import one_line_interrupt

    @one_line_interrupt("stopped")
    def stops() -> None:
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as exc:
        stops()
    assert exc.value.code == 130
    assert capsys.readouterr().err == "interrupted: stopped\n"
