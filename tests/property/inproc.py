"""Run ``harness-eval``, ``harness-report`` and ``harness-compare`` in this process.

Each call returns the exit status and what the command printed, as ``subprocess.run`` would, so a
traceback (Hydra prints one and exits 1 for any exception that is not a ``HarnessError``) is seen
exactly as a user would see it, at ~1 s a call instead of ~10 s of imports per subprocess.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """What a command returned and printed."""

    returncode: int
    stdout: str
    stderr: str


def _call(main: Callable[[], object]) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main()
            code = 0 if rc is None else int(rc)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except BaseException as exc:  # what the console script would show as a traceback
            import traceback

            traceback.print_exception(exc)
            code = 1
    return Result(code, out.getvalue(), err.getvalue())


def harness_eval(*args: str) -> Result:
    """``harness-eval ARGS`` (a Hydra app: it reads sys.argv)."""
    from harness.cli import eval as cli

    saved = sys.argv
    sys.argv = ["harness-eval", *args]
    try:
        return _call(cli.main)
    finally:
        sys.argv = saved


def harness_report(*args: str) -> Result:
    """``harness-report ARGS``."""
    from harness.cli import report as cli

    return _call(lambda: cli.main(list(args)))


def harness_compare(*args: str) -> Result:
    """``harness-compare ARGS``."""
    from harness.cli import compare as cli

    return _call(lambda: cli.main(list(args)))
