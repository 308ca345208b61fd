"""harness-compare's arithmetic: effects close the difference whatever is missing, and the
fixed-set interval of one log graded twice covers at its nominal rate (simulation)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from harness.compare import CompareError, compare_runs, load_items, render
from harness.compare.reconcile import fixed_set_difference
from harness.metrics.fixed_set import z_value
from harness.store.run_dir import mark_complete


def write_run(folder: Path, correct: list[list[bool]], *, pids=None, text="same") -> Path:
    """A run directory with config.yaml and samples.jsonl (what harness-compare reads)."""
    folder.mkdir(parents=True)
    pids = pids or [f"p{i}" for i in range(len(correct))]
    config = {"run_id": folder.name, "model": {"name": "m"}, "benchmark": {"name": "b"}}
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    rows = [
        {"problem_id": pid, "sample_index": j, "response": f"{text} {pid} {j}",
         "finish_reason": "stop", "correct": ok, "extracted_answer": "7" if ok else "8",
         "verdicts": {"math_verify": {"extracted": "7", "correct": ok, "status": "ok"}}}
        for pid, row in zip(pids, correct, strict=True)
        for j, ok in enumerate(row)
    ]  # fmt: skip
    (folder / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    mark_complete(folder)
    return folder


def test_unshared_samples_are_counted_apart_and_the_headline_is_the_paired_difference(tmp_path):
    a = write_run(tmp_path / "a", [[True, False, True, True], [False] * 4, [True] * 4])
    b = write_run(tmp_path / "b", [[False, False], [True, False]], text="other")
    result = compare_runs(load_items(a), load_items(b), resamples=200)
    shared = result["diff"]["shared"]
    assert (shared["n_problems"], shared["n_samples"]) == (2, 2)
    assert "missing" not in result["categories"]  # p2 and samples 2-3 are not "items that differ"
    assert result["categories"]["different_response"] == 2
    assert len(result["items"]) == 2
    assert shared["value"] == pytest.approx(100 * (1 - 1) / 4)
    assert result["diff"]["pass@1"] == shared["value"]  # the headline: paired, shared samples
    total = 100 * (7 / 12) - 100 * (1 / 4)
    assert result["diff"]["unpaired"] == pytest.approx(total)
    unshared = result["diff"]["unshared"]
    assert (unshared["a_only"], unshared["b_only"]) == (8, 0)  # p2 entirely, samples 2-3
    assert unshared["effect"] == pytest.approx(total - shared["value"])
    assert sum(result["effects"].values()) == pytest.approx(shared["value"])
    text = render(result)
    assert "pass@1 difference +0.00 points, paired on the 2 shared problems x 2" in text
    assert "8 in A only, 0 in B only" in text and "shared items that differ: 2" in text


def test_different_k_on_the_same_samples_differs_by_nothing(tmp_path):
    """Issue 19: k=8 vs k=4 of the same samples said "+2.25 points" and listed the extra
    samples as items that differ; the paired difference is 0 and they are only counted."""
    a = write_run(tmp_path / "a", [[True] * 8, [True] * 4 + [False] * 4])
    b = write_run(tmp_path / "b", [[True] * 4, [True] * 4])  # A's first 4 samples, same texts
    result = compare_runs(load_items(a), load_items(b), resamples=200)
    assert result["diff"]["pass@1"] == 0.0 and result["items"] == []
    lo, hi = result["diff"]["shared"]["fixed_set"]["ci95"]
    # no sample differs, but at n = 4 < 8 the small-n variance floor keeps SE above 0
    assert lo < 0.0 < hi and lo == pytest.approx(-hi)
    assert result["diff"]["unpaired"] == pytest.approx(-25.0)  # 75 vs 100: not a difference
    assert result["diff"]["unshared"] == {"a_only": 8, "b_only": 0, "effect": -25.0}
    assert render(result).splitlines()[5].startswith("A - B  pass@1 difference +0.00 points")


def test_runs_sharing_no_problem_are_refused(tmp_path):
    a = write_run(tmp_path / "a", [[True]])
    b = write_run(tmp_path / "b", [[True]], pids=["q0"])
    with pytest.raises(CompareError, match="share no problem"):
        compare_runs(load_items(a), load_items(b))
    with pytest.raises(CompareError, match="not a finished run directory"):
        load_items(tmp_path)


def test_fixed_set_interval_of_one_log_graded_twice_covers(tmp_path):
    """Each sample is right under the strict rule with p_i; a wrong one is credited by the lenient
    rule with r_i (a truncated response with a box, say). The fixed-set target is the mean over
    the fixed problems of the expected difference, −(1 − p_i) r_i; only the samples are redrawn."""
    rng = np.random.default_rng(0)
    n_problems, n, reps = 60, 8, 600
    p = rng.uniform(0.1, 0.9, n_problems)
    r = rng.uniform(0.0, 0.6, n_problems)
    target = float(-np.mean((1 - p) * r))
    z = z_value(0.95)
    hits_paired, widths = 0, {"paired": [], "independent": []}
    for _ in range(reps):
        strict = rng.random((n_problems, n)) < p[:, None]
        extra = ~strict & (rng.random((n_problems, n)) < r[:, None])
        a, b = strict.astype(float), (strict | extra).astype(float)
        est, how = fixed_set_difference(a, b, same_responses=True)
        assert "per-sample differences" in how
        hits_paired += abs(est.value - target) <= z * est.se
        widths["paired"].append(est.se)
        widths["independent"].append(fixed_set_difference(a, b, same_responses=False)[0].se)
    coverage = hits_paired / reps
    assert 0.92 <= coverage <= 0.975, coverage
    # treating the two gradings as independent draws would overstate the SE
    assert np.mean(widths["paired"]) < 0.8 * np.mean(widths["independent"])
