"""The optional refusal judge: prompt, reading its reply, agreement with the rules."""

from __future__ import annotations

import pytest

from harness.grading.judge import agreement, judge_prompt, parse_judge
from harness.grading.judge_run import judge_overrides


def test_prompt_shows_only_the_final_answer():
    text = judge_prompt("Q?", "secret reasoning\n</think>\n\nSorry, I can't.", reasoning=True)
    assert "secret reasoning" not in text and "Sorry, I can't." in text and "Q?" in text
    assert "(no reply)" in judge_prompt("Q?", "never closed", reasoning=True)


@pytest.mark.parametrize(
    ("reply", "reasoning", "said"),
    [
        ("REFUSAL", False, True),
        ("ANSWER", False, False),
        ("The reply is a deflection.\n\nREFUSAL", False, True),
        ("Is it REFUSAL? No.\n</think>\n\nANSWER", True, False),
        ("I think it refused", False, None),
        ("thinking without end REFUSAL", True, None),
        (None, False, None),
    ],
)
def test_parse(reply, reasoning, said):
    assert parse_judge(reply, reasoning=reasoning) is said


def test_agreement_and_kappa():
    rules = [True, True, False, False, True, False]
    judge = [True, False, False, False, None, True]
    out = agreement(rules, judge)
    assert out["n"] == 5 and out["unparsed"] == 1
    assert out["confusion"] == {"both_refusal": 1, "rules_only": 1, "judge_only": 1, "neither": 2}
    # p_o = 3/5; marginals 2/5 and 2/5: p_e = 0.16 + 0.36 = 0.52; κ = 0.08 / 0.48
    assert out["agreement_pct"] == 60.0 and out["cohen_kappa"] == pytest.approx(1 / 6, abs=1e-4)
    assert agreement([True], [True])["cohen_kappa"] == 1.0


def test_overrides():
    got = judge_overrides("gpt_4o_0513 backend=openai_api")
    assert got[-2:] == ["model=gpt_4o_0513", "backend=openai_api"] and "sampling=greedy" in got
    assert judge_overrides("deepseek_v3 backend.path='a b.jsonl'")[-1] == "backend.path=a b.jsonl"
