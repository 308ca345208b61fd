"""A real one-node SLURM (scripts/slurm/setup_cluster.sh) runs a multirun through the
submitit_slurm launcher: every job is a SLURM job and writes its own results directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from harness.data.loader import load_benchmark
from harness.data.oracle import oracle_rows, write_rows
from tests.conftest import REPO, compose, data_file

pytestmark = pytest.mark.slow


def cluster_up() -> str | None:
    """None when a SLURM node is idle or mixed, else why the test cannot run."""
    if shutil.which("sinfo") is None:
        return "sinfo not found: run scripts/slurm/setup_cluster.sh (as root) first"
    try:
        import hydra_plugins.hydra_submitit_launcher  # noqa: F401
    except ImportError:
        return 'hydra-submitit-launcher not installed: pip install -e ".[slurm]"'
    out = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=30)
    states = out.stdout.split()
    if out.returncode != 0 or not {"idle", "mix"} & set(states):
        return f"no idle SLURM node (sinfo: {out.stdout.strip() or out.stderr.strip()})"
    return None


def test_multirun_through_slurm_writes_every_job(tmp_path):
    reason = cluster_up()
    if reason:
        pytest.skip(reason)
    source = data_file("aime24")
    overrides = ["benchmark=aime24", f"benchmark.source={source}"]
    if (REPO / "configs/experiment/dryrun.yaml").is_file():
        overrides = ["experiment=dryrun"]
    else:  # replay jobs until the dryrun experiment (tiny CPU model) exists
        problems, _ = load_benchmark(compose(overrides).benchmark, limit=None)
        rows = oracle_rows(problems, n=2, rates=0.5, seed=1)
        replay = write_rows(rows, tmp_path / "replay.jsonl")
        overrides += ["backend=replay", f"backend.path={replay}", "sampling.n=2"]
    cmd = [
        sys.executable, "-m", "harness.cli.eval", "-m", "+launcher=submitit_slurm",
        *overrides, "stats.bootstrap_seed=0,1", f"results_dir={tmp_path / 'res'}",
    ]  # fmt: skip
    # The job runs this same interpreter (submitit pickles the task and starts sys.executable).
    out = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, timeout=600, env=dict(os.environ)
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    jobs = sorted(tmp_path.glob("res/multirun_*/*/metrics.json"))
    assert len(jobs) == 2
    assert {json.loads(j.read_text())["bootstrap"]["seed"] for j in jobs} == {0, 1}
    # Both went through sbatch: submitit's folder holds one SLURM array with its script.
    scripts = list(tmp_path.glob("res/multirun_*/.submitit/*/*_submission.sh"))
    assert scripts, "no sbatch script: the jobs did not go through SLURM"
    text = scripts[0].read_text()
    assert "#SBATCH --array=0-1" in text and "--gpus-per-node" not in text  # CPU jobs
    logs = list(tmp_path.glob("res/multirun_*/.submitit/*/*_log.out"))
    assert len(logs) == 2 and all("Job completed successfully" in p.read_text() for p in logs)
