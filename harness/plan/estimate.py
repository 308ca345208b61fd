"""What a job will cost: tokens from response lengths, GPU-hours from a throughput table.

Mean response lengths come from earlier runs in ``results/`` when there are any for the same
model × benchmark (metrics.json ``mean_response_length`` in tokens), else from the estimates in
``harness/plan/lengths.yaml``. Throughput and price come from ``configs/hardware/<gpu>.yaml``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from harness.plan.fit import Fit

LENGTHS = Path(__file__).with_name("lengths.yaml")


@lru_cache(maxsize=1)
def length_table() -> dict[str, Any]:
    """The estimates file, parsed once."""
    return yaml.safe_load(LENGTHS.read_text())


def n_problems(benchmark: str, limit: int | None) -> int:
    """Problems a job evaluates: the benchmark's size, capped by ``limit``."""
    total = length_table()["n_problems"].get(benchmark)
    if total is None:
        raise KeyError(f"no problem count for benchmark {benchmark!r} in {LENGTHS}")
    return total if limit is None else min(total, limit)


def measured_lengths(results_dir: Path) -> dict[tuple[str, str], tuple[float, int]]:
    """Mean generated tokens per (model, benchmark) over earlier runs, and how many runs.

    Reads every ``metrics.json`` under ``results_dir`` whose run's ``config.yaml`` names the
    model and benchmark and whose ``response_length_unit`` is ``tokens``; means are weighted by
    the number of responses.
    """
    sums: dict[tuple[str, str], list[float]] = {}
    for metrics_path in sorted(results_dir.rglob("metrics.json")) if results_dir.is_dir() else []:
        config_path = metrics_path.with_name("config.yaml")
        try:
            metrics = json.loads(metrics_path.read_text())
            config = yaml.safe_load(config_path.read_text())
            key = (config["model"]["name"], config["benchmark"]["name"])
        except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError):
            continue
        if metrics.get("response_length_unit") != "tokens":
            continue
        weight = metrics.get("n_problems", 1) * metrics.get("n_samples", 1)
        acc = sums.setdefault(key, [0.0, 0.0, 0])
        acc[0] += metrics["mean_response_length"] * weight
        acc[1] += weight
        acc[2] += 1
    return {k: (v[0] / v[1], int(v[2])) for k, v in sums.items() if v[1]}


def mean_length(
    model: str,
    benchmark: str,
    *,
    reasoning: bool,
    measured: Mapping[tuple[str, str], tuple[float, int]],
    max_new_tokens: int,
) -> tuple[float, str]:
    """Expected mean generated tokens and where the number comes from."""
    if (model, benchmark) in measured:
        value, runs = measured[(model, benchmark)]
        return value, f"measured ({runs} run{'s' * (runs > 1)})"
    table = length_table()
    row = table["models"].get(model) or table["reasoning_default" if reasoning else "plain_default"]
    value = row.get(benchmark, max_new_tokens / 4)
    return min(float(value), float(max_new_tokens)), "estimate"


def throughput_per_gpu(n_params: int, hardware: Mapping[str, Any]) -> float:
    """Decode tokens/s per GPU for a model of this size on this GPU type (the table's bucket)."""
    billions = n_params / 1e9
    for entry in sorted(hardware["throughput"], key=lambda e: e["max_params_b"]):
        if billions <= entry["max_params_b"]:
            return float(entry["tokens_per_s_per_gpu"])
    return float(hardware["throughput"][-1]["tokens_per_s_per_gpu"])


@dataclass(frozen=True)
class PlanRow:
    """One job of a sweep, as planned."""

    job: int
    model: str
    benchmark: str
    problems: int
    samples: int
    mean_tokens: float
    length_source: str
    generated_tokens: float
    hardware: str
    fits: bool
    tp: int
    replicas: int
    gpus: int
    memory_gib: float  # weights + KV cache of one full-length sequence, per replica
    tokens_per_s: float
    wall_hours: float
    gpu_hours: float
    cost_usd: float
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON output)."""
        return asdict(self)


def estimate_cost(
    n_params: int, fit: Fit, tokens: float, hardware: Mapping[str, Any]
) -> dict[str, float]:
    """GPU-hours, wall hours and cost of generating ``tokens`` with this fit.

    All GPUs of the machine are busy (``replicas × tp × pp``); throughput scales with them.
    """
    per_gpu = throughput_per_gpu(n_params, hardware)
    gpus = fit.replicas * fit.gpus_needed
    gpu_hours = tokens / per_gpu / 3600
    return {
        "gpus": gpus,
        "tokens_per_s": per_gpu * gpus,
        "gpu_hours": gpu_hours,
        "wall_hours": gpu_hours / gpus if gpus else 0.0,
        "cost_usd": gpu_hours * float(hardware["price_per_gpu_hour"]),
    }
