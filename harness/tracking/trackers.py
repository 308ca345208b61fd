"""Experiment tracking. The only module that imports wandb (lazily).

``open_tracker`` is a context manager: the W&B run is always finished, with a non-zero exit code
when the body raised, so a crashed evaluation still leaves a closed, syncable run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from harness.errors import HarnessError
from harness.store.secrets import redact

TABLE_RESPONSE_CHARS = 2000  # per-sample table keeps the response tail (the part graders read)


class Tracker(Protocol):
    """What the pipeline needs from a tracker."""

    def log_run(
        self, metrics: dict[str, Any], samples: Sequence[dict[str, Any]], run_dir: Path
    ) -> None:
        """Log the metrics, a per-sample table and the run directory."""


class NullTracker:
    """``tracking=none``: logs nothing."""

    def log_run(
        self, metrics: dict[str, Any], samples: Sequence[dict[str, Any]], run_dir: Path
    ) -> None:
        """Do nothing."""


def flat_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """Flatten metrics.json to scalar keys (``pass@1``, ``pass@1/ci95_lo``, ``truncated_pct``)."""
    flat: dict[str, float] = {}
    for name, entry in metrics.get("metrics", {}).items():
        flat[name] = entry["value"]
        flat[f"{name}/ci95_lo"], flat[f"{name}/ci95_hi"] = entry["ci95"]
        if "ci95_fixed_set" in entry:  # problems held fixed (README, metrics.json)
            lo, hi = entry["ci95_fixed_set"]
            flat[f"{name}/ci95_fixed_set_lo"], flat[f"{name}/ci95_fixed_set_hi"] = lo, hi
    for key, value in metrics.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            flat[key] = value
    for block in ("generation", "accounting", "responses"):  # responses: the counts
        for key, value in (metrics.get(block) or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                flat[f"{block}/{key}"] = value
    for level, entry in (metrics.get("by_level") or {}).items():
        flat[f"by_level/{level}/pass@1"] = entry["pass@1"]["value"]
    for point in (metrics.get("budget_curve") or {}).get("points") or []:
        key = f"budget/{point['budget']}"
        flat[f"{key}/pass@1"] = point["pass@1"]["value"]
        flat[f"{key}/pass@1/ci95_lo"], flat[f"{key}/pass@1/ci95_hi"] = point["pass@1"]["ci95"]
        flat[f"{key}/truncated_pct"] = point["truncated_pct"]
        for count in ("cut_while_looping", "cut_while_reasoning"):
            if point.get(count) is not None:
                flat[f"{key}/{count}"] = point[count]
    return flat


def budget_table(metrics: dict[str, Any]) -> tuple[list[str], list[list[float]]] | None:
    """The budget curve as (columns, rows) for a W&B table and line plot; None without one."""
    points = (metrics.get("budget_curve") or {}).get("points") or []
    if not points:
        return None
    columns = ["budget", "pass@1", "ci95_lo", "ci95_hi", "truncated_pct"]
    rows = [[p["budget"], p["pass@1"]["value"], *p["pass@1"]["ci95"], p["truncated_pct"]]
            for p in points]  # fmt: skip
    return columns, rows


class WandbTracker:
    """Logs one evaluation run to W&B (offline unless ``tracking.mode=online``)."""

    def __init__(self, run: Any, wandb: Any) -> None:
        self.run = run
        self._wandb = wandb

    def log_run(
        self, metrics: dict[str, Any], samples: Sequence[dict[str, Any]], run_dir: Path
    ) -> None:
        """Log metrics (with intervals) to the summary, a per-sample table, and an artifact."""
        wandb = self._wandb
        flat = flat_metrics(metrics)
        self.run.log(flat)
        self.run.summary.update(flat)
        if samples:
            columns = [
                "problem_id",
                "sample_index",
                "finish_reason",
                "extracted_answer",
                "correct",
                "looping",
                "response_tail",
            ]
            rows = [
                [
                    s["problem_id"],
                    s["sample_index"],
                    s["finish_reason"],
                    s["extracted_answer"],
                    s["correct"],
                    s.get("looping"),
                    s["response"][-TABLE_RESPONSE_CHARS:],
                ]
                for s in samples
            ]
            self.run.log({"samples": wandb.Table(columns=columns, data=redact(rows))})
        curve = budget_table(metrics)
        if curve:
            table = wandb.Table(columns=curve[0], data=curve[1])
            title = "pass@1 against the token budget"
            self.run.log({"budget_curve": wandb.plot.line(table, "budget", "pass@1", title=title)})
        artifact = wandb.Artifact(name=f"run-{self.run.id}", type="eval-run")
        artifact.add_dir(str(run_dir))
        self.run.log_artifact(artifact)


def _import_wandb() -> Any:
    try:
        import wandb
    except ImportError as exc:  # pragma: no cover - wandb is a core dependency
        raise HarnessError("tracking=wandb needs wandb: pip install wandb") from exc
    return wandb


@contextlib.contextmanager
def open_tracker(
    tracking: Any, config: dict[str, Any], run_dir: Path, run_id: str
) -> Iterator[Tracker]:
    """Open the configured tracker; always finish it.

    Args:
        tracking: The ``tracking`` config node.
        config: The resolved run config as a plain dict (secrets are redacted here).
        run_dir: The run directory (W&B files go to ``tracking.dir`` or ``<results_dir>/wandb``).
        run_id: Used as the W&B run name.

    Yields:
        A tracker.
    """
    if tracking.name == "none" or tracking.mode == "disabled":
        yield NullTracker()
        return
    wandb = _import_wandb()
    wandb_dir = Path(tracking.dir) if tracking.dir else run_dir.parent / "wandb"
    wandb_dir.mkdir(parents=True, exist_ok=True)
    run = wandb.init(
        project=tracking.project,
        entity=tracking.entity,
        mode=tracking.mode,
        dir=str(wandb_dir),
        name=redact(run_id),
        tags=redact(list(tracking.tags)),
        job_type="eval",
        config=redact(config),
        settings=wandb.Settings(
            save_code=False,
            disable_git=True,
            x_disable_stats=True,
            x_disable_meta=True,  # the metadata record copies sys.argv, where a key may sit
        ),
    )
    exit_code = 1
    try:
        yield WandbTracker(run, wandb)
        exit_code = 0
    finally:
        run.finish(exit_code=exit_code)
