"""Behaviour claims: every one has a margin δ; unmeasured claims say why."""

from __future__ import annotations

from harness.claims import load_claims, load_margins
from harness.report.behaviour import behaviour_verdicts, is_behaviour_claim
from harness.report.verdicts import Settings, judge_all
from tests.conftest import REPO


def test_behaviour_claims_have_margins():
    """Each measurable behaviour claim has a δ: its own, or the probe set's in margins.yaml."""
    claims = [c for c in load_claims(REPO / "seeds") if is_behaviour_claim(c) and c.measurable]
    margins = load_margins(REPO / "seeds")
    for c in claims:
        spec = c.spec
        own = getattr(spec, "delta", None)
        assert own or (spec.benchmark, spec.metric) in margins, c.id
    assert margins["probes_sensitive", "refusal_gap"].delta == 50.0


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
    assert {c.id for c in claims} <= set(by_id)  # plus one row per claim group
