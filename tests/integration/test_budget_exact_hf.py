"""The budget curve is exact on the HF path: under greedy decoding a run at max_new_tokens=B is
the first B tokens of a longer run, so the curve at B equals an actual run at B, sample for
sample (lm-eval's HF model class, the tiny model trained on 5 MATH-500 problems). Also: the dry
run writes a curve whose last point is the run's own pass@1 and truncated share."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("lm_eval")

from harness.models.cache import cached_trained_tiny_model
from harness.models.tiny import bundled_problems_file
from tests.conftest import compose
from tests.helpers import eval_inproc as inproc
from tests.helpers.budget_check import (
    actual_rows,
    curve_point,
    cut_rows,
    point_core,
    rows,
    run_point,
    split_budgets,
)

pytestmark = pytest.mark.slow
DATA = bundled_problems_file("math500")
LONG = 48
ALL_BUDGETS = "[" + ",".join(str(b) for b in range(1, LONG)) + "]"


def _eval(results: Path, run_id: str, *extra: str) -> Path:
    out = inproc.harness_eval(f"results_dir={results}", f"run_id={run_id}", *extra)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return results / run_id


@pytest.fixture(scope="module")
def trained(tiny_cache) -> Path:
    from harness.data.loader import load_benchmark

    problems, _ = load_benchmark(compose([f"benchmark.source={DATA}"]).benchmark)
    path, report = cached_trained_tiny_model(tiny_cache, problems)
    assert report.reproduced == report.total, report
    return path


def hf(model: Path, max_new: int) -> tuple[str, ...]:
    return (
        f"benchmark.source={DATA}", "limit=5", "model=tiny_random_qwen2", f"model.path={model}",
        "model.extra.build=null", "model.extra.random_weights=false", "backend=lm_eval",
        "backend.device=cpu", "backend.batch_size=5", "sampling=greedy",
        f"sampling.max_new_tokens={max_new}", f"analysis.budgets={ALL_BUDGETS}",
    )  # fmt: skip


def test_greedy_curve_equals_runs_at_b(trained, tmp_path):
    from transformers import AutoTokenizer

    long_run = _eval(tmp_path, "long", *hf(trained, LONG))
    lengths = [r["n_generated_tokens"] for r in rows(long_run)]
    assert all(r["finish_reason"] == "stop" for r in rows(long_run))
    assert run_point(long_run) == point_core(curve_point(long_run, LONG))
    tok = AutoTokenizer.from_pretrained(trained)
    budgets = split_budgets(lengths)
    for b in budgets:
        at_b = _eval(tmp_path, f"b{b}", *hf(trained, b))
        assert cut_rows(long_run, b, tok) == actual_rows(at_b), f"budget {b}"
        assert point_core(curve_point(long_run, b)) == run_point(at_b), f"budget {b}"
    # the budgets used cut some responses, kept others, and one ended exactly at its budget
    assert any(x > min(budgets) for x in lengths) and any(x in budgets for x in lengths)
    assert 0 < curve_point(long_run, budgets[-1])["pass@1"]["value"] <= 100.0


def test_dryrun_greedy_curve_ends_at_the_run(tmp_path):
    run = _eval(tmp_path, "dry", "experiment=dryrun", "sampling=greedy")
    curve = __import__("json").loads((run / "metrics.json").read_text())["budget_curve"]
    assert curve["unit"] == "tokens" and curve["exactness"] == "as if generated at B"
    assert curve["tokenizer"].endswith("tiny_random_qwen2")
    assert [p["budget"] for p in curve["points"]] == [16, 32, 64]
    assert point_core(curve["points"][-1]) == run_point(run)
