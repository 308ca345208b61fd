"""Looping and missed-answer flags, and the counts beside pass@1, on R1-shaped responses."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from harness.analysis.budget import AS_GENERATED, budget_curve, regrader
from harness.grading.flags import LOOP_SPAN_CHARS, answer_missed, is_looping, loop_period
from harness.grading.graders import grade
from harness.metrics.counts import counts_line, response_counts
from harness.tracking.trackers import flat_metrics
from harness.types import Completion, GradedSample, Problem, Verdict

STATS = SimpleNamespace(bootstrap_resamples=200, bootstrap_seed=0, confidence=0.95)
OPENING = "<think>\nOkay, so I need to find the sum of the roots of x^2 - 5x + 6 = 0. "
UNIT = "Wait, let me double-check that: 2 + 3 = 5, so the sum is 5. "


def reasoning(steps: int) -> str:
    """Genuine long reasoning: restates and re-checks, but every step says something new."""
    return "".join(
        f"Step {i}: try x = {i}: {i}^2 - 5*{i} + 6 = {i * i - 5 * i + 6}. "
        "Wait, let me check that again. Hmm, so that is "
        f"{'a root' if i in (2, 3) else 'not a root'}. "
        for i in range(steps)
    )


def looping_response() -> str:
    return OPENING + reasoning(40) + UNIT * 300  # cut at the token limit mid-loop


def test_a_looping_tail_is_found_with_its_period():
    assert loop_period(looping_response()) == len(UNIT)
    assert loop_period(looping_response()[:-7]) == len(UNIT)  # cut mid-unit: still the loop
    assert is_looping("." * 5000) and loop_period("." * 5000) == 1
    paragraph = reasoning(12)  # a long unit (≈ 1,000 characters) repeated 4 times
    assert loop_period(OPENING + paragraph * 4) == len(paragraph)


def test_genuine_long_reasoning_is_not_a_loop():
    text = OPENING + reasoning(600) + "</think>\nThe sum of the roots is $\\boxed{5}$."
    assert len(text) > 20 * LOOP_SPAN_CHARS and loop_period(text) is None
    assert loop_period(OPENING + reasoning(600)) is None  # cut while still reasoning
    restated = reasoning(30)  # a passage restated twice is a re-check, not a loop
    assert loop_period(OPENING + restated + restated) is None
    assert loop_period(UNIT * 20) is None  # 1,220 characters: too short to have looped to a limit


def test_the_flags_are_total_and_fast():
    assert not is_looping(None)  # type: ignore[arg-type]
    assert not answer_missed(None, Verdict("math_verify", None, False, "no_answer"))  # type: ignore[arg-type]
    huge = reasoning(120_000)  # ≈ 10 MB
    start = time.perf_counter()
    for _ in range(100):
        is_looping(huge)
    assert (time.perf_counter() - start) / 100 < 0.01  # under 10 ms per 10 MB response


NONE = Verdict("math_verify", None, False, "no_answer")


@pytest.mark.parametrize(
    ("response", "missed"),
    [
        ("<think>x</think>\nSo the answer is $\\boxed{\\frac{1}{2}$.", True),  # unbalanced box
        ("<think>x</think>\n**Final Answer**: the answer is one half.", True),
        ("<think>x</think>\nAnswer: one half", True),
        ("<think>The answer is \\boxed{3}?</think>\nI cannot decide.", False),  # inside thinking
        ("<think>x</think>\nI am not sure how to finish this.", False),
    ],
)
def test_an_answer_in_the_final_section_that_was_not_extracted_is_flagged(response, missed):
    assert answer_missed(response, NONE) is missed


def test_missed_is_only_counted_where_the_final_section_was_read():
    text = "<think>x</think>\nThe answer is \\boxed{5}"
    problem = Problem("p", "q", "5", "integer")
    assert not answer_missed(text, grade(text, "stop", problem, True, 5.0)[0])  # extracted
    assert not answer_missed(text, Verdict("math_verify", None, False, "truncated"))
    assert not answer_missed(text, Verdict("math_verify", None, False, "unclosed_think"))
    real = "<think>x</think>\nThe answer is one half."  # in words: the extractor finds nothing
    verdict = grade(real, "stop", Problem("p", "q", "\\frac{1}{2}", "math"), True, 5.0)[0]
    assert verdict.extracted is None and answer_missed(real, verdict)


def _sample(i: int, text: str, finish: str, problem: Problem, tokens: int | None = None):
    c = Completion(problem.id, i, text, finish, n_generated_tokens=tokens)
    return GradedSample(c, grade(text, finish, problem, True, 5.0), 0)


def test_counts_use_one_definition_of_no_answer():
    problem = Problem("p", "q", "5", "integer")
    graded = [
        _sample(0, looping_response(), "length", problem),  # truncated, unclosed, looping
        _sample(1, OPENING + reasoning(50), "length", problem),  # truncated while reasoning
        _sample(2, OPENING + "so it is 5.", "stop", problem),  # stopped, never closed
        _sample(3, OPENING + "</think>\nThe answer is five.", "stop", problem),  # missed
        _sample(4, OPENING + "</think>\n$\\boxed{5}$", "stop", problem),  # answered
    ]
    counts = response_counts(graded, reasoning=True)
    assert {k: v for k, v in counts.items() if k != "definitions"} == {
        "samples": 5,
        "truncated": 2,
        "unclosed_reasoning": 3,
        "no_answer": 4,  # the truncated ones included, as in probe runs
        "answer_missed": 1,
        "looping": 1,
        "looping_truncated": 1,
    }
    assert "includes the truncated" in counts["definitions"]["no_answer"]
    line = counts_line(counts)
    assert line.startswith("of 5 samples: truncated 2, unclosed reasoning 3, no answer 4")
    assert "answer missed 1" in line and "looping 1 (1 cut)" in line
    flat = flat_metrics({"responses": counts})
    assert flat["responses/looping"] == 1 and flat["responses/no_answer"] == 4


def test_budget_points_tell_cut_while_looping_from_cut_while_reasoning():
    pytest.importorskip("transformers")
    from harness.models.tiny import build_tiny_tokenizer

    tok = build_tiny_tokenizer()
    problems = [Problem("p0", "q", "5", "integer")]
    loop = OPENING + UNIT * 300
    thinking = OPENING + reasoning(200)
    graded = [
        _sample(j, text, "length", problems[0], len(tok.encode(text, add_special_tokens=False)))
        for j, text in enumerate([loop, thinking])
    ]
    limit = max(s.completion.n_generated_tokens for s in graded)
    low = min(s.completion.n_generated_tokens for s in graded) // 2
    curve = budget_curve(
        problems, graded, budgets=[low], max_new_tokens=limit, tokenizer=tok,
        tokenizer_label="tiny", regrade=regrader(reasoning=True, timeout_s=5.0),
        exactness=AS_GENERATED, stats=STATS,
    )  # fmt: skip
    for point in curve["points"]:
        assert (point["cut_while_looping"], point["cut_while_reasoning"]) == (1, 1)
    no_tok = budget_curve(
        problems, graded, budgets=[low], max_new_tokens=limit, tokenizer=None,
        tokenizer_label="none", regrade=regrader(reasoning=True, timeout_s=5.0),
        exactness=AS_GENERATED, stats=STATS,
    )  # fmt: skip
    first, last = no_tok["points"]
    assert first["cut_while_looping"] is None  # the cut texts are unknown without a tokenizer
    assert (last["cut_while_looping"], last["cut_while_reasoning"]) == (1, 1)  # the run's own


def test_probe_runs_count_no_answer_as_math_runs_do():
    from harness.grading.behaviour import grade_behaviour
    from harness.metrics.behaviour import score_behaviour

    problems = [
        Problem(f"identity-en-{i}", "Who are you?", "identity", "identity") for i in range(2)
    ]
    completions = [
        Completion(problems[0].id, 0, "<think>I am</think>\nI am DeepSeek-R1.", "stop"),
        Completion(problems[0].id, 1, OPENING + UNIT * 300, "length"),  # cut while looping
        Completion(problems[1].id, 0, "<think>Let me think</think>\n", "stop"),  # says nothing
        Completion(problems[1].id, 1, "<think>I am</think>\nI am DeepSeek-R1.", "stop"),
    ]
    graded = grade_behaviour(completions, "identity", reasoning=True)
    metrics = score_behaviour(problems, graded, "identity", STATS, reasoning=True)
    r = metrics["responses"]
    assert (r["truncated"], r["unclosed_reasoning"], r["looping"]) == (1, 1, 1)
    assert r["answer_missed"] is None  # math runs only
    assert r["no_answer"] == sum(s.verdicts[0].status != "ok" for s in graded) == 2
    assert metrics["no_answer_pct"] == round(100 * r["no_answer"] / 4, 2)  # truncated included
    assert metrics["truncated_pct"] == 25.0
