"""The property suite's Hypothesis profile and the fixtures it shares.

Profile ``ci`` (loaded here, so ``pytest tests/property`` uses it): few examples, derandomized
(the same examples on every run and machine, so a failure reproduces), no deadline (the machine
is shared and an in-process CLI call takes ~1 s). ``HYPOTHESIS_PROFILE=long`` explores more.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.conftest import REPO

# Sized so the whole suite stays under 2 minutes on 2 CPU cores (README: Development).
settings.register_profile(
    "ci",
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    # no shrinking: a failing example is printed as drawn, and a failing run stays short
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    parent=settings.get_profile("ci"),
    max_examples=200,
    derandomize=False,
    phases=tuple(Phase),
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """``n`` examples under ``ci``; 10 × as many under any other profile (whole CLI runs)."""
    return n if PROFILE == "ci" else 10 * n


SOURCE = REPO / "tests" / "data" / "math500_first100.jsonl"  # the first 100 MATH-500 problems
RUN_ARGS = (f"benchmark.source={SOURCE}", "limit=5", "sampling.n=2", "backend=replay",
            "stats.bootstrap_resamples=200", "grading.workers=1")  # fmt: skip


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small finished run (5 MATH-500 problems × 2 replayed samples), built once."""
    from harness.data.loader import load_benchmark
    from harness.data.oracle import oracle_rows, write_rows
    from tests.conftest import compose
    from tests.helpers.eval_inproc import harness_eval

    tmp = tmp_path_factory.mktemp("finished")
    problems, _ = load_benchmark(compose(list(RUN_ARGS)).benchmark, limit=5)
    rows = oracle_rows(problems, n=2, rates=[0, 0.5, 1, 0.5, 1], seed=1, truncated_frac=0.2)
    replay = write_rows(rows, tmp / "replay.jsonl")
    out = harness_eval(*RUN_ARGS, f"backend.path={replay}", f"results_dir={tmp}", "run_id=run")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    run = tmp / "run"
    assert (run / "complete.json").is_file()
    return run


@pytest.fixture
def run_copy(finished_run: Path, tmp_path: Path):
    """A function that puts a fresh copy of the finished run at one fixed path and returns it."""
    target = tmp_path / "case" / "run"

    def fresh() -> Path:
        shutil.rmtree(target.parent, ignore_errors=True)
        target.parent.mkdir(parents=True)
        shutil.copytree(finished_run, target)
        return target

    return fresh
