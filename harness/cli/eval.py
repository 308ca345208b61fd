"""``harness-eval``: the Hydra app that runs one evaluation (or a sweep with ``-m``)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from harness.cli.interrupt import one_line_interrupt
from harness.config.paths import config_dir
from harness.config.schema import register
from harness.errors import HarnessError

log = logging.getLogger("harness")


def format_summary(metrics: dict[str, Any]) -> str:
    """Render metrics.json as a short human-readable table."""
    lines = [f"NOTE: {note}" for note in metrics.get("notes", [])]
    lines.append(f"problems: {metrics['n_problems']}   samples per problem: {metrics['n_samples']}")
    for name, entry in metrics["metrics"].items():
        lo, hi = entry["ci95"]
        line = f"  {name:<10} {entry['value']:6.2f}   95% CI [{lo:.2f}, {hi:.2f}]"
        if "ci95_fixed_set" in entry:  # generalisation first (as ci95), then these problems only
            flo, fhi = entry["ci95_fixed_set"]
            line += f"   fixed set [{flo:.2f}, {fhi:.2f}]"
        lines.append(line)
    lines.append(
        f"  truncated {metrics['truncated_pct']:.2f}%   no answer {metrics['no_answer_pct']:.2f}%"
        f"   mean length {metrics['mean_response_length']:.0f} {metrics['response_length_unit']}"
    )
    if "responses" in metrics:  # the counts under every number above (harness/metrics/counts.py)
        from harness.metrics.counts import counts_line

        lines.append("  " + counts_line(metrics["responses"]))
    graders = metrics.get("graders")
    if graders:
        lines.append(
            f"  graders {graders['primary']} vs {graders['secondary']}: "
            f"{graders['disagreements']} disagreements ({graders['agreement_pct']:.2f}% agree)"
        )
    return "\n".join(lines)


def _task(cfg: DictConfig) -> None:
    from harness.store import run_log
    from harness.store.secrets import redact

    run_log.redact_handlers()  # console too: W&B copies it into output.log
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        from harness.config.validate import check_values

        check_values(cfg)  # before anything is read or written
        from harness.pipeline import run  # heavy imports only once the config is valid

        outcome = run(cfg, run_dir)
    except KeyboardInterrupt:
        from harness.cli.interrupt import interrupted
        from harness.store.hydra_files import resume_command

        hint = resume_command(run_dir, str(cfg.run_id), str(cfg.results_dir))
        log.error("interrupted (Ctrl-C); resume with: %s", hint)
        interrupted(f"every finished sample is kept in {run_dir}; resume with: {hint}")
    except HarnessError as exc:
        log.error("%s", exc)
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        sys.exit(2)
    print(format_summary(outcome.metrics))
    if outcome.n_disagreements:
        print(f"grader disagreements listed in {run_dir / 'disagreements.jsonl'}")
    print(f"run directory: {run_dir}")


def _check_run_ids(args: list[str]) -> None:
    """Refuse a non-plain ``run_id=`` override before Hydra makes its directory."""
    from harness.store.run_dir import check_plain_name

    for arg in args:
        if arg.startswith("run_id="):
            for value in arg.removeprefix("run_id=").split(","):  # a -m sweep lists values
                try:
                    check_plain_name("run_id", value)
                except HarnessError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    sys.exit(2)


@one_line_interrupt("before the run started: nothing was written")
def main() -> None:
    """Entry point of the ``harness-eval`` console script."""
    _check_run_ids(sys.argv[1:])
    register()
    app = hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")
    app(_task)()


if __name__ == "__main__":
    main()
