"""The GPUs a run has (detected) or a plan assumes (``configs/hardware/*.yaml``).

Detection (``plan/discover.py``) asks ``nvidia-smi``, then ``amd-smi`` / ``rocm-smi``, then torch
if it is importable, and honours ``CUDA_VISIBLE_DEVICES`` / ``HIP_VISIBLE_DEVICES``; all are
optional, and tests pass a ``query`` function instead. A GPU missing from the catalogue still
plans, from the memory it reports (``detected_entry``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.config.paths import config_dir


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


def detect_gpus(query: Callable[[], str | None] | None = None) -> list[Gpu]:
    """The GPUs this process may use, NVIDIA or AMD (empty when there are none).

    Args:
        query: Returns ``nvidia-smi --query-gpu=name,memory.total`` CSV or None; injectable for
            tests. Default: ``plan.discover.discover`` (every vendor, visibility honoured).
    """
    if query is not None:
        text = query()
        return parse_nvidia_smi(text) if text else []
    from harness.plan.discover import discover

    return [Gpu(d.name, d.memory_gib) for d in discover()]


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
    """The entry whose ``match`` substrings all occur in the driver's GPU name.

    When several match, the most specific wins (the most matched characters), so "NVIDIA L40S"
    is the L40S entry, not the L4 one.
    """
    lowered = gpu_name.lower()
    hits = [
        e for e in table if e.get("match") and all(str(m).lower() in lowered for m in e["match"])
    ]
    return max(hits, key=lambda e: sum(len(str(m)) for m in e["match"]), default=None)


UNKNOWN_GPU_NOTE = (
    "not in configs/hardware: planned from its reported memory; price unknown (0), throughput "
    "of the slowest catalogue entry (an estimate); add an entry for your GPU"
)


def detected_entry(gpus: list[Gpu], table: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """A hardware entry for this machine's GPUs (the smallest decides), or None without GPUs.

    A GPU the catalogue matches gets its entry with the detected memory and count; one it does
    not match is planned from its reported memory, with no price and the lowest throughputs of
    the catalogue (``UNKNOWN_GPU_NOTE``).
    """
    if not gpus:
        return None
    rows = list(table)
    small = min(gpus, key=lambda g: g.memory_gib)
    found = match_hardware(small.name, rows)
    if found is not None:
        return {**found, "memory_gib": small.memory_gib, "gpus_per_node": len(gpus)}
    slowest = min(rows, key=lambda e: max(t["tokens_per_s_per_gpu"] for t in e["throughput"]))
    return {
        "name": "detected",
        "gpu": small.name,
        "match": [],
        "memory_gib": small.memory_gib,
        "gpus_per_node": len(gpus),
        "price_per_gpu_hour": 0.0,
        "price_source": UNKNOWN_GPU_NOTE,
        "throughput": slowest["throughput"],
        "throughput_source": f"{UNKNOWN_GPU_NOTE} ({slowest['name']})",
    }


def resolve_hardware(name: str, folder: Path | None = None) -> dict[str, Any]:
    """``load_hardware(name)``; ``detected`` is this machine's GPUs (``detected_entry``).

    Raises:
        FileNotFoundError: An unknown entry, or ``detected`` on a machine without GPUs.
    """
    if name != "detected":
        return load_hardware(name, folder)
    entry = detected_entry(detect_gpus(), price_table(folder))
    if entry is None:
        raise FileNotFoundError(
            "hardware=detected: no GPU found (nvidia-smi, amd-smi, rocm-smi, torch); name a "
            "configs/hardware entry instead, e.g. --hardware h100_80gb"
        )
    return entry


def machine_from_hardware(entry: Mapping[str, Any], gpus: int | None, nodes: int) -> Machine:
    """A planning machine from a hardware entry; ``gpus`` per node defaults to the entry's."""
    return Machine(
        gpu_name=str(entry["gpu"]),
        gpu_memory_gib=float(entry["memory_gib"]),
        gpus_per_node=int(gpus or entry["gpus_per_node"]),
        nodes=nodes,
    )
