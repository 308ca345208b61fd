"""Helpers for the data-stage tests: compose one benchmark config, write small data files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from harness.config.schema import register

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "configs"
BENCHMARKS = ("math500", "aime24", "aime25", "amc23", "gpqa_diamond", "gsm8k")


def benchmark_cfg(name: str, **fields: Any) -> DictConfig:
    """Compose ``configs/benchmark/<name>.yaml`` alone (through its schema) and set ``fields``.

    Assignments go through the typed config, so a wrong key or type fails as it would on the
    command line.
    """
    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(config_name=None, overrides=[f"+benchmark={name}"]).benchmark
    for key, value in fields.items():
        cfg[key] = value
    return cfg


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as JSON Lines ("\\n" separated) and return the path."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
