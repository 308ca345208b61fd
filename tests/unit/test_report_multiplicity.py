"""Report-wide Benjamini–Hochberg q-values: the formula, its FDR by simulation, the row text."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from harness.report.multiplicity import bh_qvalues, with_qvalues
from harness.report.row import VerdictRow


def test_q_values_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 → m·p/j = 0.02, 0.02, 0.04, 0.04 (then running minimum)
    assert bh_qvalues([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert bh_qvalues([0.9, 0.5]) == pytest.approx([0.9, 0.9])
    assert bh_qvalues([]) == []


def test_false_discovery_rate_stays_under_5_percent():
    # 119 claims as in one report (85 values + 34 comparisons), 80 true nulls, 39 real effects
    # of 3 SE; one-sided z tests. Measured over 2,000 reports: FDR 3.4 % (≤ 5 % · 80/119 = 3.4 %),
    # while "p < 0.05" alone would make 9.9 % of its discoveries false.
    rng = np.random.default_rng(0)
    nulls = np.r_[np.ones(80, bool), np.zeros(39, bool)]
    z = rng.normal(size=(2000, 119)) + np.where(nulls, 0.0, 3.0)
    p = 1 - np.vectorize(NormalDist().cdf)(z)
    fdr, raw = [], []
    for row in p:
        hits = np.array(bh_qvalues(row)) < 0.05
        fdr.append((hits & nulls).sum() / max(1, hits.sum()))
        raw.append(((row < 0.05) & nulls).sum() / max(1, (row < 0.05).sum()))
    assert np.mean(fdr) <= 0.05 * 80 / 119 + 0.005, np.mean(fdr)
    assert np.mean(raw) > 0.08


def _row(cid: str, verdict: str, p_s: float | None, p_r: float | None, kind="value"):
    return VerdictRow(cid, kind, "", None, None, None, None, None, None, verdict, "", "why",
                      p_support=p_s, p_refute=p_r)  # fmt: skip


def test_rows_carry_q_values_and_say_whether_they_survive():
    rows = [
        _row("a", "supported", 0.001, 1.0),
        _row("b", "supported", 0.04, 1.0),
        _row("c", "refuted", 1.0, 0.0001),
        _row("d", "inconclusive", 0.3, 0.6),
        _row("e", "not measured", None, None),
        _row("g", "supported", None, None, kind="group"),
    ]
    out = {r.claim_id: r for r in with_qvalues(rows)}
    assert out["a"].q_support == pytest.approx(0.004) and "survives at q < 0.05" in out["a"].reason
    assert out["b"].q_support == pytest.approx(0.04 * 4 / 2)
    assert "does not survive at q < 0.05" in out["b"].reason
    assert out["c"].q_refute == pytest.approx(0.0004) and "survives" in out["c"].reason
    assert out["d"].reason == "why" and out["d"].q_support is not None
    assert out["e"].q_support is None and out["g"].q_support is None
    assert out["a"].verdict == "supported"  # verdicts unchanged
    assert set(out["a"].to_json()) >= {"p_support", "q_support", "p_refute", "q_refute"}
