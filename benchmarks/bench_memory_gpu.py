"""Peak GPU memory of one full-length R1 response, per distill architecture (needs a CUDA GPU).

Evidence for the resource claims in seeds/ ("small distills run on modest hardware"): memory
depends on the architecture, dtype and context, not on the weights' values, so each model is
built from its config's architecture facts (``configs/model/*.yaml`` ``extra``) with random
weights, in the claim's dtype, with Hugging Face transformers (SDPA attention, dynamic KV cache):

1. load the weights on the GPU; record the memory they take;
2. prefill ``--context`` − ``--decode`` tokens in chunks of ``--chunk`` (one chunk = a 2,048-token
   prompt, as the resource claims assume), keeping only the last position's logits;
3. reset the peak counters and decode ``--decode`` tokens one at a time at full context: the
   state at the end of a 32,768-token response. Its peak is what serving one such sequence needs.

Reported per model (GiB = 2**30 bytes): weights, peak allocated and reserved by PyTorch during
decode and during the chunked prefill, the CUDA context (device memory in use that PyTorch does
not account for), decode tokens/s at full context, and harness-plan's prediction
(weights + KV cache for the context, ``harness/plan/arch.py``) for comparison. The fit decision
for a card of C GiB is ``reserved + context <= C``.

Usage (on a GPU machine; only torch, transformers and pyyaml are needed)::

    python benchmarks/bench_memory_gpu.py --out RESULTS.json
    python benchmarks/bench_memory_gpu.py --models r1_distill_qwen_1_5b --context 4096
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.plan.arch import GIB, architecture  # noqa: E402 (plain-Python module)

DEFAULT_MODELS = [
    "r1_distill_qwen_1_5b",
    "r1_distill_qwen_7b",
    "r1_distill_llama_8b",
    "r1_distill_qwen_14b",
    "r1_distill_qwen_32b",
]
# 34,816 = 32,768 generated tokens (the R1 protocol's budget, arXiv 2501.12948 §3) + a 2,048-token
# prompt: the context of the resource claims in seeds/articles.yaml.
DEFAULT_CONTEXT = 34816


def model_config(name: str) -> dict:
    """The model's YAML config as a plain dict."""
    return yaml.safe_load((REPO / "configs" / "model" / f"{name}.yaml").read_text())


def hf_config(cfg: dict, dtype: str):
    """A transformers config of the model's architecture (Qwen2 or Llama)."""
    from transformers import LlamaConfig, Qwen2Config

    x = cfg["extra"]
    common = {
        "num_hidden_layers": x["num_hidden_layers"],
        "hidden_size": x["hidden_size"],
        "num_attention_heads": x["num_attention_heads"],
        "num_key_value_heads": x["num_key_value_heads"],
        "intermediate_size": x["intermediate_size"],
        "vocab_size": x["vocab_size"],
        "max_position_embeddings": x["max_position_embeddings"],
        "rope_theta": x["rope_theta"],
        "tie_word_embeddings": x["tie_word_embeddings"],
        "torch_dtype": dtype,
    }
    if cfg["family"] == "llama":
        return LlamaConfig(**common)
    return Qwen2Config(**common)


def measure(
    name: str, *, context: int, chunk: int, decode: int, dtype: str, cache_kind: str
) -> dict:
    """Build one model on the GPU and measure it; returns the row for the results table.

    ``cache_kind``: "static" pre-allocates the KV cache for the whole context, as a serving
    engine does (vLLM's paged pool); "dynamic" grows it by concatenation, as ``generate`` does by
    default, which fragments PyTorch's allocator (reserved > allocated).
    """
    import torch
    from transformers import AutoModelForCausalLM, DynamicCache, StaticCache

    cfg = model_config(name)
    torch_dtype = getattr(torch, dtype)
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(
            hf_config(cfg, dtype), dtype=torch_dtype, attn_implementation="sdpa"
        )
    model.eval()
    n_params = sum(p.numel() for p in model.parameters())
    weights = torch.cuda.memory_allocated() - base
    vocab = cfg["extra"]["vocab_size"]
    gen = torch.Generator(device="cuda").manual_seed(0)
    ids = torch.randint(0, vocab, (1, context), device="cuda", generator=gen)
    if cache_kind == "static":
        cache = StaticCache(config=model.config, max_cache_len=context)
    else:
        cache = DynamicCache()
    prefill_tokens = context - decode
    torch.cuda.reset_peak_memory_stats()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, prefill_tokens, chunk):
            stop = min(start + chunk, prefill_tokens)
            out = model(
                input_ids=ids[:, start:stop],
                past_key_values=cache,
                use_cache=True,
                logits_to_keep=1,
                cache_position=torch.arange(start, stop, device="cuda"),
            )
            cache = out.past_key_values
        torch.cuda.synchronize()
        prefill_s = time.perf_counter() - t0
        prefill_peak = torch.cuda.max_memory_allocated() - base
        prefill_reserved = torch.cuda.max_memory_reserved()
        torch.cuda.reset_peak_memory_stats()
        t1 = time.perf_counter()
        nxt = out.logits[:, -1:].argmax(-1)
        for step in range(decode):
            pos = torch.tensor([prefill_tokens + step], device="cuda")
            out = model(
                input_ids=nxt,
                past_key_values=cache,
                use_cache=True,
                logits_to_keep=1,
                cache_position=pos,
            )
            cache = out.past_key_values
            nxt = out.logits[:, -1:].argmax(-1)
        torch.cuda.synchronize()
        decode_s = time.perf_counter() - t1
    decode_peak = torch.cuda.max_memory_allocated() - base
    decode_reserved = torch.cuda.max_memory_reserved()
    free, total = torch.cuda.mem_get_info()
    cuda_context = (total - free) - torch.cuda.memory_reserved()
    arch = architecture({**cfg, "dtype": dtype})
    predicted = arch.weight_bytes + arch.kv_bytes_per_token(1) * context
    row = {
        "model": name,
        "family": cfg["family"],
        "dtype": dtype,
        "kv_cache": cache_kind,
        "context_tokens": context,
        "n_params": n_params,
        "n_params_config": cfg["extra"]["n_params"],
        "weights_gib": weights / GIB,
        "prefill_peak_allocated_gib": prefill_peak / GIB,
        "prefill_peak_reserved_gib": prefill_reserved / GIB,
        "decode_peak_allocated_gib": decode_peak / GIB,
        "decode_peak_reserved_gib": decode_reserved / GIB,
        "cuda_context_gib": cuda_context / GIB,
        "serving_total_gib": (decode_reserved + cuda_context) / GIB,
        "plan_predicted_gib": predicted / GIB,
        "prefill_tokens_per_s": prefill_tokens / prefill_s,
        "decode_tokens_per_s": decode / decode_s,
        "cache_tokens": prefill_tokens + decode,
    }
    del model, cache, out
    torch.cuda.empty_cache()
    return row


def main() -> None:
    """Measure each model and print a table; write JSON with ``--out``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="+", default=DEFAULT_MODELS)
    ap.add_argument("--context", type=int, nargs="+", default=[DEFAULT_CONTEXT])
    ap.add_argument("--chunk", type=int, default=2048)
    ap.add_argument("--decode", type=int, default=32)
    ap.add_argument("--dtype", default="bfloat16")
    ap.add_argument(
        "--cache", nargs="+", default=["static", "dynamic"], choices=["static", "dynamic"]
    )
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    import torch
    import transformers

    if not torch.cuda.is_available():
        sys.exit("bench_memory_gpu: no CUDA device; run it on a GPU machine")
    meta = {
        "gpu": torch.cuda.get_device_name(0),
        "gpu_memory_gib": torch.cuda.get_device_properties(0).total_memory / GIB,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "chunk": args.chunk,
        "decode_tokens": args.decode,
        "attention": "sdpa",
        "date": time.strftime("%Y-%m-%d"),
    }
    rows = []
    runs = [(c, m, k) for c in args.context for m in args.models for k in args.cache]
    for context, name, cache_kind in runs:
        try:
            row = measure(
                name,
                context=context,
                chunk=args.chunk,
                decode=args.decode,
                dtype=args.dtype,
                cache_kind=cache_kind,
            )
        except torch.cuda.OutOfMemoryError as exc:
            row = {"model": name, "context_tokens": context, "error": f"OOM: {exc}"[:300]}
            torch.cuda.empty_cache()
        rows.append(row)
        print(json.dumps(row), flush=True)
        if args.out:
            args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    print(json.dumps(meta))
    head = "model context cache weights decode_alloc decode_reserved+ctx prefill_reserved plan"
    print(head)
    for r in rows:
        if "error" in r:
            print(r["model"], r["context_tokens"], r["error"][:80])
            continue
        print(
            f"{r['model']} {r['context_tokens']} {r['kv_cache']} {r['weights_gib']:.2f} "
            f"{r['decode_peak_allocated_gib']:.2f} {r['serving_total_gib']:.2f} "
            f"{r['prefill_peak_reserved_gib']:.2f} {r['plan_predicted_gib']:.2f}"
        )


if __name__ == "__main__":
    main()
