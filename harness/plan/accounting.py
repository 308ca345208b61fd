"""Accounting of a finished run (metrics.json ``accounting``) and plan-vs-run comparison."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.plan.hardware import Gpu, match_hardware


def _name(gpu: Any) -> str:
    return str(gpu.name if isinstance(gpu, Gpu) else gpu.get("name", ""))


def accounting(
    stats: Mapping[str, Any],
    gpus: Sequence[Gpu | Mapping[str, Any]],
    price_table: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """Generated tokens, tokens/s, GPU-hours, peak memory and estimated cost of a run.

    Args:
        stats: ``Generation.stats`` from the backend: ``prompt_tokens``, ``generated_tokens``,
            ``tokens_per_s``, ``wall_time_s``, ``peak_accelerator_memory_gib`` and, where the
            backend knows it, ``num_gpus`` (GPUs the engine used; default: all detected).
        gpus: The GPUs of the machine (``detect_gpus()``), or dicts with a ``name``.
        price_table: Hardware entries (``price_table()``); the first whose ``match`` fits the
            GPU name gives the price.

    Returns:
        The ``accounting`` block of metrics.json. Unknown values are None; a run without GPUs
        (replay, API) has zero GPU-hours and no cost.
    """
    generated = stats.get("generated_tokens")
    wall = stats.get("wall_time_s")
    tps = stats.get("tokens_per_s")
    if tps is None and generated is not None and wall:
        tps = generated / wall
    n_gpus = int(stats.get("num_gpus", len(gpus)))
    gpu_type = _name(gpus[0]) if gpus else None
    gpu_hours = (wall or 0.0) * n_gpus / 3600 if n_gpus else 0.0
    entry = match_hardware(gpu_type, price_table) if gpu_type else None
    price = float(entry["price_per_gpu_hour"]) if entry else None
    return {
        "prompt_tokens": stats.get("prompt_tokens"),
        "generated_tokens": generated,
        "wall_time_s": wall,
        "tokens_per_s": round(tps, 1) if tps is not None else None,
        "tokens_per_s_per_gpu": round(tps / n_gpus, 1) if tps and n_gpus else None,
        "gpus": n_gpus,
        "gpu_type": gpu_type,
        "gpu_hours": round(gpu_hours, 4),
        "peak_accelerator_memory_gib": stats.get("peak_accelerator_memory_gib"),
        "price_per_gpu_hour": price,
        "price_source": entry.get("price_source") if entry else None,
        "estimated_cost_usd": round(gpu_hours * price, 2) if price is not None else None,
    }


def compare_with_run(plan_row: Mapping[str, Any], run_dir: Path) -> dict[str, Any]:
    """Planned vs measured tokens, wall time and GPU-hours for one finished run.

    Args:
        plan_row: A ``PlanRow.as_dict()`` (or any mapping with its keys).
        run_dir: The run's directory (its metrics.json is read).

    Returns:
        For each quantity: planned, actual and actual/planned (None where unknown).
    """
    metrics = json.loads((Path(run_dir) / "metrics.json").read_text())
    acc = metrics.get("accounting") or {}
    gen = metrics.get("generation") or {}
    tokens = acc.get("generated_tokens", gen.get("generated_tokens"))
    if tokens is None and metrics.get("response_length_unit") == "tokens":
        tokens = metrics["mean_response_length"] * metrics["n_problems"] * metrics["n_samples"]
    wall_s = acc.get("wall_time_s", gen.get("wall_time_s", metrics.get("wall_time_s")))
    actual = {
        "generated_tokens": tokens,
        "wall_hours": wall_s / 3600 if wall_s is not None else None,
        "gpu_hours": acc.get("gpu_hours"),
        "tokens_per_s": acc.get("tokens_per_s", gen.get("tokens_per_s")),
        "cost_usd": acc.get("estimated_cost_usd"),
        "mean_tokens": metrics.get("mean_response_length")
        if metrics.get("response_length_unit") == "tokens"
        else None,
    }
    out: dict[str, Any] = {"run_dir": str(run_dir)}
    for key, value in actual.items():
        planned = plan_row.get(key)
        ratio = value / planned if value is not None and planned else None
        out[key] = {
            "planned": planned,
            "actual": value,
            "ratio": round(ratio, 3) if ratio is not None else None,
        }
    return out
