"""Fit a model to GPUs: tensor/pipeline-parallel size, engine replicas, or a reasoned refusal.

The memory model follows vLLM's start-up accounting: a worker may use
``gpu_memory_utilization`` × GPU memory (vLLM's default 0.9, ``EngineArgs``); from that it
subtracts the weights, the peak activation memory of a profiling forward pass of
``max_num_batched_tokens`` tokens and non-torch memory (CUDA context, NCCL), and what is left
becomes KV cache. vLLM then refuses to start unless the KV cache holds at least one sequence of
``max_model_len`` tokens ("To serve at least one request with the models's max seq len ..., KV
cache is needed, which is larger than the available KV cache memory"): the same check here.

Tensor-parallel rules are vLLM's: the number of attention heads must be divisible by TP
(``ModelConfig.verify_with_parallel_config``: "Total number of attention heads (h) must be
divisible by tensor parallel size (tp)"), and KV heads are split when ``tp < kv_heads`` (so
``kv_heads % tp == 0``) or replicated when ``tp >= kv_heads`` (so ``tp % kv_heads == 0``)
(``QKVParallelLinear`` in vllm/model_executor/layers/linear.py). Pipeline parallelism is used
only across nodes (one full node per stage, ``distributed_executor_backend: ray``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.plan.arch import GIB, Architecture
from harness.plan.hardware import Machine
from harness.plan.refuse import explain

# vLLM EngineArgs defaults (vllm/engine/arg_utils.py): the share of GPU memory vLLM may use.
GPU_MEMORY_UTILIZATION = 0.9
# Tokens of one profiling forward pass; vLLM V1's default max_num_batched_tokens for the offline
# LLM class on data-centre GPUs is 8192 (16384 on H100-class in some releases): 8192 is typical.
MAX_NUM_BATCHED_TOKENS = 8192
MAX_NUM_SEQS = 256  # vLLM's default max_num_seqs
# Non-torch memory per GPU (CUDA context, cuBLAS workspaces, NCCL buffers): vLLM logs it at
# start-up as "non_torch_memory"; 0.5-1.5 GiB is what those logs show. Estimate: 1.0 GiB.
NON_TORCH_GIB = 1.0
# CUDA graph capture: vLLM logs "Graph capturing finished in N secs, took 0.3-1.5 GiB" for
# these model sizes. Estimate: 1.0 GiB (0 with enforce_eager).
CUDA_GRAPH_GIB = 1.0
# Prompt budget added to max new tokens for max_model_len: R1-protocol prompts (problem +
# instruction + chat template) are < 1,000 tokens for AIME/MATH/GPQA; 2,048 leaves room.
PROMPT_BUDGET_TOKENS = 2048
# vLLM rounds KV cache to blocks of 16 tokens; this is a lower bound on one sequence.
TP_CHOICES = (1, 2, 4, 8)


@dataclass(frozen=True)
class FitSettings:
    """Engine settings the fit depends on (vLLM's defaults unless stated)."""

    max_model_len: int = 32768 + PROMPT_BUDGET_TOKENS
    gpu_memory_utilization: float = GPU_MEMORY_UTILIZATION
    max_num_batched_tokens: int = MAX_NUM_BATCHED_TOKENS
    max_num_seqs: int = MAX_NUM_SEQS
    enforce_eager: bool = False
    min_sequences: int = 1  # full-length sequences the KV cache must hold at once


@dataclass(frozen=True)
class Fit:
    """Where a model goes on a machine, with the numbers behind the decision.

    Attributes:
        ok: False when it does not fit; ``reason`` says why and what would.
        tp: Tensor-parallel size (GPUs per pipeline stage).
        pp: Pipeline-parallel size (nodes per replica; 1 within one node).
        replicas: Engine replicas the machine holds (data parallelism).
        gpus_needed: GPUs one replica needs (``tp × pp``); for a refusal, the smallest number
            of this GPU type that would fit (0 when unknown).
        weights_gib: All weights.
        per_gpu: Per-GPU breakdown in GiB: usable, weights, overhead, kv_cache.
        kv_gib_per_sequence: KV cache of one ``max_model_len`` sequence (per GPU).
        max_concurrent_sequences: Full-length sequences the KV cache holds (per replica).
    """

    ok: bool
    model: str
    max_model_len: int
    tp: int = 0
    pp: int = 0
    replicas: int = 0
    gpus_needed: int = 0
    weights_gib: float = 0.0
    per_gpu: dict[str, float] = field(default_factory=dict)
    kv_gib_per_sequence: float = 0.0
    max_concurrent_sequences: float = 0.0
    reason: str = ""

    def backend_settings(self) -> dict[str, Any]:
        """The vLLM backend keys this fit implies (``backend.*`` field names)."""
        return {
            "tensor_parallel_size": self.tp,
            "pipeline_parallel_size": self.pp,
            "data_parallel_size": self.replicas,
            "distributed_executor_backend": "ray" if self.pp > 1 else "mp",
            "max_model_len": self.max_model_len,
        }


def tp_allowed(arch: Architecture, tp: int) -> bool:
    """Whether TP passes vLLM's divisibility rules for heads and KV heads (module docstring)."""
    if arch.num_heads % tp:
        return False
    if arch.mla_dim:  # MLA has no per-head KV cache to split
        return True
    kv = arch.num_kv_heads
    return (tp % kv == 0) if tp >= kv else (kv % tp == 0)


def activation_gib(arch: Architecture, tp: int, s: FitSettings) -> float:
    """Estimated peak activation memory of vLLM's profiling pass, per GPU.

    Estimate: per batched token the residual stream, attention output and norms (~4 × hidden)
    and the MLP's gate/up projections (2 × intermediate / tp) in 2-byte activations, plus fp32
    logits of ``max_num_seqs`` rows over the vocabulary shard. Lands at 0.5-2 GiB for these
    models, the range vLLM's "peak activation" log lines show.
    """
    per_token = (4 * arch.hidden_size + 2 * arch.intermediate_size / tp) * 2
    logits = s.max_num_seqs * arch.vocab_size / tp * 4
    return (s.max_num_batched_tokens * per_token + logits) / GIB


def _try(arch: Architecture, gpu_gib: float, tp: int, pp: int, s: FitSettings) -> dict:
    usable = gpu_gib * s.gpu_memory_utilization
    weights = arch.weight_bytes / (tp * pp) / GIB
    overhead = activation_gib(arch, tp, s) + NON_TORCH_GIB
    overhead += 0.0 if s.enforce_eager else CUDA_GRAPH_GIB
    kv = usable - weights - overhead
    per_seq = arch.kv_bytes_per_token(tp) / pp * s.max_model_len / GIB
    return {
        "usable": round(usable, 2),
        "weights": round(weights, 2),
        "overhead": round(overhead, 2),
        "kv_cache": round(kv, 2),
        "per_seq": per_seq,
        "seqs": kv / per_seq if kv > 0 else 0.0,
    }


def _layouts(arch: Architecture, gpus_per_node: int, nodes: int) -> list[tuple[int, int]]:
    """(tp, pp) pairs in order of GPUs used: TP within a node, PP across whole nodes."""
    tps = [t for t in TP_CHOICES if t <= gpus_per_node and tp_allowed(arch, t)]
    out = [(t, 1) for t in tps]
    full = max(tps) if tps else 1
    out += [(full, pp) for pp in range(2, nodes + 1)]
    return out


def fit(arch: Architecture, machine: Machine, s: FitSettings | None = None) -> Fit:
    """Choose the smallest tensor/pipeline layout that fits, and the replicas the machine holds.

    Args:
        arch: The model.
        machine: The GPUs available.
        s: Engine settings; default: vLLM's defaults and max_model_len = 32,768 + 2,048.

    Returns:
        A ``Fit``; ``ok`` is False with an explanation when nothing fits.
    """
    s = s or FitSettings()
    base = {"model": arch.name, "max_model_len": s.max_model_len}
    weights_gib = round(arch.weight_bytes / GIB, 1)
    if s.max_model_len > arch.context:
        return Fit(
            ok=False,
            weights_gib=weights_gib,
            reason=(
                f"max_model_len {s.max_model_len:,} (prompt + max new tokens) exceeds the "
                f"model's context of {arch.context:,} tokens; lower sampling.max_new_tokens to "
                f"≤ {arch.context - PROMPT_BUDGET_TOKENS:,}"
            ),
            **base,
        )
    for tp, pp in _layouts(arch, machine.gpus_per_node, machine.nodes):
        t = _try(arch, machine.gpu_memory_gib, tp, pp, s)
        if t["seqs"] >= s.min_sequences:
            replicas = machine.total_gpus // (tp * pp)
            per_gpu = {k: t[k] for k in ("usable", "weights", "overhead", "kv_cache")}
            return Fit(
                ok=True,
                tp=tp,
                pp=pp,
                replicas=replicas,
                gpus_needed=tp * pp,
                weights_gib=weights_gib,
                per_gpu=per_gpu,
                kv_gib_per_sequence=round(t["per_seq"], 2),
                max_concurrent_sequences=round(t["seqs"], 1),
                **base,
            )
    # The refusal text lives apart (refuse.py); it gets the numbers it cites from here.
    layouts = _layouts(arch, machine.gpus_per_node, machine.nodes)
    largest = None
    if layouts:
        tp, pp = layouts[-1]
        largest = (tp, pp, _try(arch, machine.gpu_memory_gib, tp, pp, s))
    larger = gpus_needed(arch, machine.gpu_memory_gib, s) if machine.total_gpus < 128 else None
    bigger = (larger.gpus_needed, larger.tp, larger.pp) if larger and larger.ok else None
    return Fit(
        ok=False,
        weights_gib=weights_gib,
        gpus_needed=bigger[0] if bigger else 0,
        reason=explain(arch, machine, s, weights_gib, largest, bigger),
        **base,
    )


def gpus_needed(arch: Architecture, gpu_memory_gib: float, s: FitSettings | None = None) -> Fit:
    """The smallest layout on GPUs of this size, assuming 8-GPU nodes and up to 16 nodes."""
    return fit(arch, Machine("GPU", gpu_memory_gib, 8, 16), s)


def fit_at(arch: Architecture, gpu_memory_gib: float, tp: int, pp: int, s: FitSettings) -> Fit:
    """Check a layout the user chose (``backend.tensor_parallel_size`` set) against one GPU size.

    Args:
        arch: The model.
        gpu_memory_gib: Memory of each GPU (the smallest one present).
        tp: Tensor-parallel size.
        pp: Pipeline-parallel size.
        s: Engine settings.

    Returns:
        A ``Fit`` with ``replicas=1``; ``ok`` is False with the numbers when vLLM would refuse
        the heads split, or when the KV cache left cannot hold one ``max_model_len`` sequence.
    """
    base = {"model": arch.name, "max_model_len": s.max_model_len, "tp": tp, "pp": pp}
    weights_gib = round(arch.weight_bytes / GIB, 1)
    if not tp_allowed(arch, tp):
        return Fit(
            ok=False,
            weights_gib=weights_gib,
            reason=(
                f"tensor_parallel_size={tp} does not divide {arch.name}'s "
                f"{arch.num_heads} attention heads / {arch.num_kv_heads} KV heads (vLLM refuses "
                f"it); use one of {[t for t in TP_CHOICES if tp_allowed(arch, t)]}"
            ),
            **base,
        )
    t = _try(arch, gpu_memory_gib, tp, pp, s)
    per_gpu = {k: t[k] for k in ("usable", "weights", "overhead", "kv_cache")}
    ok = t["seqs"] >= s.min_sequences
    reason = "" if ok else (
        f"{arch.name} at TP={tp}, PP={pp} on {gpu_memory_gib:g} GiB GPUs: {t['usable']} GiB "
        f"usable per GPU - {t['weights']} GiB weights - {t['overhead']} GiB activations and "
        f"runtime leaves {max(t['kv_cache'], 0):.2f} GiB of KV cache, but one "
        f"{s.max_model_len:,}-token sequence needs {t['per_seq']:.2f} GiB"
    )  # fmt: skip
    return Fit(
        ok=ok,
        replicas=1,
        gpus_needed=tp * pp,
        weights_gib=weights_gib,
        per_gpu=per_gpu,
        kv_gib_per_sequence=round(t["per_seq"], 2),
        max_concurrent_sequences=round(t["seqs"], 1),
        reason=reason,
        **base,
    )
