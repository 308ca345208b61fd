"""End to end: real benchmark files (bundled in tests/data), replayed R1-shaped responses whose
true scores are known, results/ with the documented shape, W&B offline written and read back.
The shared MATH-500 run goes through the console script's module in a subprocess, as a user runs
it; the other runs go through the same entry point in this process (``tests/helpers/eval_inproc``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.data.loader import load_benchmark
from harness.data.oracle import oracle_rows, write_rows
from tests.conftest import REPO, compose, data_file
from tests.helpers import eval_inproc as inproc
from tests.helpers.wandb_log import files_holding, records

# tests/data/README.md: the bundled first 100 MATH-500 problems.
MATH500_SHA = "0cc76fb57aae8b10815e1b52eedeed4dbe046024dcceee547911bf4885be3af7"
SECRET = "sk-test-0123456789abcdef"


def console(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the harness-eval console script's module exactly as a user would."""
    cmd = [sys.executable, "-m", "harness.cli.eval", *args]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300, env=full_env)


def harness_eval(*args: str, env: dict | None = None) -> inproc.Result:
    """``harness-eval`` in this process (``tests/helpers/eval_inproc.py``)."""
    return inproc.harness_eval(*args, env=env)


def make_replay(tmp_path: Path, overrides: list[str], *, n: int, rates, truncated: float = 0.0):
    cfg = compose(overrides)
    problems, _ = load_benchmark(cfg.benchmark, limit=cfg.limit)
    rows = oracle_rows(problems, n=n, rates=rates, seed=1, truncated_frac=truncated)
    return problems, rows, write_rows(rows, tmp_path / "replay.jsonl")


@pytest.fixture(scope="module")
def math500_run(tmp_path_factory):
    """One MATH-500 replay run (60 problems × 4 samples) through the CLI, shared by the checks."""
    tmp = tmp_path_factory.mktemp("math500")
    source = data_file("math500")
    overrides = [f"benchmark.source={source}", "limit=60"]
    rates = [(i % 5) / 4 for i in range(60)]  # 0, .25, .5, .75, 1 → exactly known pass@1
    problems, rows, path = make_replay(tmp, overrides, n=4, rates=rates, truncated=0.3)
    out = console(
        *overrides,
        "backend=replay",
        f"backend.path={path}",
        "sampling.n=4",
        f"results_dir={tmp / 'results'}",
        "run_id=math500-oracle",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return {
        "problems": problems,
        "rows": rows,
        "out": out,
        "dir": tmp / "results" / "math500-oracle",
    }


def test_run_prints_its_directory_and_writes_every_file(math500_run):
    run_dir = math500_run["dir"]
    assert f"run directory: {run_dir}" in math500_run["out"].stdout
    for name in [
        "config.yaml",
        "samples.jsonl",
        "metrics.json",
        "provenance.json",
        "disagreements.jsonl",
    ]:
        assert (run_dir / name).is_file(), name
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert config["limit"] == 60 and config["sampling"]["n"] == 4
    # No model= was given: the replayed responses claim no model and no sampling settings.
    assert config["model"]["name"] == "unknown" and config["sampling"]["temperature"] is None


def test_metrics_have_the_documented_shape_and_the_true_values(math500_run):
    metrics = json.loads((math500_run["dir"] / "metrics.json").read_text())
    rows = math500_run["rows"]
    true_pass1 = 100 * sum(r["oracle_correct"] for r in rows) / len(rows)
    assert metrics["n_problems"] == 60 and metrics["n_samples"] == 4
    assert set(metrics["metrics"]) == {"pass@1", "pass@2", "pass@4", "cons@4"}
    pass1 = metrics["metrics"]["pass@1"]
    assert pass1["value"] == pytest.approx(true_pass1, abs=0.01)
    lo, hi = pass1["ci95"]
    assert lo < pass1["value"] < hi and "n=4" in pass1["estimator"]
    # pass@4 = share of problems with at least one correct sample: all but the rate-0 ones.
    assert metrics["metrics"]["pass@4"]["value"] == pytest.approx(100 * 48 / 60, abs=0.01)
    truncated = 100 * sum(r["finish_reason"] == "length" for r in rows) / len(rows)
    assert metrics["truncated_pct"] == pytest.approx(truncated, abs=0.01) and truncated > 0
    assert metrics["no_answer_pct"] == pytest.approx(truncated, abs=0.01)  # truncated ⇒ no answer
    assert metrics["response_length_unit"] == "characters" and metrics["mean_response_length"] > 0
    assert set(metrics["by_level"]) <= {"1", "2", "3", "4", "5"} and len(metrics["by_level"]) >= 3
    assert metrics["bootstrap"]["unit"] == "problem"
    assert metrics["graders"]["primary"] == "math_verify"
    assert metrics["graders"]["disagreements"] == 0


def test_samples_carry_both_verdicts_and_decoys_inside_reasoning_are_ignored(math500_run):
    lines = (math500_run["dir"] / "samples.jsonl").read_text().splitlines()
    samples = [json.loads(line) for line in lines]
    assert len(samples) == 240
    keys = {
        "problem_id",
        "sample_index",
        "response",
        "finish_reason",
        "extracted_answer",
        "correct",
        "verdicts",
    }
    assert keys <= set(samples[0])
    truth = {(r["problem_id"], r["sample_index"]): r["oracle_correct"] for r in math500_run["rows"]}
    for s in samples:
        assert s["correct"] == truth[(s["problem_id"], s["sample_index"])]
        assert set(s["verdicts"]) == {"math_verify", "math_normalized"}
    ids = [p.id for p in math500_run["problems"]]
    assert samples[0]["problem_id"] == ids[0] == "test/precalculus/807.json"


def test_provenance_records_data_graders_and_host(math500_run):
    prov = json.loads((math500_run["dir"] / "provenance.json").read_text())
    assert prov["data"]["source_sha256"] == MATH500_SHA
    assert len(prov["data"]["problems_sha256"]) == 64 and prov["data"]["n_problems"] == 60
    assert set(prov["graders"]) >= {"math_verify", "math_normalized"}
    assert prov["packages"]["math-verify"] and prov["packages"]["datasets"]
    assert prov["host"]["cpu_count"] >= 1 and "accelerators" in prov["host"]
    replayed = Path(prov["backend"]["path"])
    assert prov["backend"]["sha256"] == hashlib.sha256(replayed.read_bytes()).hexdigest()
    assert prov["git"]["sha"] is None or len(prov["git"]["sha"]) == 40


def test_regrading_a_runs_own_samples_reproduces_its_metrics(math500_run, tmp_path):
    source = data_file("math500")
    out = harness_eval(
        f"benchmark.source={source}",
        "limit=60",
        "sampling.n=4",
        "backend=replay",
        f"backend.path={math500_run['dir'] / 'samples.jsonl'}",
        f"results_dir={tmp_path}",
        "run_id=regrade",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    first = json.loads((math500_run["dir"] / "metrics.json").read_text())
    again = json.loads((tmp_path / "regrade" / "metrics.json").read_text())
    assert again["metrics"] == first["metrics"]


def flushed_wandb_logs(folder: Path) -> list[Path]:
    """The offline run logs under ``folder``, once W&B's service has written them out.

    In a process of its own, harness-eval ends with W&B's teardown, which waits for the service
    to flush. In this process that teardown never comes, and the log was seen empty right after
    the run (2026-12-02), so the test tears W&B down as the end of a process would.
    """
    import wandb

    wandb.teardown()
    return list(folder.glob("wandb/offline-run-*/run-*.wandb"))


def test_wandb_offline_run_is_written_and_readable_without_secrets(tmp_path):
    source = data_file("aime24")
    overrides = ["benchmark=aime24", f"benchmark.source={source}"]
    _, _, path = make_replay(tmp_path, overrides, n=8, rates=[(i % 3) / 2 for i in range(30)])
    out = harness_eval(
        *overrides,
        "backend=replay",
        f"backend.path={path}",
        "sampling.n=8",
        "tracking=wandb",
        f"tracking.dir={tmp_path / 'wandb'}",
        f"results_dir={tmp_path / 'results'}",
        "run_id=aime",
        f"+model.extra.note=key {SECRET} pasted by mistake",
        env={"MY_SERVICE_API_KEY": SECRET, "WANDB_MODE": "offline"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    logs = flushed_wandb_logs(tmp_path / "wandb")
    assert len(logs) == 1
    recs = records(logs[0])
    kinds = [r.WhichOneof("record_type") for r in recs]
    assert "artifact" in kinds and kinds[-1] == "exit"
    assert recs[-1].exit.exit_code == 0
    summary = {
        "/".join(u.nested_key) or u.key: json.loads(u.value_json)
        for r in recs
        if r.WhichOneof("record_type") == "summary"
        for u in r.summary.update
    }
    metrics = json.loads((tmp_path / "results" / "aime" / "metrics.json").read_text())
    assert summary["pass@1"] == metrics["metrics"]["pass@1"]["value"] == pytest.approx(50.0)
    assert summary["pass@1/ci95_lo"] == metrics["metrics"]["pass@1"]["ci95"][0]
    assert "cons@8" in summary and "samples/nrows" in summary or "samples" in str(summary)
    assert files_holding(tmp_path, SECRET) == []


def test_failed_run_still_finishes_the_wandb_run(tmp_path):
    source = data_file("aime24")
    overrides = ["benchmark=aime24", f"benchmark.source={source}"]
    _, _, path = make_replay(tmp_path, overrides, n=2, rates=0.5)
    out = harness_eval(
        *overrides,
        "backend=replay",
        f"backend.path={path}",
        "sampling.n=4",  # the file holds 2: generation fails after the run started
        "tracking=wandb",
        f"tracking.dir={tmp_path}",
        f"results_dir={tmp_path / 'r'}",
        "run_id=x",
    )
    assert out.returncode == 2
    assert "holds 2 samples per problem but sampling.n=4" in out.stderr
    assert "Traceback" not in out.stderr
    logs = flushed_wandb_logs(tmp_path)
    assert len(logs) == 1 and records(logs[0])[-1].exit.exit_code == 1


def test_gpqa_run_grades_letters_without_writing_gpqa_into_the_repo(gpqa_csv, tmp_path):
    overrides = ["benchmark=gpqa_diamond", f"benchmark.source={gpqa_csv}"]
    problems, rows, path = make_replay(tmp_path, overrides, n=2, rates=0.5)
    assert all(p.gold in "ABCD" for p in problems)
    out = harness_eval(
        *overrides,
        "backend=replay",
        f"backend.path={path}",
        "sampling.n=2",
        f"results_dir={tmp_path}",
        "run_id=g",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    metrics = json.loads((tmp_path / "g" / "metrics.json").read_text())
    assert metrics["n_problems"] == 198 and metrics["metrics"]["pass@1"]["value"] == 50.0
    prov = json.loads((tmp_path / "g" / "provenance.json").read_text())
    assert prov["data"]["extra"]["shuffle_seed"] == "0"
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout
    assert "gpqa_diamond.csv" not in tracked


def test_multirun_sweeps_write_one_directory_per_job(tmp_path):
    source = data_file("amc23")
    overrides = ["benchmark=amc23", f"benchmark.source={source}"]
    _, _, path = make_replay(tmp_path, overrides, n=2, rates=0.5)
    out = harness_eval(
        "-m",
        *overrides,
        "backend=replay",
        f"backend.path={path}",
        "sampling.n=2",
        "stats.bootstrap_seed=0,1",
        f"results_dir={tmp_path / 'res'}",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    jobs = sorted(tmp_path.glob("res/multirun_*/*/metrics.json"))
    assert len(jobs) == 2
    seeds = {json.loads(j.read_text())["bootstrap"]["seed"] for j in jobs}
    assert seeds == {0, 1}
