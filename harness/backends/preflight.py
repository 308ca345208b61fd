"""Checks every generating backend runs before loading a model: where it is, and what runs it.

A user without hub access or without a GPU must learn what to set, not read a stack trace:
``model.path=DIR`` (a local copy), ``backend=lm_eval`` on CPU, ``limit=N``, or the CPU dryrun.
The vLLM and lm-eval backends call ``model_location`` and ``check_accelerator``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

CPU_HINT = (
    "on a machine without a GPU: backend=lm_eval backend.model_type=hf backend.device=cpu with "
    "a small local model (model.path=DIR), limit=N and sampling.max_new_tokens=N; or the whole "
    "pipeline on a tiny random model: harness-eval experiment=dryrun"
)


class PreflightError(HarnessError):
    """The model cannot be found or run here; the message says what to set."""


def _extra(model: Any) -> dict[str, Any]:
    extra = getattr(model, "extra", None) or {}
    return dict(extra.items()) if hasattr(extra, "items") else {}


def model_location(model: Any) -> str:
    """The local directory or hub id to load, building the tiny model when the config asks.

    ``model.path`` (a local model directory) overrides ``model.hub_id``. A model config with
    ``extra.build: tiny_qwen2`` (configs/model/tiny_random_qwen2.yaml) is built into
    ``model.path`` when that directory does not hold it yet.

    Raises:
        PreflightError: ``model.path`` is not a model directory, or the hub model is neither
            cached nor reachable.
    """
    path = getattr(model, "path", None)
    extra = _extra(model)
    if path:
        target = Path(str(path)).expanduser()
        if extra.get("build") == "tiny_qwen2":
            from harness.models.tiny import ensure_tiny_model, tiny_spec_from_extra

            ensure_tiny_model(target, tiny_spec_from_extra(extra))
        if not (target / "config.json").is_file():
            raise PreflightError(
                f"model.path={target} is not a model directory (no config.json). Point it at a "
                f"local copy of {model.hub_id} (e.g. from `huggingface-cli download "
                f"{model.hub_id} --local-dir DIR` on a machine with internet)"
            )
        return str(target)
    check_hub_model(str(model.hub_id), getattr(model, "revision", None))
    return str(model.hub_id)


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in {"1", "true", "yes", "on"}


def _hub_reachable(timeout_s: float = 3.0) -> bool:
    host = os.environ.get("HF_ENDPOINT", "https://huggingface.co").split("://")[-1].split("/")[0]
    try:
        with socket.create_connection((host, 443), timeout=timeout_s):
            return True
    except OSError:
        return False


def check_hub_model(hub_id: str, revision: str | None) -> None:
    """Refuse, with what to set, when a hub model is neither in the local cache nor reachable."""
    if ":" in hub_id and not hub_id.startswith(("http", "/")):  # local:... placeholders
        raise PreflightError(
            f"model {hub_id} is not on the hub: set model.path=DIR to a local model directory"
        )
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub comes with datasets
        return
    cached = try_to_load_from_cache(hub_id, "config.json", revision=revision or "main")
    if isinstance(cached, str):
        return
    why = "HF_HUB_OFFLINE is set" if _hub_offline() else None
    if why is None and not _hub_reachable():
        why = "the hub cannot be reached from here"
    if why:
        raise PreflightError(
            f"model {hub_id} (revision {revision or 'main'}) is not in the local Hugging Face "
            f"cache and {why}. Set model.path=DIR to a local copy of it; {CPU_HINT}"
        )


def cuda_available() -> bool:
    """Whether torch sees a CUDA device (False when torch is not installed)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def check_accelerator(backend: str, device: str | None) -> str:
    """The device to run on; refuses a CUDA device where there is none.

    Args:
        backend: Backend name, for the message.
        device: Requested device (``cuda``, ``cuda:1``, ``cpu``, ...) or None for automatic.

    Returns:
        The device: as requested, or ``cuda`` when available else ``cpu`` for None.

    Raises:
        PreflightError: A CUDA device was requested (or the backend needs one) and none exists.
    """
    has_cuda = cuda_available()
    if device is None:
        return "cuda" if has_cuda else "cpu"
    if device.startswith("cuda") and not has_cuda:
        raise PreflightError(
            f"backend={backend} asks for device {device} but no GPU is visible; {CPU_HINT}"
        )
    return device
