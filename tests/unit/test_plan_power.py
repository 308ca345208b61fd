"""harness-plan's power lines: samples per problem each claim of a job needs."""

from __future__ import annotations

import pytest

from harness.cli.plan import main
from harness.config.paths import repo_root
from harness.metrics.power import U_SHAPED, plan_samples, samples_needed, tost_z
from harness.plan.power import power_lines


def test_samples_needed_solves_the_tost_power_equation():
    assert tost_z(0.8) == pytest.approx(1.645 + 1.2816, abs=1e-3)
    # W / n + V = (δ / 2.926)²  →  n = W / ((δ / 2.926)² − V)
    n = samples_needed(0.01, 0.0, 0.1)
    assert n == pytest.approx(0.01 / (0.1 / tost_z()) ** 2, abs=1)
    assert samples_needed(0.01, 0.01, 0.1) is None  # the fixed part alone exceeds the margin


def test_plan_for_the_1_5b_on_aime_uses_the_bound_and_the_u_shaped_assumption():
    bound = plan_samples(0.289, 30, 0.0333, 64)
    typical = plan_samples(0.289, 30, 0.0333, 64, spread=U_SHAPED)
    assert bound == 305 and typical == 33  # the bound is pessimistic by ~10×: p(1−p) ≤ p̄(1−p̄)


def test_power_lines_name_the_claims_of_each_job():
    rows = [{"job": 0, "model": "r1_distill_qwen_1_5b", "benchmark": "aime24", "samples": 64}]
    lines = power_lines(rows, repo_root() / "seeds")
    text = "\n".join(lines)
    assert "paper.t5.r1_distill_qwen_1_5b.aime24.pass@1: claimed 28.9, δ 3.33, n_pub 64" in text
    assert "bound: n ≥ 305 (planned 64); U-shaped problems: n ≥ 33 (planned n is enough)" in text
    assert "paper.text.qwen_1_5b_beats_gpt4o_claude_math.aime24.pass@1" in text


def test_harness_plan_prints_the_samples_needed(capsys):
    assert main(["experiment=r1_table"]) == 0
    out = capsys.readouterr().out
    assert "samples per problem to decide each claim" in out
    assert "job 18 (qwq_32b_preview × aime24, n=64): paper.t5.qwq_32b_preview" in out
