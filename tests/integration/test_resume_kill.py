"""A real run killed with SIGKILL part-way loses nothing, duplicates nothing and regenerates
nothing finished when it is re-run into the same run directory.

Generation is real: the dryrun's tiny Qwen2 through lm-eval's HF model class on the CPU, with
small chunks so that completions are persisted one chunk at a time. The killed run is a process
of its own; the runs after it go through ``harness-eval``'s entry point in this process
(``tests/helpers/eval_inproc.py``), which reads the same directory as a new process would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers.eval_inproc import harness_eval

pytestmark = pytest.mark.slow

N_PROBLEMS, N_SAMPLES = 5, 4
TOTAL = N_PROBLEMS * N_SAMPLES


def command(results: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "harness.cli.eval",
        "experiment=dryrun",
        f"limit={N_PROBLEMS}",
        f"sampling.n={N_SAMPLES}",
        "sampling.max_new_tokens=48",
        "backend.chunk_size=2",
        "backend.batch_size=2",
        f"results_dir={results}",
        "run_id=killed",
        *extra,
    ]


def complete_rows(log: Path) -> list[dict]:
    if not log.is_file():
        return []
    data = log.read_bytes()
    return [json.loads(line) for line in data.split(b"\n")[:-1]]


def test_sigkill_then_rerun_loses_and_repeats_nothing(tmp_path):
    run_dir = tmp_path / "killed"
    log = run_dir / "generations.jsonl"
    proc = subprocess.Popen(
        command(tmp_path), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.time() + 240
    while len(complete_rows(log)) < 4 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed: make it longer"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = complete_rows(log)
    assert 4 <= len(before) < TOTAL
    assert not (run_dir / "metrics.json").exists()

    out = harness_eval(*command(tmp_path)[3:])
    assert out.returncode == 0, out.stderr[-3000:]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    after = complete_rows(log)
    # Re-run generated exactly the missing samples and reused every finished one.
    assert metrics["generation"]["reused_samples"] == len(before)
    assert metrics["generation"]["generated_samples"] == TOTAL - len(before)
    pairs = [(r["problem_id"], r["sample_index"]) for r in after]
    assert len(pairs) == len(set(pairs)) == TOTAL
    assert after[: len(before)] == before  # what was persisted is untouched
    samples = (run_dir / "samples.jsonl").read_text().splitlines()
    assert len(samples) == TOTAL

    # The run is finished now: the same command again changes nothing (issue 19).
    finished = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    again = harness_eval(*command(tmp_path)[3:])
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{run_dir} is complete; nothing was changed" in again.stdout
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == finished
    assert len(complete_rows(log)) == TOTAL


def test_changed_config_is_refused_for_reuse(tmp_path):
    first = harness_eval(*command(tmp_path, "limit=1", "sampling.n=1")[3:])
    assert first.returncode == 0, first.stderr[-3000:]
    changed = harness_eval(
        *command(tmp_path, "limit=1", "sampling.n=1", "sampling.temperature=0.7")[3:]
    )
    assert changed.returncode == 2
    assert "sampling.temperature: 0.6 → 0.7" in changed.stderr
    assert "new run_id" in changed.stderr
