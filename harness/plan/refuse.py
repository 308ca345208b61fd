"""Why a model does not fit a machine, and what would: the text of a refusal."""

from __future__ import annotations

from typing import Any

from harness.plan.arch import DTYPE_BYTES, GIB, Architecture
from harness.plan.hardware import Machine


def explain(
    arch: Architecture,
    machine: Machine,
    s: Any,
    weights_gib: float,
    largest: tuple[int, int, dict[str, float]] | None,
    larger: tuple[int, int, int] | None,
) -> str:
    """Why ``arch`` does not fit ``machine`` with settings ``s``, and what would.

    Args:
        arch: The model.
        machine: The GPUs available.
        s: The ``FitSettings`` of the fit.
        weights_gib: All weights, in GiB.
        largest: ``(tp, pp, memory)`` of the largest layout tried on ``machine`` (``memory``
            as ``fit._try`` computes it), or None when no tensor-parallel size divides the heads.
        larger: ``(gpus, tp, pp)`` of the smallest layout on more GPUs of this size, or None
            when none fits either.

    Returns:
        The refusal's reason: the cause, then the options that would fit.
    """
    total_usable = machine.total_gpus * machine.gpu_memory_gib * s.gpu_memory_utilization
    weights_gb = arch.weight_bytes / 1e9
    have = f"this machine has {machine.describe()}"
    if weights_gib >= total_usable:
        cause = (
            f"{arch.name} needs ≥ {weights_gib:.1f} GiB ({weights_gb:.0f} GB) for "
            f"{arch.weight_dtype} weights alone; {have}, of which vLLM uses "
            f"{s.gpu_memory_utilization:.0%} ({total_usable:.1f} GiB)"
        )
    elif largest is None:
        cause = f"no tensor-parallel size ≤ {machine.gpus_per_node} divides its heads"
    else:
        tp, pp, t = largest
        cause = (
            f"{arch.name} ({weights_gib:.1f} GiB of {arch.weight_dtype} weights) at the "
            f"largest layout (TP={tp}, PP={pp}) leaves {max(t['kv_cache'], 0):.2f} GiB per "
            f"GPU for KV cache, but one {s.max_model_len:,}-token sequence needs "
            f"{t['per_seq']:.2f} GiB; {have}"
        )
    options = []
    if larger is not None:
        gpus, tp, pp = larger
        per_node = min(gpus, 8)
        nodes = pp
        where = f"{nodes} nodes × {per_node}" if nodes > 1 else f"{gpus}"
        options.append(
            f"{where} GPUs of {machine.gpu_memory_gib:g} GiB (TP={tp}, PP={pp}"
            f"{', Ray across nodes' if nodes > 1 else ''})"
        )
    int4 = arch.n_params * DTYPE_BYTES["int4"] / GIB
    options.append(f"a 4-bit quantised model (AWQ/GPTQ: ~{int4:.0f} GiB of weights)")
    options.append(
        "a shorter max_model_len (sampling.max_new_tokens), which breaks the R1 protocol"
    )
    return f"{cause}. Use {'; or '.join(options)}."
