"""The GPUs a run has (detected) or a plan assumes (``configs/hardware/*.yaml``).

Detection asks ``nvidia-smi`` first, then torch if it is importable; both are optional, and
tests pass a ``query`` function instead.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.config.paths import config_dir

NVIDIA_SMI_QUERY = [
    "nvidia-smi",
    "--query-gpu=name,memory.total",
    "--format=csv,noheader,nounits",
]


@dataclass(frozen=True)
class Gpu:
    """One accelerator: its name as the driver reports it and its memory in GiB."""

    name: str
    memory_gib: float


@dataclass(frozen=True)
class Machine:
    """What a plan may use: ``nodes`` × ``gpus_per_node`` GPUs of one type."""

    gpu_name: str
    gpu_memory_gib: float
    gpus_per_node: int
    nodes: int = 1

    @property
    def total_gpus(self) -> int:
        """All GPUs on all nodes."""
        return self.gpus_per_node * self.nodes

    def describe(self) -> str:
        """Short human description, e.g. ``1 node × 2 × NVIDIA A100 (80 GiB)``."""
        node = "node" if self.nodes == 1 else "nodes"
        return (
            f"{self.nodes} {node} × {self.gpus_per_node} × {self.gpu_name} "
            f"({self.gpu_memory_gib:g} GiB)"
        )


def parse_nvidia_smi(text: str) -> list[Gpu]:
    """Parse ``nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits``."""
    gpus = []
    for line in text.strip().splitlines():
        name, _, mib = line.rpartition(",")
        if name and mib.strip().isdigit():
            gpus.append(Gpu(name=name.strip(), memory_gib=round(int(mib) / 1024, 1)))
    return gpus


def run_nvidia_smi(query: list[str] = NVIDIA_SMI_QUERY) -> str | None:
    """``nvidia-smi``'s output for ``query`` (argv), or None without it or on failure."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        out = subprocess.run(query, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


def _torch_gpus() -> list[Gpu]:
    try:
        import torch  # optional: only the hf/vllm extras install it
    except ImportError:
        return []
    if not torch.cuda.is_available():
        return []
    return [
        Gpu(
            torch.cuda.get_device_name(i),
            round(torch.cuda.get_device_properties(i).total_memory / 2**30, 1),
        )
        for i in range(torch.cuda.device_count())
    ]


def detect_gpus(query: Callable[[], str | None] = run_nvidia_smi) -> list[Gpu]:
    """The GPUs of this machine (empty when there are none).

    Args:
        query: Returns nvidia-smi's CSV output or None; injectable for tests.
    """
    text = query()
    if text:
        return parse_nvidia_smi(text)
    return _torch_gpus() if query is run_nvidia_smi else []


def machine_from_gpus(gpus: list[Gpu]) -> Machine | None:
    """This machine as a one-node ``Machine`` (the smallest GPU decides), or None without GPUs."""
    if not gpus:
        return None
    small = min(gpus, key=lambda g: g.memory_gib)
    return Machine(small.name, small.memory_gib, len(gpus))


def load_hardware(name: str, folder: Path | None = None) -> dict[str, Any]:
    """One GPU type's entry from ``configs/hardware/<name>.yaml`` (memory, price, throughput)."""
    folder = folder or config_dir() / "hardware"
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise FileNotFoundError(f"no hardware entry {name!r} in {folder}; known: {known}")
    data = yaml.safe_load(path.read_text())
    data.pop("defaults", None)
    return data


def price_table(folder: Path | None = None) -> list[dict[str, Any]]:
    """Every hardware entry, for matching detected GPU names to a price."""
    folder = folder or config_dir() / "hardware"
    return [load_hardware(p.stem, folder) for p in sorted(folder.glob("*.yaml"))]


def match_hardware(gpu_name: str, table: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first entry whose ``match`` substrings all occur in the driver's GPU name."""
    lowered = gpu_name.lower()
    for entry in table:
        if all(m.lower() in lowered for m in entry.get("match", [])) and entry.get("match"):
            return entry
    return None


def machine_from_hardware(entry: Mapping[str, Any], gpus: int | None, nodes: int) -> Machine:
    """A planning machine from a hardware entry; ``gpus`` per node defaults to the entry's."""
    return Machine(
        gpu_name=str(entry["gpu"]),
        gpu_memory_gib=float(entry["memory_gib"]),
        gpus_per_node=int(gpus or entry["gpus_per_node"]),
        nodes=nodes,
    )
