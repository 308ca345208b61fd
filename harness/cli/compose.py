"""Compose the run config outside a Hydra app (tools, tests), exactly as ``harness-eval`` does."""

from __future__ import annotations

from collections.abc import Sequence

from omegaconf import DictConfig

from harness.config.paths import config_dir
from harness.config.schema import register


def compose_config(overrides: Sequence[str] = ()) -> DictConfig:
    """Compose ``configs/config.yaml`` with overrides.

    Args:
        overrides: Hydra overrides such as ``["benchmark=aime24", "limit=5"]``.

    Returns:
        The composed config (without the ``hydra`` node). Interpolations that need a running
        Hydra app (``${now:…}``) resolve as usual.
    """
    from hydra import compose, initialize_config_dir

    from harness.config.validate import check_values

    register()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose(config_name="config", overrides=list(overrides))
    check_values(cfg)  # ranges the schema cannot express, naming the key
    return cfg
