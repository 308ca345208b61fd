"""``harness-plan``: what a run or sweep will take, before launching it; afterwards, how it went.

harness-plan experiment=r1_table                       # the R1 table on 8 × H100 (default)
harness-plan experiment=r1_table hardware=a100_80gb --gpus 4
harness-plan model=r1_distill_llama_70b benchmark=aime24 --hardware l4_24gb --gpus 1
harness-plan benchmark=aime24 --compare results/20261123-130501_...   # plan vs a finished run
harness-plan ... --json                                # machine-readable rows
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.cli.interrupt import one_line_interrupt

COLUMNS = [
    ("job", "{:>3}"),
    ("model", "{:<22}"),
    ("benchmark", "{:<12}"),
    ("problems", "{:>8}"),
    ("samples", "{:>7}"),
    ("mean_tokens", "{:>11}"),
    ("length_source", "{:<13}"),
    ("generated_tokens", "{:>16,}"),
    ("memory_gib", "{:>10.1f}"),
    ("tp", "{:>2}"),
    ("replicas", "{:>8}"),
    ("gpus", "{:>4}"),
    ("wall_hours", "{:>10.2f}"),
    ("gpu_hours", "{:>9.2f}"),
    ("cost_usd", "{:>8.2f}"),
]


DESCRIPTION = """\
Plan a run or sweep before launching it: per job, the tokens it will generate, the memory it
needs, tensor parallelism, GPU-hours and cost; with --compare, the plan against a finished run."""

EPILOG = """\
examples:
  harness-plan experiment=r1_table                               # the R1 table on 8 x H100
  harness-plan experiment=r1_table hardware=a100_80gb --gpus 4
  harness-plan benchmark=aime24 --compare results/<run>          # plan vs a finished run

hardware= (an override, as in harness-eval) and --hardware name the same configs/hardware entry."""


def _at_least_one(value: str) -> int:
    """An integer >= 1, else argparse's own "invalid value" message."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="harness-plan",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("overrides", nargs="*", help="the same overrides as harness-eval (-m sweeps)")
    p.add_argument("-m", "--multirun", action="store_true", help="accepted; sweeps always expand")
    p.add_argument(
        "--hardware",
        help="configs/hardware entry, or `detected` for this machine's GPUs (default: h100_80gb)",
    )
    p.add_argument(
        "--gpus", type=_at_least_one, help="GPUs per node, >= 1 (default: the entry's node size)"
    )
    p.add_argument("--nodes", type=_at_least_one, default=1, help="nodes available (default: 1)")
    p.add_argument("--results", type=Path, help="earlier runs for measured lengths")
    p.add_argument("--compare", type=Path, help="a finished run dir or a folder of runs")
    p.add_argument("--json", action="store_true", help="print rows as JSON lines")
    return p


def format_table(rows: Sequence[dict]) -> str:
    """Fixed-width table of plan rows, refusals and notes below it."""
    cells = []
    for name, fmt in COLUMNS:
        width = int(fmt.strip("{}:<>").split(".")[0].rstrip(","))
        cells.append(name.rjust(width) if ">" in fmt else name.ljust(width))
    header = "  ".join(cells)
    lines = [header]
    for r in rows:
        lines.append("  ".join(fmt.format(r[name]) for name, fmt in COLUMNS))
    total = {k: sum(r[k] for r in rows) for k in ("generated_tokens", "gpu_hours", "cost_usd")}
    lines.append(
        f"total: {len(rows)} jobs, {total['generated_tokens']:,} generated tokens, "
        f"{total['gpu_hours']:.1f} GPU-hours, ${total['cost_usd']:,.2f}"
    )
    for r in rows:
        if r["note"]:
            lines.append(f"job {r['job']} ({r['model']} × {r['benchmark']}): {r['note']}")
    return "\n".join(lines)


def _run_dirs(path: Path) -> list[Path]:
    if (path / "metrics.json").is_file():
        return [path]
    return sorted(p.parent for p in path.rglob("metrics.json"))


def compare_lines(rows: Sequence[dict], compare: Path) -> list[str]:
    """Plan vs run for every run under ``compare`` whose model × benchmark is in the plan."""
    import yaml

    from harness.plan.accounting import compare_with_run

    by_key = {(r["model"], r["benchmark"]): r for r in rows}
    out = []
    for run_dir in _run_dirs(compare):
        cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
        row = by_key.get((cfg["model"]["name"], cfg["benchmark"]["name"]))
        if row is None:
            continue
        cmp = compare_with_run(row, run_dir)
        parts = [
            f"{k} planned {v['planned']} actual {v['actual']} ratio {v['ratio']}"
            for k, v in cmp.items()
            if isinstance(v, dict)
        ]
        out.append(f"compare {run_dir}:\n  " + "\n  ".join(parts))
    return out or [f"compare: no run under {compare} matches a job of this plan"]


@one_line_interrupt("nothing was written (a plan only reads configs and earlier runs)")
def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``harness-plan`` console script; returns the exit status."""
    cli = parser()
    args = cli.parse_args(argv)
    named = {o.split("=", 1)[1] for o in args.overrides if o.startswith("hardware=")}
    if args.hardware and named and named != {args.hardware}:
        cli.error(f"--hardware {args.hardware} and hardware={','.join(sorted(named))} differ")
    from harness.plan.plan import plan

    try:
        rows = [
            r.as_dict()
            for r in plan(
                args.overrides,
                hardware=args.hardware,
                gpus=args.gpus,
                nodes=args.nodes,
                results_dir=args.results,
            )
        ]
    except (FileNotFoundError, KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print("\n".join(json.dumps(r) for r in rows))
    else:
        from harness.config.paths import repo_root
        from harness.plan.power import power_lines

        print(format_table(rows))
        print("\n".join(power_lines(rows, repo_root() / "seeds")))
    if args.compare:
        print("\n".join(compare_lines(rows, args.compare)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
