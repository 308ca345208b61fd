"""``harness-report``: verdicts.json, report.md and figures from a set of run directories.

harness-report results/                         # every run under results/
harness-report results/multirun_20261123-1305   # a Hydra sweep
harness-report run_a/ run_b/ --out report/ --wandb
harness-report wandb:entity/project --out report/   # runs logged to W&B (online only)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.claims import ClaimError
from harness.cli.argtypes import open_unit, positive_int
from harness.cli.interrupt import one_line_interrupt
from harness.errors import HarnessError

WANDB_PREFIX = "wandb:"

DESCRIPTION = """\
Judge the claims under test (seeds/) against finished runs: pools the runs of each model and
benchmark, and writes verdicts.json, report.md and figures to one folder."""

EPILOG = """\
examples:
  harness-report results/                              # every run under results/
  harness-report results/multirun_20261123-1305        # a Hydra sweep
  harness-report run_a/ run_b/ --out report/ --wandb"""


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="harness-report",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="+",
        help="run directories, results folders, multirun folders, or wandb:ENTITY/PROJECT",
    )
    p.add_argument(
        "--out",
        type=Path,
        help="output folder, replaced whole (default: <first input>/report; beside a run "
        "directory given first, never inside it)",
    )
    p.add_argument("--seeds", type=Path, help="claims registry (default: the checkout's seeds/)")
    p.add_argument(
        "--strict-protocol",
        action="store_true",
        help="an n (samples per problem) difference from the claim's protocol also caps "
        "verdicts at inconclusive",
    )
    # 2000 replicates and seed 0: the run defaults (stats.* in configs/config.yaml), so a one-run
    # cell reproduces the run's own metrics.json intervals.
    p.add_argument("--resamples", type=positive_int, default=2000, help="bootstrap replicates")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--confidence", type=open_unit, default=0.95, help="interval coverage")
    p.add_argument(
        "--memory",
        type=Path,
        action="append",
        help="benchmarks/bench_memory_gpu.py result file for resource claims (repeatable; "
        "default: the checkout's benchmarks/data/memory_gpu_*.json)",
    )
    p.add_argument("--skip-incomplete", action="store_true", help="leave out dead runs")
    p.add_argument("--no-plots", action="store_true", help="write no PNG figures")
    p.add_argument("--wandb", action="store_true", help="also log tables and figures to W&B")
    p.add_argument("--wandb-project", default="r1-harness", help="W&B project of the report run")
    p.add_argument("--wandb-entity", default=None, help="W&B entity")
    p.add_argument(
        "--wandb-mode",
        default="offline",
        choices=["offline", "online", "disabled"],
        help="offline (default) writes files only; `wandb sync` uploads them later",
    )
    p.add_argument("--wandb-dir", type=Path, help="W&B files (default: <out>/wandb)")
    return p


def _resolve_inputs(inputs: Sequence[str], out: Path | None) -> tuple[list[Path], Path]:
    from harness.tracking.report_run import download_runs

    paths: list[Path] = []
    for item in inputs:
        if item.startswith(WANDB_PREFIX):
            project = item[len(WANDB_PREFIX) :]
            base = out or Path(f"report_{project.replace('/', '_')}")
            paths.append(base / "wandb_runs")
            download_runs(project, base / "wandb_runs")
        else:
            paths.append(Path(item))
    from harness.store.verify import is_run_dir, run_dir_at

    if out is None:  # beside a run directory, never inside it (a finished run never changes)
        first = paths[0].resolve()
        out = first.parent / "report" if is_run_dir(first) else paths[0] / "report"
    held = run_dir_at(out)
    if held is not None:
        raise HarnessError(
            f"--out {out} is, lies inside or holds the run directory {held}: the report replaces "
            "its output folder whole, and a run directory is never written to; pass another "
            "--out (a new or report-only folder)"
        )
    return paths, out


@one_line_interrupt("the report folder was left as it was; run the same command again")
def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``harness-report`` console script; returns the exit status."""
    args = parser().parse_args(argv)
    from harness.report.build import build_report, tracking_payload
    from harness.report.verdicts import Settings

    settings = Settings(
        strict_protocol=args.strict_protocol,
        resamples=args.resamples,
        seed=args.seed,
        confidence=args.confidence,
        memory_files=tuple(str(m) for m in args.memory) if args.memory else None,
    )
    try:
        inputs, out = _resolve_inputs(args.inputs, args.out)
        report = build_report(
            inputs,
            out,
            settings=settings,
            seeds=args.seeds,
            skip_incomplete=args.skip_incomplete,
            plots=not args.no_plots,
        )
        if args.wandb and args.wandb_mode != "disabled":
            from harness.tracking.report_run import log_report

            tables, images, counts = tracking_payload(report)
            run_id = log_report(
                tables,
                images,
                counts,
                project=args.wandb_project,
                mode=args.wandb_mode,
                entity=args.wandb_entity,
                wandb_dir=args.wandb_dir or out / "wandb",
                files=[out / "report.md", out / "verdicts.json", *(p for _, p in images)],
            )
            print(f"W&B report run {run_id} ({args.wandb_mode})")
    except (HarnessError, ClaimError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    counts = {}
    for row in report.rows:
        counts[row.verdict] = counts.get(row.verdict, 0) + 1
    print(f"{len(report.runs)} runs, {len(report.cells)} cells; claims: {counts}")
    print(f"report: {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
