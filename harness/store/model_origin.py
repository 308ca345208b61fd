"""What a run may claim about the model behind its responses.

A replay run replays responses from a file. Unless the user names the model (``model=…`` on
the command line, or an experiment overlay that picks one), nothing says which model wrote them
or under which sampling: the composed default model (the root config's) is only a placeholder.
Such a run records ``model: unknown`` (no hub id or revision) and sampling ``unknown`` (only
``n`` is known: the replay file has n samples per problem), so the report attributes it to no
model and no protocol.
"""

from __future__ import annotations

from typing import Any, Protocol

import yaml
from omegaconf import DictConfig, OmegaConf

from harness.config.paths import config_dir
from harness.store.names import plain_name

UNKNOWN = "unknown"


class _Reasoning(Protocol):
    """The part of ``config.schema.ModelConfig`` read here (not imported: schema imports us)."""

    reasoning: bool


NOTE = (
    "replayed responses of unknown origin: no model= was given, so the run records model: "
    "unknown and no sampling settings; re-run with model=… (and sampling=…) to attribute them"
)


def _default_model() -> str | None:
    """The model option of the root config's defaults list."""
    root = yaml.safe_load((config_dir() / "config.yaml").read_text(encoding="utf-8"))
    for entry in root.get("defaults", []):
        if isinstance(entry, dict) and "model" in entry:
            return str(entry["model"])
    return None


def _named(backend_name: str) -> bool:
    if backend_name != "replay":
        return True
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return True
    hc = HydraConfig.get()
    for override in hc.overrides.task:
        key = override.lstrip("+~").split("=", 1)[0]
        if key == "model" or key.startswith("model."):
            return True
    if hc.runtime.choices.get("evidence") not in (None, "null"):  # the entry names its model
        return True
    return hc.runtime.choices.get("model") != _default_model()


def model_named(backend_name: str) -> bool:
    """Say whether the run's model was named by the user (always true for generating backends).

    Outside a Hydra app (the compose API) the caller chose the config, so it counts as named.

    Args:
        backend_name: The run's ``backend.name``.
    """
    return _named(str(backend_name))


def model_label(model_name: str, backend_name: str) -> str:
    """The model part of the default run_id (``${harness_model:${model.name},${backend.name}}``).

    The model's name, or ``unknown`` for a replay that names none, as a plain name.
    """
    return plain_name(model_name if _named(str(backend_name)) else UNKNOWN)


def register_resolvers() -> None:
    """Register ``${harness_model:…}`` (idempotent)."""
    if not OmegaConf.has_resolver("harness_model"):
        OmegaConf.register_new_resolver("harness_model", model_label)


def unknown_model(model: _Reasoning) -> dict[str, Any]:
    """The ``model`` record of a replay of unknown origin (``reasoning`` kept: grading needs it).

    Args:
        model: The run's ``model`` node; only ``reasoning`` is read.
    """
    return {
        "name": UNKNOWN,
        "hub_id": None,
        "path": None,
        "revision": None,
        "tokenizer_revision": None,
        "reasoning": bool(model.reasoning),
    }


def recorded_config(cfg: DictConfig, named: bool) -> dict[str, Any]:
    """The resolved config as the run records it (config.yaml, W&B)."""
    resolved = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    assert isinstance(resolved, dict)
    if not named:
        resolved["model"] = unknown_model(cfg.model)
        resolved["sampling"] = {
            "name": UNKNOWN,
            "n": int(cfg.sampling.n),
            "temperature": None,
            "top_p": None,
            "max_new_tokens": None,
            "seed": None,
        }
    return resolved
