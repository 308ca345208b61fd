"""Why a model does not fit a machine, and what would: the text of a refusal."""

from __future__ import annotations

from typing import Any

from harness.plan.arch import DTYPE_BYTES, GIB, Architecture
from harness.plan.hardware import Machine


def explain(
    arch: Architecture, machine: Machine, s: Any, weights_gib: float, base: dict[str, Any]
) -> Any:
    """Build the refused ``Fit`` for ``arch`` on ``machine`` with settings ``s``."""
    from harness.plan.fit import Fit, _layouts, _try, gpus_needed

    total_usable = machine.total_gpus * machine.gpu_memory_gib * s.gpu_memory_utilization
    weights_gb = arch.weight_bytes / 1e9
    have = f"this machine has {machine.describe()}"
    if weights_gib >= total_usable:
        cause = (
            f"{arch.name} needs ≥ {weights_gib:.1f} GiB ({weights_gb:.0f} GB) for "
            f"{arch.weight_dtype} weights alone; {have}, of which vLLM uses "
            f"{s.gpu_memory_utilization:.0%} ({total_usable:.1f} GiB)"
        )
    else:
        layouts = _layouts(arch, machine.gpus_per_node, machine.nodes)
        if not layouts:
            cause = f"no tensor-parallel size ≤ {machine.gpus_per_node} divides its heads"
        else:
            tp, pp = layouts[-1]
            t = _try(arch, machine.gpu_memory_gib, tp, pp, s)
            cause = (
                f"{arch.name} ({weights_gib:.1f} GiB of {arch.weight_dtype} weights) at the "
                f"largest layout (TP={tp}, PP={pp}) leaves {max(t['kv_cache'], 0):.2f} GiB per "
                f"GPU for KV cache, but one {s.max_model_len:,}-token sequence needs "
                f"{t['per_seq']:.2f} GiB; {have}"
            )
    larger = (
        gpus_needed(arch, machine.gpu_memory_gib, s)
        if machine.total_gpus < 128
        else Fit(ok=False, **base)
    )
    options = []
    if larger.ok:
        per_node = min(larger.gpus_needed, 8)
        nodes = larger.pp
        where = f"{nodes} nodes × {per_node}" if nodes > 1 else f"{larger.gpus_needed}"
        options.append(
            f"{where} GPUs of {machine.gpu_memory_gib:g} GiB (TP={larger.tp}, PP={larger.pp}"
            f"{', Ray across nodes' if nodes > 1 else ''})"
        )
    int4 = arch.n_params * DTYPE_BYTES["int4"] / GIB
    options.append(f"a 4-bit quantised model (AWQ/GPTQ: ~{int4:.0f} GiB of weights)")
    options.append(
        "a shorter max_model_len (sampling.max_new_tokens), which breaks the R1 protocol"
    )
    return Fit(
        ok=False,
        weights_gib=weights_gib,
        gpus_needed=larger.gpus_needed if larger.ok else 0,
        reason=f"{cause}. Use {'; or '.join(options)}.",
        **base,
    )
