"""A SLURM launcher whose resources follow each job's model (``+launcher=submitit_slurm``).

hydra-submitit-launcher resolves ``hydra.launcher`` once, against the sweep's base config, and
submits every job with the same resources. Here each job's config is composed first, its
``hydra.launcher`` resolved (``${harness_job:gpus_per_node}`` and friends), and consecutive
jobs with equal resources go to submitit's own SLURM launcher as one array.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf


class FitSlurmLauncher(Launcher):
    """Per-job resources for hydra-submitit-launcher's ``SlurmLauncher``."""

    def __init__(self, **params: Any) -> None:
        self.config: DictConfig | None = None
        self.hydra_context: HydraContext | None = None
        self.task_function: TaskFunction | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        """Keep what the per-job launchers need."""
        self.config = config
        self.hydra_context = hydra_context
        self.task_function = task_function

    def job_params(self, overrides: Sequence[str]) -> dict[str, Any]:
        """The resolved ``hydra.launcher`` of one job (its model decides the resources)."""
        assert self.hydra_context is not None and self.config is not None
        job_cfg = self.hydra_context.config_loader.load_sweep_config(self.config, list(overrides))
        params = OmegaConf.to_container(job_cfg.hydra.launcher, resolve=True)
        assert isinstance(params, dict)
        params.pop("_target_", None)
        return params

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """Submit runs of consecutive jobs with equal resources as SLURM arrays."""
        from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher

        from harness.plan.launch import group_consecutive

        assert self.hydra_context is not None and self.task_function is not None
        params = [self.job_params(o) for o in job_overrides]
        returns: list[JobReturn] = []
        for start, end in group_consecutive(params):
            inner = SlurmLauncher(**params[start])
            inner.setup(
                hydra_context=self.hydra_context,
                task_function=self.task_function,
                config=self.config,
            )
            returns.extend(inner.launch(job_overrides[start:end], initial_job_idx + start))
        return returns
