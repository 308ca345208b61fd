"""End to end through lm-eval's real HF path with a tiny model trained on 5 MATH-500 problems.

The model answers only when prompted exactly as the harness prompts (chat template, instruction,
forced "<think>\\n"), so the known accuracy (100 % greedy) proves the prompt is right and a
deliberately wrong prompt format scoring lower proves the test would catch a prompt bug.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("lm_eval")

from harness.models.cache import cached_trained_tiny_model
from harness.models.tiny import bundled_problems_file
from tests.conftest import compose
from tests.helpers import eval_inproc as inproc

pytestmark = pytest.mark.slow
DATA = bundled_problems_file("math500")  # the first 5 MATH-500 test problems, byte-exact


def _problems():
    from harness.data.loader import load_benchmark

    problems, _ = load_benchmark(compose([f"benchmark.source={DATA}"]).benchmark)
    return problems


@pytest.fixture(scope="module")
def trained(tiny_cache) -> Path:
    path, report = cached_trained_tiny_model(tiny_cache, _problems())
    assert report.reproduced == report.total == 15, report  # 5 right + 2 x 5 wrong formats
    return path


def run_eval(results: Path, model_dir: Path, *extra: str) -> dict:
    args = [
        f"benchmark.source={DATA}", "limit=5",
        "model=tiny_random_qwen2", f"model.path={model_dir}",
        "model.extra.build=null", "model.extra.random_weights=false",
        "backend=lm_eval", "backend.device=cpu", "backend.batch_size=5",
        "sampling=greedy", "sampling.max_new_tokens=48",
        f"results_dir={results}", "run_id=run", *extra,
    ]  # fmt: skip
    out = inproc.harness_eval(*args)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    run = results / "run"
    metrics = json.loads((run / "metrics.json").read_text())
    rows = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    return {"metrics": metrics, "rows": rows, "stdout": out.stdout}


@pytest.fixture(scope="module")
def good(trained, tmp_path_factory):
    return run_eval(tmp_path_factory.mktemp("good"), trained)


def test_known_accuracy(good):
    assert good["metrics"]["metrics"]["pass@1"]["value"] == 100.0
    assert "MODEL IS RANDOMLY" not in good["stdout"]


def test_records(good, trained):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(trained)
    assert len(tok) == json.loads((trained / "config.json").read_text())["vocab_size"]
    # The hard case: "</think>" is special, so a default decode drops it.
    assert (
        tok.decode(tok.encode("</think>", add_special_tokens=False), skip_special_tokens=True) == ""
    )
    for row in good["rows"]:
        # The forced "<think>\n" is in the prompt; the response starts inside the reasoning.
        assert row["prompt"].endswith("<｜Assistant｜><think>\n")
        assert row["response"].startswith("I will work it out.\n</think>\n\n\\boxed{")
        assert row["finish_reason"] == "stop"
        gen = tok(row["response"], add_special_tokens=False).input_ids
        assert row["n_generated_tokens"] == len(gen) + 1  # + the EOS that ended it
        assert row["n_prompt_tokens"] == len(tok(row["prompt"], add_special_tokens=False).input_ids)
    gen = good["metrics"]["generation"]
    assert gen["generated_tokens"] == sum(r["n_generated_tokens"] for r in good["rows"])
    assert gen["token_counts"] == "exact" and gen["tokens_per_s"] > 0
    assert gen["peak_accelerator_memory_gib"] is None  # CPU


def test_truncation_is_length(trained, tmp_path):
    got = run_eval(tmp_path, trained, "sampling.max_new_tokens=4")
    assert {r["finish_reason"] for r in got["rows"]} == {"length"}
    assert {r["n_generated_tokens"] for r in got["rows"]} == {4}
    assert got["metrics"]["truncated_pct"] == 100.0
    assert got["metrics"]["metrics"]["pass@1"]["value"] == 0.0


def _with_template(src: Path, dst: Path, template: str) -> Path:
    shutil.copytree(src, dst)
    cfg_path = dst / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["chat_template"] = template
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False))
    return dst


def test_wrong_prompt_format_scores_lower(trained, good, tmp_path):
    # A tokenizer whose template is not the model's (the raw user text, no chat tokens): the
    # harness still forces "<think>\n", but the prompt is not the one the model knows.
    bare = _with_template(trained, tmp_path / "bare", "{{ messages[0]['content'] }}")
    got = run_eval(tmp_path / "res", bare)
    assert got["rows"][0]["prompt"].startswith("Convert the point")
    assert (
        got["metrics"]["metrics"]["pass@1"]["value"] < good["metrics"]["metrics"]["pass@1"]["value"]
    )


def test_no_think_forcing_scores_lower(trained, good, tmp_path):
    # Treating the R1 model as non-reasoning with the pre-Feb-2025 template drops the forced
    # "<think>\n": the classic setup bug.
    from harness.models.chat_templates import R1_TEMPLATE_PRE_FEB_2025

    pre = _with_template(trained, tmp_path / "pre", R1_TEMPLATE_PRE_FEB_2025)
    got = run_eval(tmp_path / "res", pre, "model.reasoning=false")
    assert not got["rows"][0]["prompt"].endswith("<think>\n")
    assert (
        got["metrics"]["metrics"]["pass@1"]["value"] < good["metrics"]["metrics"]["pass@1"]["value"]
    )


def test_resume_generates_only_missing(trained, tmp_path):
    from harness.backends.lm_eval.backend import LmEvalBackend

    cfg = compose(
        [
            f"benchmark.source={DATA}", "model=tiny_random_qwen2", f"model.path={trained}",
            "model.extra.build=null", "backend=lm_eval", "backend.device=cpu", "sampling=greedy",
            "sampling.max_new_tokens=48", "sampling.n=2",
        ]
    )  # fmt: skip
    backend = LmEvalBackend(
        cfg.model, cfg.sampling, model_type="hf", device="cpu", batch_size=4, chunk_size=3
    )
    problems = _problems()[:2]
    first = backend.generate(problems, all_ids={p.id for p in problems}, n=2)
    done = {(c.problem_id, c.sample_index): c for c in first.completions[:3]}
    sunk = []
    second = backend.generate(
        problems, all_ids={p.id for p in problems}, n=2, done=done, sink=sunk.append
    )
    assert [(c.problem_id, c.sample_index) for c in sunk] == [(problems[1].id, 1)]
    assert second.completions[:3] == first.completions[:3]
    assert second.completions[3].response == first.completions[3].response  # greedy
    assert backend.provenance()["model_type"] == "hf"
