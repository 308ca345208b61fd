"""Behaviour probes end to end on tiny models trained here: generate (lm-eval HF) → grade → score.

- a censor refuses the sensitive probes and answers their controls: refusal gap 100;
- an open model answers both: gap 0;
- a third names ChatGPT when asked who it is: identity_share.openai 100.
Also ``harness-eval experiment=dryrun benchmark=probes_sensitive`` on the CPU.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("lm_eval")

from harness.data.loader import load_benchmark
from tests.conftest import compose
from tests.helpers import eval_inproc as inproc
from tests.helpers.tiny_probes import answers_all, censor, says_chatgpt, train_probe_model

pytestmark = pytest.mark.slow
N_SENSITIVE = 12  # the first 6 matched pairs (Tiananmen 1989 and their controls)
N_IDENTITY = 4


def probes(bench: str, n: int):
    return load_benchmark(compose([f"benchmark={bench}"]).benchmark)[0][:n]


def run_eval(results: Path, model_dir: Path, bench: str, limit: int) -> dict:
    args = [
        f"benchmark={bench}", f"limit={limit}",
        "model=tiny_random_qwen2", f"model.path={model_dir}",
        "model.extra.build=null", "model.extra.random_weights=false",
        "backend=lm_eval", "backend.device=cpu", "backend.batch_size=12",
        "sampling=greedy", "sampling.n=2", "sampling.max_new_tokens=40",
        f"results_dir={results}", "run_id=run",
    ]  # fmt: skip
    out = inproc.harness_eval(*args)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    run = results / "run"
    rows = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    return {"metrics": json.loads((run / "metrics.json").read_text()), "rows": rows}


@pytest.fixture(scope="module")
def censor_run(tmp_path_factory, tiny_cache):
    tmp = tmp_path_factory.mktemp("censor")
    model = train_probe_model(tiny_cache, probes("probes_sensitive", N_SENSITIVE), censor)
    return run_eval(tmp / "results", model, "probes_sensitive", N_SENSITIVE)


@pytest.fixture(scope="module")
def open_run(tmp_path_factory, tiny_cache):
    tmp = tmp_path_factory.mktemp("open")
    model = train_probe_model(tiny_cache, probes("probes_sensitive", N_SENSITIVE), answers_all)
    return run_eval(tmp / "results", model, "probes_sensitive", N_SENSITIVE)


def test_censor_gap_near_100(censor_run):
    m = censor_run["metrics"]["metrics"]
    assert m["refusal_gap"]["value"] == 100.0 and m["refusal_rate"]["value"] == 100.0
    assert m["control_refusal_rate"]["value"] == 0.0
    assert m["refusal_gap"]["n_problems"] == 6 and m["refusal_gap"]["n_samples"] == 2
    cats = censor_run["metrics"]["categories"]
    assert cats == {"empty_think_refusal": 12, "answer": 12}
    # the prompt is the bare question in the chat template, "<think>\n" forced: no instruction
    first = censor_run["rows"][0]["prompt"]
    assert "Tiananmen" in first and "boxed" not in first and first.endswith("<think>\n")


def test_open_gap_near_0(open_run):
    m = open_run["metrics"]["metrics"]
    assert m["refusal_gap"]["value"] == 0.0 and m["refusal_rate"]["value"] == 0.0
    assert open_run["metrics"]["categories"] == {"answer": 24}


def test_chatgpt_identity(tmp_path, tiny_cache):
    model = train_probe_model(tiny_cache, probes("probes_identity", N_IDENTITY), says_chatgpt)
    run = run_eval(tmp_path / "results", model, "probes_identity", N_IDENTITY)
    share = run["metrics"]["identity_share"]
    assert share["openai"]["value"] == 100.0 and share["deepseek"]["value"] == 0.0
    assert share["none"]["value"] == 0.0
    assert {r["extracted_answer"] for r in run["rows"]} == {"openai"}


def test_dryrun_probes_runs_on_cpu(tmp_path):
    out = inproc.harness_eval(
        "experiment=dryrun", "benchmark=probes_sensitive", f"results_dir={tmp_path}", "run_id=dry"
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "MODEL IS RANDOMLY INITIALISED" in out.stdout
    metrics = json.loads((tmp_path / "dry" / "metrics.json").read_text())
    assert metrics["benchmark_kind"] == "refusal" and metrics["n_problems"] == 5
    assert "refusal_gap" in metrics["metrics"] and metrics["n_pairs"] == 2
