"""Run ``harness-eval``, ``harness-report`` and ``harness-compare`` in this process.

A console-script subprocess pays ~10 s of imports per call on this machine; the same call in
process takes ~1 s once the first has imported everything. Each call returns the exit status
and what it printed (like ``subprocess.run(capture_output=True)``), so tests read like the
subprocess ones.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from harness.models.tiny import bundled_problems_file

SOURCE = bundled_problems_file("math500")  # the first 5 MATH-500 test problems


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
    return Result(code, out.getvalue(), err.getvalue())


def harness_eval(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """``harness-eval ARGS`` (a Hydra app: it reads sys.argv), with ``env`` set meanwhile."""
    from harness.cli import eval as cli

    saved = sys.argv
    sys.argv = ["harness-eval", *args]
    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    before = {id(lg): (list(lg.handlers), lg.level) for lg in loggers}
    try:
        with _environ(env or {}):
            return _call(cli.main)
    finally:
        sys.argv = saved
        _restore_logging(before)
        _forget_hydra_job()


def _forget_hydra_job() -> None:
    """A process ends after its Hydra job; here the next code would still see that job's
    ``HydraConfig`` (its overrides and choices), which the compose API then consults."""
    from hydra.core.hydra_config import HydraConfig

    HydraConfig.instance().cfg = None


def _environ(values: Mapping[str, str]) -> contextlib.AbstractContextManager:
    """``os.environ`` with ``values`` set, restored afterwards."""
    return mock.patch.dict(os.environ, values)


def _restore_logging(before: dict[int, tuple[list[logging.Handler], int]]) -> None:
    """Undo Hydra's job logging: a process ends there, so its file handler (the run's eval.log)
    would otherwise stay open here and take the next tests' records, or fail once the run's
    folder is deleted."""
    for lg in [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]:
        handlers, level = before.get(id(lg), ([], logging.NOTSET))
        for handler in [h for h in lg.handlers if h not in handlers]:
            lg.removeHandler(handler)
            handler.close()
        for handler in handlers:
            if handler not in lg.handlers:
                lg.addHandler(handler)
        lg.setLevel(level)


def harness_report(*args: str) -> Result:
    """``harness-report ARGS``."""
    from harness.cli import report as cli

    return _call(lambda: cli.main(list(args)))


def harness_compare(*args: str) -> Result:
    """``harness-compare ARGS``."""
    from harness.cli import compare as cli

    return _call(lambda: cli.main(list(args)))


def replay_args(replay: Path, results: Path, *extra: str) -> list[str]:
    """The overrides of a replay of ``replay`` on the 5 bundled problems, n=4."""
    return [
        f"benchmark.source={SOURCE}",
        "backend=replay",
        f"backend.path={replay}",
        "sampling.n=4",
        "stats.bootstrap_resamples=200",
        "grading.workers=1",
        f"results_dir={results}",
        *extra,
    ]


def cli(module: str, *args: str, env: Mapping[str, str] | None = None) -> Result:
    """The command of ``module`` (``harness.cli.eval`` / ``.report`` / ``.compare``) in this
    process: the in-process form of ``python -m MODULE ARGS``."""
    if module == "harness.cli.eval":
        return harness_eval(*args, env=env)
    command = {"harness.cli.report": harness_report, "harness.cli.compare": harness_compare}
    with _environ(env or {}):
        return command[module](*args)
