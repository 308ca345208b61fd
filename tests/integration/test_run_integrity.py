"""Misuse cannot corrupt or mislabel a run directory (issue 10, "Run-directory integrity").

Each test runs harness-eval (in this process, or as the console script where the environment
must differ) on the 5 MATH-500 problems bundled with the package
(harness/models/data/math500_first5.jsonl) and replayed oracle responses.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.data.loader import load_benchmark
from harness.data.oracle import oracle_rows, write_rows
from harness.report.runs import load_run
from harness.store.run_dir import COMPLETE, hold
from tests.conftest import REPO, compose
from tests.helpers import eval_inproc as inproc
from tests.helpers.wandb_log import files_holding

SOURCE = REPO / "harness" / "models" / "data" / "math500_first5.jsonl"
N = 4
ENV_SECRET = "sk-test-integrity-0123456789"  # as if exported in OPENAI_API_KEY
URL_SECRET = "urlpass-9876543210"  # a password inside a URL: http://user:URL_SECRET@host


def cli(module: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", module, *args]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300, env=full_env)


def harness_eval(*args: str, env: dict | None = None):  # noqa: ANN201 - either result kind
    """In this process (~1 s a call), or as the console script when ``env`` must differ: W&B
    copies the console of a process (its ``output.log``), which an in-process call has not."""
    return inproc.harness_eval(*args) if env is None else cli("harness.cli.eval", *args, env=env)


@pytest.fixture(scope="module")
def replay(tmp_path_factory) -> Path:
    """An oracle replay file for the bundled problems, n=4, with a lone surrogate in one row."""
    problems, _ = load_benchmark(compose([f"benchmark.source={SOURCE}"]).benchmark, limit=None)
    rows = oracle_rows(problems, n=N, rates=[0.5, 1.0, 0.75, 0.25, 1.0], seed=3)
    rows[0] = {**rows[0], "response": rows[0]["response"] + " \ud83d"}  # valid JSON, not UTF-8
    return write_rows(rows, tmp_path_factory.mktemp("replay") / "replay.jsonl")


def base(replay: Path, results: Path, *extra: str) -> list[str]:
    return [
        f"benchmark.source={SOURCE}",
        "backend=replay",
        f"backend.path={replay}",
        f"sampling.n={N}",
        "stats.bootstrap_resamples=200",
        "grading.workers=1",  # one worker: a per-core pool only adds start-up time here
        "grading.timeout_s=60",  # a shared, loaded machine: the 5 s default timed out once
        f"results_dir={results}",
        *extra,
    ]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_refused_resume_leaves_the_finished_run_byte_identical(replay, tmp_path):
    first = harness_eval(*base(replay, tmp_path, "model=r1_distill_qwen_1_5b", "run_id=r"))
    assert first.returncode == 0, first.stderr[-3000:]
    run_dir = tmp_path / "r"
    before = snapshot(run_dir)
    assert COMPLETE in before and ".hydra/overrides.yaml" in before
    changed = harness_eval(*base(replay, tmp_path, "model=r1_distill_qwen_7b", "run_id=r"))
    assert changed.returncode == 2
    assert "model.hub_id" in changed.stderr and "new run_id" in changed.stderr
    assert snapshot(run_dir) == before  # config.yaml, .hydra/, eval.log: all untouched
    assert load_run(run_dir).model == "r1_distill_qwen_1_5b"
    # A start that fails (here: the replay file is gone) leaves it untouched too.
    args = base(replay, tmp_path, "model=r1_distill_qwen_1_5b", "run_id=r")
    failed = harness_eval(*[a for a in args if not a.startswith("backend.path=")],
                          f"backend.path={tmp_path / 'absent.jsonl'}")  # fmt: skip
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert snapshot(run_dir) == before
    # The printed resume command of a single run is its own command with run_id.
    hint = first.stdout.split("to resume it if it stops: ")[1].splitlines()[0]
    assert hint.endswith(" run_id=r") and "model=r1_distill_qwen_1_5b" in hint


def test_a_second_run_on_a_held_directory_is_refused_naming_the_pid(replay, tmp_path):
    run_dir = tmp_path / "busy"
    with hold(run_dir):  # this process is the first run
        second = harness_eval(*base(replay, tmp_path, "model=r1_distill_qwen_1_5b", "run_id=busy"))
    assert second.returncode == 2
    assert f"in use by another run (pid {os.getpid()} on" in second.stderr
    assert not any(run_dir.iterdir())  # the refused run wrote nothing


@pytest.mark.parametrize("run_id", ["../x", "a/b", "..", ".hidden"])
def test_a_run_id_that_is_not_a_plain_name_is_refused(replay, tmp_path, run_id):
    results = tmp_path / "results"
    out = harness_eval(*base(replay, results, f"run_id={run_id}"))
    assert out.returncode == 2 and "is not a plain name" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "x").exists() and not results.exists()


def test_out_of_range_settings_fail_before_anything_runs(replay, tmp_path):
    out = harness_eval(*base(replay, tmp_path, "run_id=bad", "limit=0"))
    assert out.returncode == 2 and "limit=0 is out of range" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "bad" / "config.yaml").exists()


def test_a_surrogate_is_graded_and_written_and_the_unnamed_replay_claims_no_model(replay, tmp_path):
    out = harness_eval(*base(replay, tmp_path))
    assert out.returncode == 0, out.stderr[-3000:]
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert run_dir.name.endswith("_unknown_math500_replay")  # the default run_id claims none
    rows = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 5 * N and rows[0]["response"].endswith(" \ud83d")  # round-trips
    assert rows[0]["verdicts"]["math_verify"]["status"] == "ok"
    assert not list(run_dir.glob("*.tmp"))
    # Nothing said which model wrote these responses: nothing claims one.
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert config["model"]["name"] == "unknown" and config["model"]["hub_id"] is None
    assert config["sampling"]["temperature"] is None and config["sampling"]["n"] == N
    provenance = json.loads((run_dir / "provenance.json").read_text())
    assert provenance["model"]["hub_id"] is None and provenance["model"]["revision"] is None
    assert "DeepSeek" not in (run_dir / "generation_key.json").read_text()
    assert "unknown origin" in out.stdout
    run = load_run(run_dir)
    assert (run.model, run.temperature) == ("unknown", None)


def test_model_name_with_a_slash_runs_and_reports(replay, tmp_path):
    results = tmp_path / "results"
    out = harness_eval(*base(replay, results, "model=r1_distill_qwen_1_5b", "model.name=org/name"))
    assert out.returncode == 0, out.stderr[-3000:]
    (run_dir,) = [p for p in results.iterdir() if p.is_dir()]  # one folder, not nested
    assert "_org-name_math500_replay" in run_dir.name
    report = inproc.harness_report(str(results), "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr[-3000:]
    assert (tmp_path / "report" / "passk_org-name.png").is_file()


def test_default_run_ids_differ_for_runs_started_in_the_same_second(replay, tmp_path):
    code = "from harness.cli.compose import compose_config; print(compose_config().run_id)"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    ids = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert ids[0] != ids[1] and ids[0][:15] == ids[1][:15]  # same second, different token


def test_sweep_prints_the_exact_resume_command(replay, tmp_path):
    out = harness_eval("-m", *base(replay, tmp_path / "results", "model=r1_distill_qwen_1_5b"))
    assert out.returncode == 0, out.stderr[-3000:]
    hint = out.stdout.split("to resume it if it stops: ")[1].splitlines()[0]
    (job,) = (tmp_path / "results").glob("multirun_*/0_*")
    assert f"hydra.run.dir={job}" in hint
    first = json.loads((job / "metrics.json").read_text())
    again = harness_eval(*shlex.split(hint)[1:])  # the command as printed, after harness-eval
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"run directory: {job}" in again.stdout
    second = json.loads((job / "metrics.json").read_text())
    assert second | {"wall_time_s": 0} == first | {"wall_time_s": 0}  # the same run, resumed
    made = [p.name for p in (tmp_path / "results").rglob("*") if not p.name.startswith(".")]
    assert len([m for m in made if m.startswith("multirun_")]) == 1  # no new sweep or run
    assert len([m for m in made if m.startswith("0_")]) == 1


def test_credentials_reach_no_file_of_the_run_or_of_wandb(replay, tmp_path):
    results = tmp_path / "results"
    url = f"http://user:{URL_SECRET}@example.invalid:8000/v1"
    out = harness_eval(
        "-m",
        *base(replay, results, "model=r1_distill_qwen_1_5b"),
        f"+model.extra.api_base={url}",
        f"benchmark.description=mirror {url} key {ENV_SECRET}",
        "tracking=wandb",
        "tracking.mode=offline",
        f"tracking.tags=[t-{ENV_SECRET}]",
        env={"OPENAI_API_KEY": ENV_SECRET},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    files = [p for p in results.rglob("*") if p.is_file()]
    assert any(p.name == "multirun.yaml" for p in files)
    assert any(p.name == "output.log" for p in files)  # W&B's copy of the console
    assert any(p.suffix == ".wandb" for p in files)
    assert files_holding(results, URL_SECRET, ENV_SECRET) == []
    assert URL_SECRET not in out.stdout + out.stderr and ENV_SECRET not in out.stdout
    config = next(results.glob("multirun_*/0_*/config.yaml")).read_text()
    assert "http://[REDACTED]@example.invalid:8000/v1" in config
