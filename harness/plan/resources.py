"""Resources one job asks a scheduler for, derived from its model through the fit.

Registered as the OmegaConf resolver ``harness_job`` (``register_resolvers``), so launcher
configs say ``gpus_per_node: ${harness_job:gpus_per_node}`` and each job of a sweep gets what its
own model needs (``configs/launcher/submitit_slurm.yaml``).
"""

from __future__ import annotations

import math
from typing import Any

from omegaconf import OmegaConf

from harness.plan.arch import NotPlannable, architecture
from harness.plan.estimate import length_table, n_problems, throughput_per_gpu
from harness.plan.fit import PROMPT_BUDGET_TOKENS, FitSettings, fit
from harness.plan.hardware import load_hardware, machine_from_hardware

DEFAULT_HARDWARE = "h100_80gb"
# Backends that load weights onto GPUs; every other backend (replay, API clients) needs none.
GPU_BACKENDS = {"vllm", "hf"}
# Host memory: weights pass through page cache while loading (safetensors mmap) plus engine
# processes; weights per node + 32 GB is an estimate that also covers Ray's object store.
HOST_MEM_HEADROOM_GB = 32
CPU_JOB_MEM_GB = 4  # replay/API jobs: grading and bootstrap only
CPUS_PER_GPU = 8  # estimate: tokenisation, detokenisation and the engine's scheduler per GPU
# Time limit = estimate × 1.5 + 30 min (model download/load, CUDA graphs, grading): estimate.
TIME_SAFETY = 1.5
TIME_FIXED_MIN = 30
CPU_JOB_MIN = 60


def _on_cpu(backend: Any) -> bool:
    return backend.get("name") not in GPU_BACKENDS or str(backend.get("device", "")) == "cpu"


def job_resources(cfg: Any) -> dict[str, Any]:
    """Scheduler resources for the job described by a composed run config.

    Args:
        cfg: The run config (model, backend, sampling, benchmark, limit, hardware).

    Returns:
        ``gpus_per_node`` (None without GPUs), ``nodes``, ``cpus_per_task``, ``mem_gb``,
        ``timeout_min`` and the ``hardware`` name used.

    Raises:
        ValueError: The model does not fit any layout of this GPU type (the fit's reason).
    """
    hw_node = cfg.get("hardware")
    hw = load_hardware(hw_node["name"] if hw_node else DEFAULT_HARDWARE)
    cpu = {"gpus_per_node": None, "nodes": 1, "cpus_per_task": 1, "mem_gb": CPU_JOB_MEM_GB}
    if _on_cpu(cfg.backend):
        return {**cpu, "timeout_min": CPU_JOB_MIN, "hardware": None}
    try:
        arch = architecture(cfg.model)
    except NotPlannable:
        return {**cpu, "timeout_min": CPU_JOB_MIN, "hardware": None}
    settings = FitSettings(max_model_len=int(cfg.sampling.max_new_tokens) + PROMPT_BUDGET_TOKENS)
    # One replica's worth of GPUs: up to 16 nodes of the type's node size may be asked for.
    f = fit(arch, machine_from_hardware(hw, None, 16), settings)
    if not f.ok:
        raise ValueError(f"{cfg.model.name} on {hw['name']}: {f.reason}")
    # backend.data_parallel_size=K asks for K replicas on one node (null: one replica per job).
    replicas = int(cfg.backend.get("data_parallel_size") or 1) if f.pp == 1 else 1
    per_node = f.gpus_needed // f.pp * replicas
    if per_node > int(hw["gpus_per_node"]):
        raise ValueError(
            f"{cfg.model.name} on {hw['name']}: backend.data_parallel_size={replicas} x "
            f"{f.gpus_needed} GPUs per replica exceeds a node of {hw['gpus_per_node']}"
        )
    tokens = n_problems(cfg.benchmark.name, cfg.get("limit")) * int(cfg.sampling.n)
    table = length_table()
    row = table["models"].get(cfg.model.name) or table["reasoning_default"]
    tokens *= row.get(cfg.benchmark.name, cfg.sampling.max_new_tokens / 4)
    hours = tokens / (throughput_per_gpu(arch.n_params, hw) * f.gpus_needed * replicas) / 3600
    weights_gb = arch.weight_bytes / 1e9 / f.pp * replicas  # each replica loads its own copy
    return {
        "gpus_per_node": per_node,
        "nodes": f.pp,
        "cpus_per_task": CPUS_PER_GPU * per_node,
        "mem_gb": math.ceil(weights_gb + HOST_MEM_HEADROOM_GB),
        "timeout_min": math.ceil(hours * 60 * TIME_SAFETY + TIME_FIXED_MIN),
        "hardware": hw["name"],
    }


def _resolve(key: str, *, _root_: Any) -> Any:
    return job_resources(_root_)[key]


def register_resolvers() -> None:
    """Register ``${harness_job:KEY}`` (idempotent)."""
    if not OmegaConf.has_resolver("harness_job"):
        OmegaConf.register_new_resolver("harness_job", _resolve)
