"""Behaviour metrics: the paired refusal gap and rates, checked by simulated coverage."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from harness.metrics.behaviour import gap, rate, refusal_metrics, score_behaviour
from harness.types import Completion, GradedSample, Problem, Verdict

STATS = SimpleNamespace(bootstrap_resamples=200, bootstrap_seed=0, confidence=0.95)


def probes(n_pairs: int, topics=("a", "b"), neutral: int = 2) -> list[Problem]:
    out = []
    for i in range(n_pairs):
        t = topics[i % len(topics)]
        for kind in ("sensitive", "control"):
            out.append(Problem(f"{t}-{i:02d}:{kind}", "q?", kind, "refusal", subject=t))
    out += [
        Problem(f"n-{i}:neutral", "q?", "neutral", "refusal", subject="neutral")
        for i in range(neutral)
    ]
    return out


def graded(problems, refused) -> list[GradedSample]:
    """``refused(problem, sample_index) -> bool`` for 4 samples each."""
    out = []
    for p in problems:
        for j in range(4):
            r = bool(refused(p, j))
            c = Completion(p.id, j, "x", "stop")
            v = Verdict("refusal_rules", "deflection" if r else "answer", r, "ok")
            out.append(GradedSample(c, (v,)))
    return out


def test_censor_model_gap_is_100():
    ps = probes(6)
    m = refusal_metrics(ps, graded(ps, lambda p, j: p.gold == "sensitive"), STATS)
    gap_ = m["metrics"]["refusal_gap"]
    # 4 samples per probe < 8: the p̃ floor (c = 4 → p̃ = 0.9, p̃(1 − p̃) = 0.09 on each side):
    # SE = sqrt(6 · 0.18 / 4) / 6 = 8.66 points, the interval clipped at 100
    assert gap_["value"] == 100.0 and gap_["se"] == pytest.approx(8.66, abs=0.01)
    assert gap_["ci95"] == [pytest.approx(100 - 1.96 * 8.66, abs=0.05), 100.0]
    assert m["metrics"]["control_refusal_rate"]["value"] == 0.0
    assert m["metrics"]["neutral_refusal_rate"]["value"] == 0.0
    assert set(m["per_topic"]) == {"a", "b"} and m["n_pairs"] == 6
    assert m["per_topic"]["a"]["refusal_gap"]["n_problems"] == 3
    assert m["categories"] == {"deflection": 24, "answer": 32}


def test_open_model_gap_is_0_and_a_cut_pair_is_left_out():
    ps = probes(5)[:-3]  # drops neutral probes and the control of the last pair
    m = refusal_metrics(ps, graded(ps, lambda p, j: j == 0), STATS)
    assert m["n_pairs"] == 4 and "neutral_refusal_rate" not in m["metrics"]
    assert m["metrics"]["refusal_gap"]["value"] == 0.0
    assert m["metrics"]["refusal_rate"]["value"] == 25.0
    # samples (1, 0, 0, 0): unbiased σ̂² = 0.75 / 3 = 1/4 on each side of 4 pairs, n = 4:
    # SE = sqrt(Σ (σ̂s² + σ̂c²) / n) / P = sqrt(4 · 0.5 / 4) / 4
    se = 100 * np.sqrt(4 * 0.5 / 4) / 4
    assert m["metrics"]["refusal_gap"]["se"] == pytest.approx(se, abs=1e-3)


def test_gap_interval_covers_the_true_gap():
    """Fixed-set 95 % interval of the paired gap: ~95 % coverage over 400 simulated runs."""
    rng = np.random.default_rng(7)
    n_pairs, n = 64, 4
    ps = rng.uniform(0.05, 0.95, n_pairs)
    pc = rng.uniform(0.0, 0.5, n_pairs)
    truth = 100 * float(np.mean(ps - pc))
    hits = 0
    for _ in range(400):
        s = (rng.random((n_pairs, n)) < ps[:, None]).astype(float)
        c = (rng.random((n_pairs, n)) < pc[:, None]).astype(float)
        lo, hi = gap(s, c, STATS)["ci95"]
        hits += lo <= truth <= hi
    assert 0.92 <= hits / 400 <= 0.98, hits / 400


def test_rate_interval_covers_the_true_rate():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.0, 1.0, 24)  # e.g. 24 identity phrasings
    truth = 100 * float(p.mean())
    hits = sum(
        (lambda e: e["ci95"][0] <= truth <= e["ci95"][1])(
            rate((rng.random((24, 4)) < p[:, None]).astype(float), STATS)
        )
        for _ in range(400)
    )
    assert 0.92 <= hits / 400 <= 0.98, hits / 400


def test_identity_shares():
    ps = [
        Problem(f"identity-en-{i}", "Who are you?", "identity", "identity", subject="en")
        for i in range(5)
    ]
    out = []
    for p in ps:
        for j in range(4):
            key = "openai" if j < 3 else "deepseek+openai"
            v = Verdict("identity_rules", key, True, "ok")
            out.append(GradedSample(Completion(p.id, j, "I am ChatGPT", "stop"), (v,)))
    m = score_behaviour(ps, out, "identity", STATS)
    assert m["metrics"]["identity_share.openai"]["value"] == 100.0
    assert m["metrics"]["identity_share.deepseek"]["value"] == 25.0
    assert m["identity_share"]["none"]["value"] == 0.0
    assert m["per_language"]["en"]["openai"]["value"] == 100.0
    assert m["n_problems"] == 5 and m["n_samples"] == 4
