"""The engine layout for the GPUs of this machine, for a backend whose settings say "auto"."""

from __future__ import annotations

from typing import Any

from harness.plan.arch import architecture
from harness.plan.fit import PROMPT_BUDGET_TOKENS, FitSettings, fit
from harness.plan.hardware import Gpu, detect_gpus, machine_from_gpus


def engine_layout(
    model: Any,
    sampling: Any,
    gpus: list[Gpu] | None = None,
    gpu_memory_utilization: float = 0.9,
) -> dict[str, Any]:
    """The engine settings that fit ``model`` on the GPUs present.

    Keys: ``tensor_parallel_size``, ``pipeline_parallel_size``, ``data_parallel_size``,
    ``distributed_executor_backend``, ``max_model_len`` (``Fit.backend_settings``).

    Args:
        model: ``cfg.model``.
        sampling: ``cfg.sampling`` (max_new_tokens sets max_model_len).
        gpus: The GPUs; default: ``detect_gpus()``.
        gpu_memory_utilization: vLLM's share of GPU memory (its default 0.9).

    Raises:
        RuntimeError: No GPU, or the model does not fit (the message says why and what would).
    """
    machine = machine_from_gpus(detect_gpus() if gpus is None else gpus)
    if machine is None:
        raise RuntimeError("no GPU found (nvidia-smi/torch.cuda): cannot place the model")
    settings = FitSettings(
        max_model_len=int(sampling.max_new_tokens) + PROMPT_BUDGET_TOKENS,
        gpu_memory_utilization=gpu_memory_utilization,
    )
    f = fit(architecture(model), machine, settings)
    if not f.ok:
        raise RuntimeError(f.reason)
    return f.backend_settings()
