"""A finished run never changes: ``harness-eval`` on a run directory that holds ``complete.json``.

- The same command again (the recorded ``config.yaml`` would not change): nothing is written;
  the run's own ``metrics.json`` is returned and the command exits 0 saying the run is complete.
- Any other setting (a grading convention, a sampling key, another replay file…): refused
  before anything is written, with the exact command that writes a NEW run from the finished
  run's ``samples.jsonl`` (a re-grade is a replay: it needs no new generation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf

from harness.errors import HarnessError
from harness.store import hydra_files, model_origin
from harness.store.generation_log import key_differences
from harness.store.secrets import redact
from harness.store.verify import COMPLETE, CONFIG, read_json_object

METRICS = "metrics.json"  # results.METRICS
SAMPLES = "samples.jsonl"  # results.SAMPLES
_MAX_LISTED = 8  # changed settings named in the message before "and N more"
# Settings that change what the responses are: a replay of the old responses cannot stand for
# them, so such a change needs a new run (a re-grade keeps them all).
_GENERATION_KEYS = ("model.", "sampling.", "backend.", "benchmark.", "limit:", "seed:")


class FinishedRunError(HarnessError):
    """The run directory holds a finished run, and this command would change it."""


def _recorded(cfg: DictConfig) -> dict[str, Any]:
    """config.yaml as this command would write it (redacted, as ``results.begin_run`` does)."""
    if cfg.benchmark.name == "lm_eval_task":
        config = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    else:
        named = model_origin.model_named(str(cfg.backend.name))
        config = model_origin.recorded_config(cfg, named)
    return yaml.safe_load(redact(OmegaConf.to_yaml(config))) or {}


def _new_run_id(results_dir: Path, run_id: str) -> str:
    candidate, i = f"{run_id}_regrade", 2
    while (results_dir / candidate).exists():
        candidate, i = f"{run_id}_regrade{i}", i + 1
    return candidate


def _model_choice(old: dict[str, Any]) -> str | None:
    """The model option to name in the replay command, None for a run of unknown origin."""
    if (old.get("model") or {}).get("name") == model_origin.UNKNOWN:
        return None
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    choice = HydraConfig.get().runtime.choices.get("model")
    return None if choice is None else str(choice)


def check_finished(cfg: DictConfig, run_dir: Path) -> dict[str, Any] | None:
    """Refuse to change a finished run; say whether this command is the one that made it.

    Args:
        cfg: The composed run config.
        run_dir: The run directory.

    Returns:
        None when the directory holds no finished run (the run goes ahead, or resumes);
        the finished run's metrics when this command would record the same config.

    Raises:
        FinishedRunError: The run is finished and this command differs from its config.yaml;
            the message names the changed settings and the command that writes a new run.
    """
    if not (run_dir / COMPLETE).is_file():
        return None
    path = run_dir / CONFIG
    try:
        old = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        old = {}
    old = old if isinstance(old, dict) else {}
    changed = key_differences(old, _recorded(cfg))
    if not changed:
        return read_json_object(run_dir / METRICS)
    shown = "; ".join(changed[:_MAX_LISTED])
    more = f" and {len(changed) - _MAX_LISTED} more" if len(changed) > _MAX_LISTED else ""
    regenerates = any(c.startswith(_GENERATION_KEYS) for c in changed)
    if regenerates or cfg.benchmark.name == "lm_eval_task" or not (run_dir / SAMPLES).is_file():
        fix = "Choose a new run_id=… to run these settings"
    else:
        new_id = _new_run_id(Path(str(cfg.results_dir)), str(cfg.run_id))
        command = hydra_files.replay_command(run_dir / SAMPLES, new_id, _model_choice(old))
        fix = (
            "To grade its responses under these settings, write a new run from its "
            f"samples.jsonl (nothing is generated again): {command}"
        )
    raise FinishedRunError(
        f"{run_dir} holds a finished run ({COMPLETE}), which is never changed; this command "
        f"differs from its {CONFIG}: {shown}{more}. {fix}"
    )
