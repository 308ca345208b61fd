"""W&B side of ``harness-report`` (wandb imported lazily, here only).

- ``log_report``: log the report's tables (``wandb.Table``) and figures (``wandb.Image``) to a
  report run, offline by default; the run is always finished, with exit code 1 on failure.
- ``download_runs``: read the evaluation runs of a W&B project (online only) through
  ``wandb.Api()``: each run's ``eval-run`` artifact (the run directory ``harness-eval`` logs) is
  downloaded and becomes an ordinary run directory for the report.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.store.secrets import redact
from harness.tracking.trackers import _import_wandb

ARTIFACT_TYPE = "eval-run"  # WandbTracker.log_run logs each run directory as this type


def log_report(
    tables: dict[str, tuple[Sequence[str], Sequence[Sequence[Any]]]],
    images: Sequence[tuple[str, Path]],
    summary: dict[str, Any],
    *,
    project: str,
    mode: str = "offline",
    entity: str | None = None,
    wandb_dir: Path,
    name: str = "report",
    files: Sequence[Path] = (),
) -> str:
    """Log a report run and return its W&B run id.

    Args:
        tables: Table name → (columns, rows).
        images: (key, PNG path) pairs.
        summary: Scalars for the run summary (verdict counts).
        project: W&B project.
        mode: "offline" (default; no network, ``wandb sync`` later), "online" or "disabled".
        entity: W&B entity, None for the default.
        wandb_dir: Where W&B writes its files (``<wandb_dir>/wandb/offline-run-*``).
        name: Run name.
        files: Logged together as a ``report`` artifact (report.md, verdicts.json, PNGs).
    """
    wandb = _import_wandb()
    wandb_dir.mkdir(parents=True, exist_ok=True)
    run = wandb.init(
        project=project,
        entity=entity,
        mode=mode,
        dir=str(wandb_dir),
        name=name,
        job_type="report",
        settings=wandb.Settings(
            save_code=False, disable_git=True, x_disable_stats=True, x_disable_meta=True
        ),
    )
    exit_code = 1
    try:
        for key, (columns, rows) in tables.items():
            data = [[str(c) for c in row] for row in redact([list(r) for r in rows])]
            run.log({key: wandb.Table(columns=list(columns), data=data)})
        for key, path in images:
            run.log({key: wandb.Image(str(path))})
        run.summary.update(summary)
        if files:
            artifact = wandb.Artifact(name=f"report-{run.id}", type="report")
            for file in files:
                artifact.add_file(str(file))
            run.log_artifact(artifact)
        exit_code = 0
    finally:
        run.finish(exit_code=exit_code)
    return str(run.id)


def download_runs(path: str, dest: Path) -> list[Path]:
    """Download the run directories logged to a W&B project.

    Args:
        path: ``entity/project`` (or ``project`` for the default entity).
        dest: Folder to download into; each run goes to ``dest/<run name>``.

    Returns:
        The downloaded run directories.

    Raises:
        HarnessError: W&B is offline or has no API key, or the project holds no eval runs.
    """
    if os.environ.get("WANDB_MODE", "").lower() in ("offline", "disabled", "dryrun"):
        raise HarnessError(
            f"cannot read W&B project {path!r}: WANDB_MODE={os.environ['WANDB_MODE']}. Reading "
            "runs from W&B needs the network and an account: set WANDB_MODE=online and log in "
            "(`wandb login`), or pass the local results folders instead (offline runs sit in "
            "<results_dir>/wandb; `wandb sync` uploads them)."
        )
    wandb = _import_wandb()
    try:
        api = wandb.Api()
        runs = list(api.runs(path))
    except Exception as exc:  # noqa: BLE001 - wandb raises many types for auth and network
        raise HarnessError(
            f"cannot read W&B project {path!r} ({type(exc).__name__}: {exc}). Log in with "
            "`wandb login` (or set the API key in the environment) and check the network, or "
            "pass local results folders instead."
        ) from exc
    found: list[Path] = []
    for run in runs:
        for artifact in run.logged_artifacts():
            if artifact.type == ARTIFACT_TYPE:
                target = dest / (run.name or run.id)
                artifact.download(root=str(target))
                found.append(target)
    if not found:
        raise HarnessError(
            f"W&B project {path!r} holds no '{ARTIFACT_TYPE}' artifacts; log runs with "
            "harness-eval tracking=wandb first"
        )
    return found
