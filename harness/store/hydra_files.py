"""Hydra's own files of a run, written by us (redacted, and only once the run may start).

``configs/config.yaml`` sets ``hydra.output_subdir: null``, so Hydra no longer writes
``.hydra/`` before the task runs (it did so even when the resume check then refused the run,
rewriting the finished run's record). ``save_hydra_files`` writes the same three files after
the check. ``scrub_multirun_yaml`` redacts the sweep's ``multirun.yaml``, which Hydra writes
before any job starts. ``resume_command`` is the exact command that continues a run.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from harness.store.secrets import redact

HYDRA_DIR = ".hydra"
MULTIRUN_YAML = "multirun.yaml"  # Hydra's name for the sweep's config record
# Overrides that choose the run directory; the resume command sets its own.
_DIR_KEYS = ("run_id=", "hydra.run.dir=", "hydra.sweep.dir=", "hydra.sweep.subdir=")


def _hydra() -> Any | None:
    """Hydra's runtime config, or None outside a Hydra app (compose API, tests)."""
    from hydra.core.hydra_config import HydraConfig

    return HydraConfig.get() if HydraConfig.initialized() else None


def _write(path: Path, text: str) -> None:
    from harness.store.atomic import write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, text)


def save_hydra_files(cfg: Any, run_dir: Path) -> None:
    """Write ``.hydra/config.yaml``, ``hydra.yaml`` and ``overrides.yaml`` as Hydra would."""
    from hydra.core.hydra_config import HydraConfig

    hc = _hydra()
    if hc is None:
        return
    folder = run_dir / HYDRA_DIR
    _write(folder / "config.yaml", OmegaConf.to_yaml(cfg))
    _write(folder / "hydra.yaml", OmegaConf.to_yaml(HydraConfig.instance().cfg))
    _write(folder / "overrides.yaml", OmegaConf.to_yaml(hc.overrides.task))


def scrub_multirun_yaml() -> None:
    """Redact the sweep folder's ``multirun.yaml`` (no-op outside a sweep)."""
    hc = _hydra()
    if hc is None or str(hc.mode) != "RunMode.MULTIRUN":
        return
    path = Path(hc.sweep.dir) / MULTIRUN_YAML
    if path.is_file():
        text = path.read_text(encoding="utf-8", errors="replace")
        clean = redact(text)
        if clean != text:
            _write(path, clean)


def resume_command(run_dir: Path, run_id: str, results_dir: str) -> str:
    """The command that continues this run in this directory (credentials redacted).

    A single run needs its overrides and ``run_id``; a sweep job also needs its directory
    (``hydra.run.dir``), since a sweep names job folders by number, not by run_id.
    """
    hc = _hydra()
    args = [] if hc is None else [a for a in hc.overrides.task if not a.startswith(_DIR_KEYS)]
    args.append(f"run_id={run_id}")
    if Path(run_dir).resolve() != (Path(results_dir) / run_id).resolve():
        args.append(f"hydra.run.dir={run_dir}")
    return redact("harness-eval " + " ".join(shlex.quote(str(a)) for a in args))


def _is_backend_override(arg: str) -> bool:
    key = arg.lstrip("+~").split("=", 1)[0]
    return key == "backend" or key.startswith("backend.")


def replay_command(samples: Path, new_run_id: str, model_choice: str | None) -> str:
    """The command that writes a NEW run from a finished run's ``samples.jsonl`` (a re-grade).

    The current command's overrides, minus its directory and backend ones, plus
    ``backend=replay backend.path=<samples> run_id=<new_run_id>``. ``model_choice`` (the model
    option of a run that named its model) is added as ``model=…`` when the overrides do not
    name one, so the replay is attributed to the same model.
    """
    hc = _hydra()
    task = [] if hc is None else list(hc.overrides.task)
    args = [a for a in task if not a.startswith(_DIR_KEYS) and not _is_backend_override(a)]
    names_model = any(a.lstrip("+~").split("=", 1)[0].split(".")[0] == "model" for a in args)
    if model_choice and not names_model:
        args.insert(0, f"model={model_choice}")
    args += ["backend=replay", f"backend.path={samples}", f"run_id={new_run_id}"]
    return redact("harness-eval " + " ".join(shlex.quote(str(a)) for a in args))
