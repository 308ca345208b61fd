"""Plan a sweep before launching it: one ``PlanRow`` per job, as ``harness-eval -m`` would run.

Jobs are expanded exactly as Hydra's basic sweeper does (``hydra.sweeper.params`` of an
experiment first, then command-line overrides; ``BasicSweeper.split_arguments``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.plan.arch import GIB, NotPlannable, architecture
from harness.plan.estimate import (
    PlanRow,
    estimate_cost,
    mean_length,
    measured_lengths,
    n_problems,
)
from harness.plan.fit import PROMPT_BUDGET_TOKENS, FitSettings, fit
from harness.plan.hardware import Machine, machine_from_hardware, resolve_hardware
from harness.plan.resources import DEFAULT_HARDWARE


def _compose(overrides: Sequence[str], hydra: bool = False) -> Any:
    from hydra import compose, initialize_config_dir

    from harness.config.paths import config_dir
    from harness.config.schema import register

    register()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides), return_hydra_config=hydra)


def expand_sweep(overrides: Sequence[str]) -> list[list[str]]:
    """The override list of every job of ``harness-eval -m <overrides>``, in launch order."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    parsed = parser.parse_overrides(list(overrides))
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    base = _compose(fixed, hydra=True)
    params = base.hydra.sweeper.get("params") or {}
    args = [f"{k}={v}" for k, v in params.items()] + list(overrides)
    batches = BasicSweeper.split_arguments(parser.parse_overrides(args), None)
    return [job for batch in batches for job in batch]


def plan_job(
    job: int,
    cfg: Any,
    hardware: dict[str, Any],
    machine: Machine,
    measured: dict[tuple[str, str], tuple[float, int]],
) -> PlanRow:
    """Plan one composed job on ``machine``."""
    model, bench = str(cfg.model.name), str(cfg.benchmark.name)
    problems = n_problems(bench, cfg.get("limit"))
    samples = int(cfg.sampling.n)
    max_new = int(cfg.sampling.max_new_tokens)
    mean, source = mean_length(
        model, bench, reasoning=bool(cfg.model.reasoning), measured=measured, max_new_tokens=max_new
    )
    tokens = problems * samples * mean
    common = {
        "job": job,
        "model": model,
        "benchmark": bench,
        "problems": problems,
        "samples": samples,
        "mean_tokens": round(mean),
        "length_source": source,
        "generated_tokens": round(tokens),
        "hardware": hardware["name"],
    }
    zero = {"tp": 0, "replicas": 0, "gpus": 0, "tokens_per_s": 0.0, "wall_hours": 0.0}
    try:
        arch = architecture(cfg.model)
    except NotPlannable:
        return PlanRow(
            **common, **zero, fits=False, memory_gib=0.0, gpu_hours=0.0, cost_usd=0.0,
            note="API model: billed per token by its provider, no GPUs to plan",
        )  # fmt: skip
    settings = FitSettings(max_model_len=max_new + PROMPT_BUDGET_TOKENS)
    memory = (arch.weight_bytes + arch.kv_bytes_per_token(1) * settings.max_model_len) / GIB
    f = fit(arch, machine, settings)
    if not f.ok:
        return PlanRow(
            **common, **zero, fits=False, memory_gib=round(memory, 1), gpu_hours=0.0,
            cost_usd=0.0, note=f"REFUSED: {f.reason}",
        )  # fmt: skip
    cost = estimate_cost(arch.n_params, f, tokens, hardware)
    note = "" if f.max_concurrent_sequences >= 8 else (
        f"only {f.max_concurrent_sequences:g} full-length sequences fit in KV cache: slow"
    )  # fmt: skip
    return PlanRow(
        **common,
        fits=True,
        tp=f.tp,
        replicas=f.replicas,
        gpus=int(cost["gpus"]),
        memory_gib=round(memory, 1),
        tokens_per_s=round(cost["tokens_per_s"]),
        wall_hours=round(cost["wall_hours"], 2),
        gpu_hours=round(cost["gpu_hours"], 2),
        cost_usd=round(cost["cost_usd"], 2),
        note=note,
    )


def plan(
    overrides: Sequence[str],
    *,
    hardware: str | None = None,
    gpus: int | None = None,
    nodes: int = 1,
    results_dir: Path | None = None,
) -> list[PlanRow]:
    """Plan every job of a sweep.

    Args:
        overrides: ``harness-eval`` overrides (comma sweeps and ``experiment=…`` allowed).
        hardware: A ``configs/hardware`` entry; default: the config's ``hardware`` or H100.
        gpus: GPUs per node; default: the hardware entry's node size.
        nodes: Nodes available.
        results_dir: Where earlier runs are (measured lengths); default: the config's.

    Returns:
        One row per job, in launch order.
    """
    rows = []
    measured: dict[tuple[str, str], tuple[float, int]] | None = None
    for i, job in enumerate(expand_sweep(overrides)):
        cfg = _compose(job)
        if measured is None:
            measured = measured_lengths(Path(results_dir or cfg.results_dir))
        name = hardware or (cfg.hardware.name if cfg.get("hardware") else DEFAULT_HARDWARE)
        entry = resolve_hardware(name)  # `detected`: this machine's GPUs, any vendor
        rows.append(plan_job(i, cfg, entry, machine_from_hardware(entry, gpus, nodes), measured))
    return rows
