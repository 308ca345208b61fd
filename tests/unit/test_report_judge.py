"""Verdicts on small hand-made runs: protocol inheritance and baselines, resources, groups,
between-run variance."""

from __future__ import annotations

import json

import pytest
import yaml

from harness.claims import load_claims, load_groups, load_margins, load_protocols
from harness.config.paths import repo_root
from harness.report.pooling import build_cells
from harness.report.runs import load_run
from harness.report.verdicts import Settings, judge_all
from harness.store.run_dir import mark_complete
from tests.unit.test_report_runs import write_run

SEEDS = repo_root() / "seeds"


def _rows(*runs):
    cells = build_cells(list(runs), resamples=200, seed=0, confidence=0.95)
    claims = load_claims(SEEDS)
    rows = judge_all(
        cells,
        claims,
        load_protocols(SEEDS),
        Settings(resamples=200, memory_files=()),
        load_margins(SEEDS),
        load_groups(SEEDS, claims),
    )
    return {r.claim_id: r for r in rows}


def _run(path, model, share, *, temperature=0.6, max_new_tokens=None, metrics=None, **kw):
    # all 500 MATH-500 problems (a partial set is "not measured", report/coverage.py)
    correct = [[True, True]] * int(500 * share) + [[False, False]] * (500 - int(500 * share))
    folder = write_run(path, model=model, correct=correct, temperature=temperature, **kw)
    if max_new_tokens is not None:
        cfg = yaml.safe_load((folder / "config.yaml").read_text())
        cfg["sampling"]["max_new_tokens"] = max_new_tokens
        (folder / "config.yaml").write_text(yaml.safe_dump(cfg))
    if metrics is not None:
        (folder / "metrics.json").write_text(json.dumps(metrics))
    mark_complete(folder)  # the edited files are the run's own
    return load_run(folder)


def test_a_greedy_4k_run_is_capped_against_an_article_claim(tmp_path):
    run = _run(tmp_path / "g", "r1_distill_qwen_14b", 0.95, temperature=0.0, max_new_tokens=4096)
    row = _rows(run)["art.004.small_matches_bigger.math500.pass@1"]
    # the article states no protocol; the 14B side inherits the paper's (Table 5) protocol
    assert row.verdict == "inconclusive" and "would be" in row.reason, row.reason
    assert "temperature 0.0 vs 0.6" in row.reason and "max_new_tokens 4096 vs 32768" in row.reason


def test_a_baseline_protocol_flags_unset_fields_and_never_caps(tmp_path):
    run = _run(tmp_path / "b", "gpt_4o_0513", 0.745, temperature=0.0)
    row = _rows(run)["paper.t5.gpt_4o_0513.math500.pass@1"]
    # greedy is not a mismatch: T is not stated (n = 2 < 8: the p̃ floor leaves it underpowered)
    assert row.verdict == "underpowered" and "would be" not in row.reason, row.reason
    assert "temperature, top_p, max_new_tokens not stated by r1_paper_baseline" in row.reason
    assert row.n_pub == 1 and "taken as 1" in row.reason


def test_resources_need_memory_measured_at_the_claims_context_and_dtype(tmp_path):
    pool = {"metrics": {}, "accounting": {"peak_accelerator_memory_gib": 70.1}}
    rows = _rows(_run(tmp_path / "p", "r1_distill_qwen_1_5b", 0.8, metrics=pool))
    row = rows["art.000.distill_consumer_gpu.r1_distill_qwen_1_5b"]
    assert row.verdict == "not measured" and "KV-cache pool" in row.reason
    measured = {
        "metrics": {},
        "memory_measurements": [
            {"context_tokens": 4096, "dtype": "bfloat16", "peak_gib": 4.1, "method": "torch"},
            {"context_tokens": 34816, "dtype": "bfloat16", "peak_gib": 9.5, "method": "torch"},
        ],
    }
    rows = _rows(_run(tmp_path / "m", "r1_distill_qwen_1_5b", 0.8, metrics=measured))
    ok = rows["art.000.distill_consumer_gpu.r1_distill_qwen_1_5b"]
    assert ok.verdict == "supported" and ok.measured == 9.5, ok.reason
    # one member of an "any" group holds: the group holds
    assert rows["art.000.distill_consumer_gpu"].verdict == "supported"
    # the 4k measurement does not count for the 34,816-token claim, only for the phone proxy
    phone = rows["art.001.runs_on_mobile.distill_1_5b"]
    assert phone.verdict == "refuted" and phone.proxy_for == "art.001.runs_on_mobile"
    assert phone.reason.startswith("PROXY for art.001.runs_on_mobile")


def test_runs_that_differ_by_more_than_their_samples_are_unstable(tmp_path):
    a = _run(tmp_path / "a", "r1_distill_qwen_1_5b", 0.90)
    b = _run(tmp_path / "b", "r1_distill_qwen_1_5b", 0.78)
    row = _rows(a, b)["paper.t5.r1_distill_qwen_1_5b.math500.pass@1"]
    assert row.unstable and "UNSTABLE: between-run SD" in row.reason
    assert row.se > 4.0  # τ²/R = 72/2 points² added: runs 12 points apart


def _aime(path, problems, limit=None):
    correct = [[True] * 8] * (problems // 3) + [[True, False] * 4] * (problems - problems // 3)
    folder = write_run(path, correct=correct, benchmark="aime24")
    cfg = yaml.safe_load((folder / "config.yaml").read_text())
    cfg["limit"] = limit
    (folder / "config.yaml").write_text(yaml.safe_dump(cfg))
    mark_complete(folder)  # the edited run is finished again (readers verify its sha256)
    return load_run(folder)


def test_a_run_on_part_of_a_benchmark_is_not_judged_as_the_whole_set(tmp_path):
    # issue 19: a 9-problem AIME 2024 run (limit=9) was supported against the 30-problem 28.9
    rows = _rows(_aime(tmp_path / "nine", 9, limit=9))
    row = rows["paper.t5.r1_distill_qwen_1_5b.aime24.pass@1"]
    assert row.verdict == "not measured", row.reason
    assert row.reason.startswith("9 of 30 problems (limit=9): the claim is about all 30")
    assert row.measured == pytest.approx(100 * (3 + 6 * 0.5) / 9) and row.problems == 9
    assert row.claim_problems == 30 and row.measured_ci95 is not None
    beats = rows["paper.text.qwen_1_5b_beats_gpt4o_claude_math.aime24.pass@1"]
    assert beats.verdict == "not measured" and "9 of 30 problems" in beats.reason
    whole = _rows(_aime(tmp_path / "all", 30))["paper.t5.r1_distill_qwen_1_5b.aime24.pass@1"]
    assert whole.verdict != "not measured" and whole.problems == whole.claim_problems == 30
