"""Verdict rules of the behaviour claims: TOST with a margin δ; unmeasured claims say why."""

from __future__ import annotations

import numpy as np

from harness.claims import load_claims
from harness.report.behaviour import behaviour_verdicts, is_behaviour_claim, tost
from harness.report.verdicts import Settings, judge_all
from tests.conftest import REPO


def test_tost_supported_refuted_inconclusive():
    assert tost(-10.0, 2.0, 50.0).verdict == "supported"  # 90 % CI [-13.3, -6.7] inside ±50
    assert tost(-90.0, 2.0, 50.0).verdict == "refuted"  # 95 % CI [-93.9, -86.1] below −50
    assert tost(-48.0, 5.0, 50.0).verdict == "inconclusive"  # straddles −50
    assert tost(-50.0, 0.0, 50.0).verdict == "inconclusive"  # on the margin: not inside


def test_tost_size_at_the_margin():
    """The test's size: a run whose true D sits on the margin is supported ≤ 5 % of the time."""
    rng = np.random.default_rng(0)
    hits = sum(
        tost(-50.0 + rng.normal(0, 3.0), 3.0, 50.0).verdict == "supported" for _ in range(2000)
    )
    assert hits / 2000 <= 0.06


def test_claims_without_runs_are_not_measured():
    claims = load_claims(REPO / "seeds")
    mine = [c for c in claims if is_behaviour_claim(c)]
    assert {c.id for c in mine} == {
        "art.000.refuses_ccp_topics", "art.000.filter_layer_on_top", "art.002.ccp_sensitivities",
        "art.002.says_it_is_chatgpt", "art.004.refuses_sensitive_topics",
    }  # fmt: skip
    rows = behaviour_verdicts(judge_all([], claims, {}, Settings()), claims, [])
    by_id = {r.claim_id: r for r in rows}
    for c in mine:
        assert by_id[c.id].verdict == "not measured" and "no run of" in by_id[c.id].reason
    assert len(rows) == len(claims)
