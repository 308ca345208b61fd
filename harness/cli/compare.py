"""``harness-compare``: why two runs' numbers differ, item by item.

harness-compare RUN_A RUN_B                 # prints the reconciliation, writes ./compare.json
harness-compare RUN_A RUN_B --out DIR       # writes DIR/compare.json

Both runs must be finished and unchanged (``complete.json``'s sha256 values are checked), and
``--out`` may not lie inside a run directory: a finished run is never written to.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.cli.argtypes import open_unit, positive_int
from harness.cli.interrupt import one_line_interrupt
from harness.errors import HarnessError

DESCRIPTION = """\
Why two runs' numbers differ, item by item: the paired difference on the samples they share,
and every item whose verdict differs between them, with the reason."""

EPILOG = """\
examples:
  harness-compare RUN_A RUN_B                  # prints the reconciliation, writes ./compare.json
  harness-compare RUN_A RUN_B --out DIR        # writes DIR/compare.json
  harness-compare RUN_A RUN_B --show 50 --resamples 5000"""


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="harness-compare",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run_a", type=Path, help="run directory A (harness-eval's output)")
    p.add_argument("run_b", type=Path, help="run directory B")
    p.add_argument("--out", type=Path, default=Path("."), help="folder for compare.json")
    # 2000 replicates and seed 0: the run defaults (stats.* in configs/config.yaml).
    p.add_argument("--resamples", type=positive_int, default=2000, help="bootstrap replicates")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--confidence", type=open_unit, default=0.95, help="interval coverage")
    p.add_argument("--show", type=int, default=20, help="items to print (all go to the JSON)")
    return p


@one_line_interrupt("compare.json was not written (or is the previous one); run it again")
def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``harness-compare`` console script."""
    p = parser()
    args = p.parse_args(argv)
    from harness.compare import compare_runs, load_items, render
    from harness.store.results import write_json
    from harness.store.verify import inside_run_dir

    held = inside_run_dir(args.out)
    if held is not None:
        p.error(f"--out {args.out} lies inside the run directory {held}; choose another folder")
    try:
        result = compare_runs(
            load_items(args.run_a),
            load_items(args.run_b),
            resamples=args.resamples,
            seed=args.seed,
            confidence=args.confidence,
        )
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "compare.json", result)
    print(render(result, show=args.show))
    print(f"\nwrote {args.out / 'compare.json'}")


if __name__ == "__main__":
    main()
