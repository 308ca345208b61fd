"""Find the GPUs this process may use, on NVIDIA and on AMD, honouring the visibility variables.

Sources, first that answers wins (each is optional; tests inject their output):

- NVIDIA: ``nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits``.
- AMD: ``amd-smi static --asic --vram --json`` (ROCm ≥ 6: a list of ``{"gpu": i, "asic":
  {"market_name": …}, "vram": {"size": {"value": MiB, "unit": "MB"}}}``; older releases wrap it
  as ``{"gpu_data": [...]}``), else ``rocm-smi --showproductname --showmeminfo vram --json``
  (``{"card0": {"Card series": …, "VRAM Total Memory (B)": bytes}}``).
- ``torch.cuda`` (CUDA or ROCm builds; ``torch.version.hip`` tells which), when no tool exists.

Visibility: NVIDIA GPUs are filtered by ``CUDA_VISIBLE_DEVICES`` (indices or UUID prefixes; CUDA
stops at the first id it cannot use). AMD GPUs by ``HIP_VISIBLE_DEVICES``, else
``ROCR_VISIBLE_DEVICES``, else ``CUDA_VISIBLE_DEVICES`` (ROCm honours all three; HIP's wins;
AMD ROCm docs, "GPU isolation techniques"). Ids are kept as written, so a child process given a
subset of them sees exactly those GPUs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NVIDIA_QUERY = [
    "nvidia-smi",
    "--query-gpu=index,uuid,name,memory.total",
    "--format=csv,noheader,nounits",
]
AMD_SMI_QUERY = ["amd-smi", "static", "--asic", "--vram", "--json"]
ROCM_SMI_QUERY = ["rocm-smi", "--showproductname", "--showmeminfo", "vram", "--json"]
AMD_VISIBILITY = ("HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES")
_TIMEOUT_S = 20  # a hung driver query must not stall a run's start


@dataclass(frozen=True)
class Device:
    """One GPU as found: its id for the visibility variable, name, memory and vendor."""

    id: str
    uuid: str
    name: str
    memory_gib: float
    vendor: str  # "nvidia" or "amd"


def run_tool(argv: Sequence[str]) -> str | None:
    """A driver tool's standard output, or None when it is absent or fails."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        out = subprocess.run(list(argv), capture_output=True, text=True, timeout=_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 and out.stdout.strip() else None


def parse_nvidia(text: str) -> list[Device]:
    """Rows of the NVIDIA query (index, uuid, name, memory.total in MiB)."""
    out = []
    for line in text.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) >= 4 and parts[-1].isdigit():
            name = ",".join(parts[2:-1])
            out.append(Device(parts[0], parts[1], name, round(int(parts[-1]) / 1024, 1), "nvidia"))
    return out


def _mib(size: Any) -> float | None:
    """amd-smi's ``{"value": 196592, "unit": "MB"}`` (or a bare number of MiB) in MiB."""
    if isinstance(size, Mapping):
        value, unit = size.get("value"), str(size.get("unit", "MB")).upper()
        scale = {"MB": 1, "MIB": 1, "GB": 1024, "GIB": 1024, "B": 1 / 2**20}.get(unit)
        return float(value) * scale if isinstance(value, int | float) and scale else None
    return float(size) if isinstance(size, int | float) else None


def parse_amd_smi(text: str) -> list[Device]:
    """``amd-smi static --asic --vram --json`` (module docstring)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    entries = data.get("gpu_data", []) if isinstance(data, Mapping) else data
    out = []
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, Mapping):
            continue
        asic = entry.get("asic") or {}
        vram = entry.get("vram") or {}
        mib = _mib(vram.get("size"))
        name = asic.get("market_name") or asic.get("device_name")
        if name and mib:
            gid = str(entry.get("gpu", i))
            uuid = str(asic.get("asic_serial") or entry.get("uuid") or "")
            out.append(Device(gid, uuid, str(name), round(mib / 1024, 1), "amd"))
    return out


def parse_rocm_smi(text: str) -> list[Device]:
    """``rocm-smi --showproductname --showmeminfo vram --json`` (module docstring)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    out = []
    for key, card in data.items() if isinstance(data, Mapping) else []:
        if not (isinstance(card, Mapping) and str(key).startswith("card")):
            continue
        name = card.get("Card series") or card.get("Card SKU") or card.get("Card model")
        total = card.get("VRAM Total Memory (B)")
        if name and str(total).isdigit():
            gid = str(key).removeprefix("card")
            out.append(Device(gid, "", str(name), round(int(total) / 2**30, 1), "amd"))
    return out


def _torch_devices() -> list[Device]:
    try:
        import torch  # optional: only the hf/vllm extras install it
    except ImportError:
        return []
    if not torch.cuda.is_available():
        return []
    vendor = "amd" if getattr(torch.version, "hip", None) else "nvidia"
    return [
        Device(
            str(i),
            "",
            torch.cuda.get_device_name(i),
            round(torch.cuda.get_device_properties(i).total_memory / 2**30, 1),
            vendor,
        )
        for i in range(torch.cuda.device_count())
    ]


def _names(device: Device, entry: str) -> bool:
    """Whether a visibility entry names the device: its index, or a prefix of its UUID."""
    return entry == device.id or bool(device.uuid and device.uuid.startswith(entry))


def filter_visible(devices: list[Device], env: Mapping[str, str]) -> list[Device]:
    """The devices this process may use, in the order the visibility variable names them.

    Devices found through torch are already filtered by the runtime and are returned as found.
    """
    if not devices:
        return []
    names = AMD_VISIBILITY if devices[0].vendor == "amd" else ("CUDA_VISIBLE_DEVICES",)
    visible = next((env[n] for n in names if env.get(n) is not None), None)
    if visible is None:
        return devices
    chosen = []
    for entry in (e.strip() for e in visible.split(",")):
        match = [
            d for d in devices if entry and (entry == d.id or (d.uuid and d.uuid.startswith(entry)))
        ]
        if not match:  # the runtime stops at the first id it cannot use
            break
        chosen.append(
            Device(entry, match[0].uuid, match[0].name, match[0].memory_gib, match[0].vendor)
        )
    return chosen


def discover(
    run: Callable[[Sequence[str]], str | None] = run_tool,
    env: Mapping[str, str] | None = None,
    *,
    use_torch: bool = True,
) -> list[Device]:
    """The GPUs this process may use, NVIDIA or AMD (module docstring).

    Args:
        run: Runs a driver tool's argv and returns its output or None; injectable for tests.
        env: The environment (default ``os.environ``).
        use_torch: Fall back to ``torch.cuda`` when no tool answers.
    """
    env = os.environ if env is None else env
    for argv, parse in (
        (NVIDIA_QUERY, parse_nvidia),
        (AMD_SMI_QUERY, parse_amd_smi),
        (ROCM_SMI_QUERY, parse_rocm_smi),
    ):
        text = run(argv)
        found = parse(text) if text else []
        if found:
            return filter_visible(found, env)
    return _torch_devices() if use_torch else []
