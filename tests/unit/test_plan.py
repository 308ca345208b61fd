"""harness-plan: every job of the R1 table sweep with its columns; plan vs run; accounting;
launcher resources derived per model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from omegaconf import OmegaConf

from harness.plan.accounting import accounting, compare_with_run
from harness.plan.hardware import Gpu, price_table
from harness.plan.launch import group_consecutive
from harness.plan.plan import expand_sweep
from harness.plan.resources import job_resources
from tests.conftest import REPO

MODELS = [
    "r1_distill_qwen_1_5b",
    "r1_distill_qwen_7b",
    "r1_distill_qwen_14b",
    "r1_distill_qwen_32b",
    "r1_distill_llama_8b",
    "r1_distill_llama_70b",
    "qwq_32b_preview",
]
BENCHMARKS = ["aime24", "math500", "gpqa_diamond"]
GPU_BACKEND = "backend=vllm" if (REPO / "configs/backend/vllm.yaml").is_file() else (
    "backend.name=vllm"  # until configs/backend/vllm.yaml exists: any backend named vllm
)  # fmt: skip


def harness_plan(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "harness.cli.plan", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120)


@pytest.fixture(scope="module")
def r1_table():
    out = harness_plan("experiment=r1_table", "--json")
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_r1_table_lists_every_job_with_its_columns(r1_table):
    assert [(r["model"], r["benchmark"]) for r in r1_table] == [
        (m, b) for m in MODELS for b in BENCHMARKS
    ]
    for row in r1_table:
        assert (
            row["problems"] == {"aime24": 30, "math500": 500, "gpqa_diamond": 198}[row["benchmark"]]
        )
        assert row["samples"] == (64 if row["benchmark"] == "aime24" else 4)
        assert row["generated_tokens"] == row["problems"] * row["samples"] * row["mean_tokens"]
        assert row["memory_gib"] > 0 and row["hardware"] == "h100_80gb"
    by_model = {r["model"]: r for r in r1_table if r["benchmark"] == "aime24"}
    assert (
        by_model["r1_distill_llama_70b"]["tp"] == 4 and by_model["r1_distill_qwen_32b"]["tp"] == 2
    )
    assert by_model["r1_distill_qwen_1_5b"]["gpu_hours"] > 0
    assert by_model["r1_distill_qwen_1_5b"]["cost_usd"] == pytest.approx(
        by_model["r1_distill_qwen_1_5b"]["gpu_hours"] * 2.99, abs=0.02
    )
    qwq = by_model["qwq_32b_preview"]  # 32,768-token context < 32,768 new tokens + prompt
    assert not qwq["fits"] and "exceeds the model's context" in qwq["note"]


def test_table_output_has_the_columns_and_a_total():
    out = harness_plan("experiment=r1_table", "--hardware", "a100_80gb", "--gpus", "4")
    assert out.returncode == 0, out.stderr
    header = out.stdout.splitlines()[0].split()
    for column in ["model", "benchmark", "problems", "samples", "generated_tokens",
                   "memory_gib", "tp", "gpu_hours", "cost_usd"]:  # fmt: skip
        assert column in header
    assert "total: 21 jobs" in out.stdout and "REFUSED" in out.stdout


def test_sweep_expansion_matches_hydra_order():
    jobs = expand_sweep(
        ["model=r1_distill_qwen_1_5b,r1_distill_qwen_7b", "benchmark=aime24,math500"]
    )
    assert [[o for o in j if o.startswith(("model", "benchmark"))] for j in jobs] == [
        ["model=r1_distill_qwen_1_5b", "benchmark=aime24"],
        ["model=r1_distill_qwen_1_5b", "benchmark=math500"],
        ["model=r1_distill_qwen_7b", "benchmark=aime24"],
        ["model=r1_distill_qwen_7b", "benchmark=math500"],
    ]


def fake_run(tmp_path, tokens_mean=5000.0, acc=None):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text(
        "model: {name: r1_distill_qwen_1_5b}\nbenchmark: {name: aime24}\n"
    )
    metrics = {
        "n_problems": 30,
        "n_samples": 64,
        "mean_response_length": tokens_mean,
        "response_length_unit": "tokens",
        "wall_time_s": 1800.0,
    }
    if acc:
        metrics["accounting"] = acc
    (run / "metrics.json").write_text(json.dumps(metrics))
    return run


def test_compare_against_a_run_dir(tmp_path):
    acc = accounting(
        {"generated_tokens": 9_600_000, "wall_time_s": 1800.0, "prompt_tokens": 100},
        [Gpu("NVIDIA H100 80GB HBM3", 79.6)] * 8,
        price_table(),
    )
    run = fake_run(tmp_path, acc=acc)
    out = harness_plan("model=r1_distill_qwen_1_5b", "benchmark=aime24", "--compare", str(run),
                       "--results", str(tmp_path / "none"))  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert f"compare {run}" in out.stdout and "generated_tokens planned 31680000" in out.stdout
    cmp = compare_with_run({"generated_tokens": 31_680_000, "gpu_hours": 0.73}, run)
    assert cmp["generated_tokens"]["ratio"] == pytest.approx(9.6 / 31.68, abs=1e-3)
    assert cmp["gpu_hours"]["actual"] == 4.0 and cmp["wall_hours"]["actual"] == 0.5


def test_earlier_runs_replace_the_length_estimate(tmp_path):
    fake_run(tmp_path, tokens_mean=7777.0)
    out = harness_plan("model=r1_distill_qwen_1_5b", "benchmark=aime24", "--json",
                       "--results", str(tmp_path))  # fmt: skip
    row = json.loads(out.stdout)
    assert row["mean_tokens"] == 7777 and row["length_source"] == "measured (1 run)"


def test_accounting_prices_detected_gpus():
    acc = accounting(
        {"generated_tokens": 3600, "wall_time_s": 3600.0, "peak_accelerator_memory_gib": 70.1},
        [Gpu("NVIDIA A100-SXM4-80GB", 80.0), Gpu("NVIDIA A100-SXM4-80GB", 80.0)],
        price_table(),
    )
    assert acc["gpus"] == 2 and acc["gpu_hours"] == 2.0 and acc["tokens_per_s"] == 1.0
    assert acc["price_per_gpu_hour"] == 1.79 and acc["estimated_cost_usd"] == 3.58
    assert acc["peak_accelerator_memory_gib"] == 70.1
    cpu = accounting({"wall_time_s": 10.0}, [], price_table())
    assert cpu["gpu_hours"] == 0.0 and cpu["estimated_cost_usd"] is None


def launcher(overrides):
    from harness.plan.plan import _compose

    cfg = _compose(["+launcher=submitit_slurm", *overrides], hydra=True)
    return OmegaConf.to_container(cfg.hydra.launcher, resolve=True)


def test_slurm_launcher_asks_what_the_model_needs():
    big = launcher(["model=r1_distill_llama_70b", "benchmark=aime24", GPU_BACKEND])
    assert big["gpus_per_node"] >= 4 and big["nodes"] == 1 and big["mem_gb"] >= 141
    assert big["_target_"].endswith("FitSlurmLauncher")
    small = launcher(["model=r1_distill_qwen_1_5b", "benchmark=aime24", GPU_BACKEND])
    assert small["gpus_per_node"] == 1 and small["timeout_min"] < big["timeout_min"]
    a100_40 = launcher(["model=r1_distill_llama_70b", GPU_BACKEND, "hardware=a100_40gb"])
    assert a100_40["gpus_per_node"] == 8
    four = launcher(["model=r1_distill_qwen_1_5b", "benchmark=aime24", GPU_BACKEND,
                     "backend.data_parallel_size=4"])  # fmt: skip
    assert four["gpus_per_node"] == 4 and four["timeout_min"] < small["timeout_min"]
    replay = launcher(["model=r1_distill_llama_70b", "backend=replay"])  # replay: no GPUs at all
    assert replay["gpus_per_node"] is None and replay["mem_gb"] == 4


def test_job_resources_refuse_what_no_node_holds():
    from harness.plan.plan import _compose

    cfg = _compose(["model=qwen2_5_math_7b_instruct", GPU_BACKEND, "hardware=l4_24gb"])
    with pytest.raises(ValueError, match="qwen2_5_math_7b_instruct on l4_24gb.*context"):
        job_resources(cfg)


def test_consecutive_equal_resources_share_an_array():
    assert group_consecutive([1, 1, 2, 2, 2, 1]) == [(0, 2), (2, 5), (5, 6)]
    assert group_consecutive([]) == []
