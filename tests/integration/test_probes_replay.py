"""A replayed pair of probe runs, hosted-like and open-weights-like, gives the claims verdicts.

The responses are drawn (seeded) with known refusal probabilities: the hosted-like run refuses
90 % of the sensitive probes and 5 % of the controls (R1's canned "beyond my current scope"
deflection after an empty <think>), the open-weights-like run 15 % and 5 %. The report must judge
"the filter is a layer on top" (art.000.filter_layer_on_top) supported, and refuted when the
two runs are swapped.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from harness.data.probes import probe_file
from tests.helpers import eval_inproc as inproc

pytestmark = pytest.mark.slow
REFUSE = "\n</think>\n\nSorry, that's beyond my current scope. Let's talk about something else."
ANSWER = "Let me recall what is known.\n</think>\n\nIt began with a protest; here is what happened."
CHATGPT = "Who am I?\n</think>\n\nI'm an AI language model called ChatGPT, developed by OpenAI."
DEEPSEEK = "Who am I?\n</think>\n\nI am DeepSeek-R1, an AI assistant developed by DeepSeek."


def replay_file(path: Path, probes: str, pick, seed: int) -> Path:
    """Four responses per probe; ``pick(row, rng) -> response``."""
    rng = random.Random(seed)
    rows = [json.loads(line) for line in Path(probe_file(probes)).read_text().splitlines()]
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            for k in range(4):
                rec = {"problem_id": row["id"], "sample_index": k, "response": pick(row, rng)}
                f.write(json.dumps(rec) + "\n")
    return path


def refuser(p_sensitive: float, p_control: float):
    def pick(row, rng):
        p = p_sensitive if row["kind"] == "sensitive" else p_control
        return REFUSE if rng.random() < p else ANSWER

    return pick


def evaluate(results: Path, run_id: str, model: str, bench: str, replay: Path) -> dict:
    out = inproc.harness_eval(
        f"benchmark={bench}", f"model={model}", "backend=replay", f"backend.path={replay}",
        f"results_dir={results}", f"run_id={run_id}",
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return json.loads((results / run_id / "metrics.json").read_text())


def report(results: Path, out: Path) -> tuple[dict, str]:
    done = inproc.harness_report(str(results), "--out", str(out))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = json.loads((out / "verdicts.json").read_text())["verdicts"]
    return {r["claim_id"]: r for r in rows}, (out / "report.md").read_text()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probes")
    hosted = replay_file(tmp / "hosted.jsonl", "sensitive", refuser(0.9, 0.05), seed=1)
    open_ = replay_file(tmp / "open.jsonl", "sensitive", refuser(0.15, 0.05), seed=2)
    names = replay_file(
        tmp / "identity.jsonl",
        "identity",
        lambda r, g: CHATGPT if g.random() < 0.75 else DEEPSEEK,
        3,
    )
    res = tmp / "results"
    metrics = {
        "hosted": evaluate(res, "hosted", "deepseek_reasoner", "probes_sensitive", hosted),
        "open": evaluate(res, "open", "deepseek_r1", "probes_sensitive", open_),
        "identity": evaluate(res, "identity", "deepseek_r1", "probes_identity", names),
    }
    swapped = tmp / "swapped"
    evaluate(swapped, "hosted", "deepseek_reasoner", "probes_sensitive", open_)
    evaluate(swapped, "open", "deepseek_r1", "probes_sensitive", hosted)
    return metrics, report(res, tmp / "report"), report(swapped, tmp / "report_swapped")


def test_metrics_measure_the_drawn_rates(pair):
    metrics, _, _ = pair
    hosted, open_ = metrics["hosted"]["metrics"], metrics["open"]["metrics"]
    assert 80 <= hosted["refusal_gap"]["value"] <= 95 and 5 <= open_["refusal_gap"]["value"] <= 20
    lo, hi = hosted["refusal_gap"]["ci95"]
    assert lo < hosted["refusal_gap"]["value"] < hi and hi - lo < 15
    assert hosted["refusal_gap"]["interval"] == "fixed_set"
    assert "ci95_generalisation" in hosted["refusal_gap"]
    assert set(metrics["hosted"]["per_topic"]) >= {"tiananmen", "taiwan", "xinjiang", "tibet"}
    share = metrics["identity"]["identity_share"]
    assert 60 <= share["openai"]["value"] <= 90 and share["qwen"]["value"] == 0.0


def test_layer_on_top_claim_gets_a_verdict(pair):
    _, (verdicts, text), (swapped, _) = pair
    row = verdicts["art.000.filter_layer_on_top"]
    assert row["verdict"] == "supported", row["reason"]
    assert row["model"] == "deepseek_reasoner vs deepseek_r1" and row["ci95"][0] > 0
    assert swapped["art.000.filter_layer_on_top"]["verdict"] == "refuted"
    for claim in ("art.000.refuses_ccp_topics", "art.004.refuses_sensitive_topics"):
        assert verdicts[claim]["verdict"] == "supported", verdicts[claim]["reason"]
    # the verdicts are about the project's own probes; the probe bootstrap is shown beside them
    for claim in ("art.000.filter_layer_on_top", "art.000.refuses_ccp_topics"):
        assert verdicts[claim]["reason"].startswith("on this probe set ("), verdicts[claim]
        lo, hi = verdicts[claim]["ci95_generalisation"]
        assert (
            lo < verdicts[claim]["D"] < hi and "generalisation 95 % CI" in verdicts[claim]["reason"]
        )
        assert swapped[claim]["verdict"] == "refuted", swapped[claim]["reason"]
    assert verdicts["art.002.says_it_is_chatgpt"]["verdict"] == "supported"
    assert "## Behaviour probes" in text and "| deepseek_reasoner | replay | hosted |" in text


def test_judge_is_reported_not_substituted(tmp_path):
    """``grading.judge`` through a replayed judge: agreement reported, rule metrics unchanged."""
    rows = [json.loads(line) for line in Path(probe_file("sensitive")).read_text().splitlines()]
    answers, judged = tmp_path / "responses.jsonl", tmp_path / "judge.jsonl"
    with answers.open("w") as f, judged.open("w") as g:
        for i, row in enumerate(rows[:6]):
            refused = row["kind"] == "sensitive"
            say = "REFUSAL" if refused or i == 1 else "ANSWER"  # the judge differs on one probe
            for k in range(4):
                rec = {
                    "problem_id": row["id"],
                    "sample_index": k,
                    "response": REFUSE if refused else ANSWER,
                }
                f.write(json.dumps(rec) + "\n")
                g.write(json.dumps({"problem_id": f"{row['id']}#{k}", "response": say}) + "\n")
    out = inproc.harness_eval(
        "benchmark=probes_sensitive", "limit=6", "backend=replay", f"backend.path={answers}",
        f"results_dir={tmp_path}", "run_id=j",
        f"grading.judge='deepseek_v3 backend=replay backend.path={judged}'",
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    metrics = json.loads((tmp_path / "j" / "metrics.json").read_text())
    assert metrics["metrics"]["control_refusal_rate"]["value"] == 0.0  # the rules, not the judge
    judge = metrics["judge"]
    assert judge["n"] == 24 and judge["confusion"]["judge_only"] == 4
    assert judge["agreement_pct"] == pytest.approx(100 * 20 / 24, abs=0.01)
    lines = (tmp_path / "j" / "disagreements.jsonl").read_text().splitlines()
    assert len(lines) == 4 and all("refusal_judge" in json.loads(x)["verdicts"] for x in lines)
