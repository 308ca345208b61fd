"""Test-time scaling in the report, from replayed runs whose curves are known in advance.

AIME-shaped files of 30 integer-answer problems (written here, so no ../shared is needed), replayed
through the real harness-eval CLI with recorded token counts:
- r1_distill_qwen_1_5b on AIME 2024, n=4: per problem one correct sample at 3,000 tokens, one
  correct at 20,000 tokens for two thirds of the problems, one correct at 30,000 for a third, one
  cut at the 32,768 limit. pass@1 at 1k…32k is 0, 0, 25, 25, 25, 50: the 4k → 32k gain is 25
  points, so the test-time-scaling claim (minimum 5 points) is supported;
- r1_distill_qwen_7b on AIME 2024, every correct sample short: a flat curve, refuted;
- r1_distill_qwen_1_5b on AIME 2025 at a lower rate: the AIME 2024 → 2025 table has its row.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness.claims.model import TrendSpec
from harness.data.loader import load_benchmark
from tests.conftest import compose
from tests.helpers import eval_inproc as inproc

pytestmark = pytest.mark.slow
CLAIM = "art.001.test_time_scaling.r1_distill_qwen_1_5b.aime24"


def _response(gold: str, right: bool) -> str:
    answer = gold if right else str(int(gold) + 1)
    return f"<think>\nLet me think.\n</think>\n\n\\boxed{{{answer}}}"


def _rising(i: int) -> list[tuple[bool, int, str]]:
    """(correct, tokens, finish) of the 4 samples of problem i."""
    return [
        (True, 3000, "stop"),
        (i % 3 >= 1, 20000, "stop"),
        (i % 3 == 2, 30000 if i % 3 == 2 else 1500, "stop"),
        (False, 32768, "length"),
    ]


def _flat(i: int) -> list[tuple[bool, int, str]]:
    return [
        (True, 2000, "stop"),
        (i % 2 == 0, 1800, "stop"),
        (False, 900, "stop"),
        (True, 500, "stop"),
    ]


def _after(i: int) -> list[tuple[bool, int, str]]:
    return [(i % 5 == 0, 5000, "stop"), (False, 6000, "stop"), (i % 4 == 0, 7000, "stop"),
            (False, 8000, "stop")]  # fmt: skip


def _source(tmp: Path, bench: str) -> Path:
    """30 AIME-shaped problems in the benchmark's own fields (AIME 2025 has no id field)."""
    path = tmp / f"{bench}.jsonl"
    key = "problem" if bench == "aime24" else "question"
    rows = [{"id": f"{bench}-{i}", key: f"Find {i} + {i}.", "answer": str(2 * i + 1)}
            for i in range(30)]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _run(tmp: Path, run_id: str, bench: str, model: str, plan, *extra: str) -> Path:
    source = _source(tmp, bench)
    overrides = [f"benchmark={bench}", f"benchmark.source={source}"]
    problems, _ = load_benchmark(compose(overrides).benchmark)
    rows = []
    for i, p in enumerate(problems):
        for j, (right, tokens, finish) in enumerate(plan(i)):
            text = _response(p.gold, right)
            if finish == "length":
                text = "<think>\nLet me think. And again"  # cut inside the reasoning
            rows.append({"problem_id": p.id, "sample_index": j, "response": text,
                         "finish_reason": finish, "n_generated_tokens": tokens})  # fmt: skip
    path = tmp / f"{run_id}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = inproc.harness_eval(
        *overrides, f"model={model}", "backend=replay", f"backend.path={path}", "sampling.n=4",
        "stats.bootstrap_resamples=500", f"results_dir={tmp / 'results'}", f"run_id={run_id}",
        *extra,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return tmp / "results" / run_id


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from harness.report.build import build_report

    tmp = tmp_path_factory.mktemp("tts")
    _run(tmp, "rise", "aime24", "r1_distill_qwen_1_5b", _rising, "tracking=wandb",
         f"tracking.dir={tmp / 'wandb'}")  # fmt: skip
    _run(tmp, "flat", "aime24", "r1_distill_qwen_7b", _flat)
    _run(tmp, "after", "aime25", "r1_distill_qwen_1_5b", _after)
    return build_report([tmp / "results"], tmp / "report")


def test_known_curve_and_its_last_point(report):
    run = next(r for r in report.runs if r.run_id == "rise")
    curve = run.metrics["budget_curve"]
    assert curve["unit"] == "tokens" and curve["tokenizer"].startswith("none:")
    assert [p["budget"] for p in curve["points"]] == [1024, 2048, 4096, 8192, 16384, 32768]
    assert [p["pass@1"]["value"] for p in curve["points"]] == [0, 0, 25, 25, 25, 50]
    lengths = np.array([[t for _, t, _ in _rising(i)] for i in range(30)])
    for p in curve["points"]:
        cut = (lengths > p["budget"]) | (lengths == 32768)
        assert p["truncated_pct"] == round(100 * cut.mean(), 2)
    last = curve["points"][-1]
    assert last["pass@1"] == {k: run.metrics["metrics"]["pass@1"][k] for k in ("value", "ci95")}
    assert last["truncated_pct"] == run.metrics["truncated_pct"]


def test_scaling_claim_supported_flat_curve_refuted(report):
    from harness.report.budget import budget_trend

    row = next(r for r in report.rows if r.claim_id == CLAIM)
    assert row.verdict == "supported", row.reason
    assert row.measured == pytest.approx(25.0) and row.ci95[0] >= 5.0
    flat = next(c for c in report.cells if c.model == "r1_distill_qwen_7b")
    spec = TrendSpec("r1_distill_qwen_7b", "aime24", "budget", "pass@1", "increasing",
                     min_effect=5.0)  # fmt: skip
    outcome, effect, ci = budget_trend(flat, spec, report_settings())
    assert (outcome.verdict, effect, ci) == ("refuted", 0.0, (0.0, 0.0))


def report_settings():
    from harness.report.verdicts import Settings

    return Settings()


def test_report_sections(report):
    text = (report.out / "report.md").read_text()
    assert "## Test-time scaling: pass@1 against the token budget" in text
    assert "![aime24: pass@1 against the token budget](budget_aime24.png)" in text
    assert (report.out / "budget_aime24.png").read_bytes()[:4] == b"\x89PNG"
    assert "## Length against correctness" in text and "mean length correct (n)" in text
    section = text.split("## Post-release check: AIME 2024 → AIME 2025")[1]
    row = next(line for line in section.splitlines() if line.startswith("| r1_distill_qwen_1_5b"))
    after = next(r for r in report.runs if r.run_id == "after").metrics["metrics"]["pass@1"]
    assert f"{after['value'] - 50.0:+.1f}" in row
    assert "contamination signal, not proof" in section


def test_wandb_logs_the_curve(report):
    from tests.helpers.wandb_log import records

    (log,) = (report.out.parent / "wandb").glob("wandb/offline-run-*/run-*.wandb")
    summary = {
        "/".join(u.nested_key) or u.key: json.loads(u.value_json)
        for r in records(log)
        if r.WhichOneof("record_type") == "summary"
        for u in r.summary.update
    }
    assert [summary[f"budget/{b}/pass@1"] for b in (1024, 4096, 32768)] == [0, 25, 50]
    assert summary["budget/4096/truncated_pct"] > summary["budget/32768/truncated_pct"]
    assert "budget_curve_table" in str(summary) or "budget_curve" in str(summary)
