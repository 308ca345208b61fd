"""vLLM as a process sees it: the import, its version, the executor check, devices, shutdown.

Kept apart from ``vllm.backend`` so the run logic stays readable; vLLM and torch load lazily.
"""

from __future__ import annotations

from typing import Any

from harness.backends.vllm.sampling import VllmConfigError

INSTALL_HINT = "pip install 'r1-harness[vllm]'"


def import_vllm() -> Any:
    """The ``vllm`` module, or an error naming the install command."""
    try:
        import vllm
    except ImportError as exc:
        raise VllmConfigError(
            f"backend=vllm needs vLLM, which is not installed ({exc}); install it with "
            f"{INSTALL_HINT} (on a machine without GPU: bash scripts/setup_vllm_cpu.sh)"
        ) from None
    return vllm


def vllm_version() -> str | None:
    """The installed vLLM version (``vllm`` or ``vllm-cpu`` distribution), or None."""
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("vllm", "vllm-cpu"):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return None


def check_executor(executor: str | None) -> None:
    """Refuse an unknown executor, and Ray when it is not installed, before anything loads."""
    if executor not in (None, "mp", "ray"):
        raise VllmConfigError(
            f"backend.distributed_executor_backend={executor!r}: use mp, ray or null"
        )
    if executor == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            raise VllmConfigError(
                "backend.distributed_executor_backend=ray needs Ray: pip install 'ray[default]' "
                "and start the cluster (ray start --head / --address) on every node first"
            )


def int_or_none(value: Any) -> int | None:
    """``int(value)``, keeping None (an "auto" setting)."""
    return None if value is None else int(value)


def shutdown(llm: Any) -> None:
    """Stop the engine's worker processes now, not at interpreter exit.

    A replica runs in a multiprocessing child, which joins its own children before atexit
    handlers (where vLLM would shut its engine down) run: without this it waits forever.
    """
    client = getattr(getattr(llm, "llm_engine", None), "engine_core", None)
    if client is not None and hasattr(client, "shutdown"):
        client.shutdown()


def torch_cuda() -> bool:
    """Whether torch sees a CUDA device (False without torch)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def device_name() -> str:
    """``cuda xN: <name>`` or ``cpu``, for provenance."""
    if torch_cuda():
        import torch

        n = torch.cuda.device_count()
        return f"cuda x{n}: {torch.cuda.get_device_name(0)}"
    return "cpu"


def peak_memory(llm: Any) -> dict[str, Any]:
    """Peak accelerator memory of the engine's workers (they run in their own processes)."""
    if not torch_cuda():
        return {"peak_accelerator_memory_bytes": None}

    def worker_peak(_worker: Any) -> int:
        import torch

        return int(torch.cuda.max_memory_allocated())

    try:
        peaks = llm.collective_rpc(worker_peak)
        return {"peak_accelerator_memory_bytes": max(peaks), "peak_memory_source": "workers"}
    except Exception:  # noqa: BLE001 - fall back to what the driver reports for the device
        import torch

        free, total = torch.cuda.mem_get_info()
        return {"peak_accelerator_memory_bytes": total - free, "peak_memory_source": "device used"}
