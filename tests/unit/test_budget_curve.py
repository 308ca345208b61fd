"""Budget curves on hand-built runs: which samples are cut, what the cut text is, the points."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from harness.analysis.budget import (
    AS_GENERATED,
    budget_curve,
    budgets_for,
    cut_completion,
    regrader,
    retokenizes_exactly,
)
from harness.grading.graders import grade
from harness.tracking.trackers import budget_table, flat_metrics
from harness.types import Completion, GradedSample, Problem

STATS = SimpleNamespace(bootstrap_resamples=200, bootstrap_seed=0, confidence=0.95)


def test_budgets_keep_those_below_the_limit_then_the_limit():
    assert budgets_for([1024, 2048, 4096, 8192, 16384, 32768], 32768) == [
        1024, 2048, 4096, 8192, 16384, 32768,
    ]  # fmt: skip
    assert budgets_for([1024, 2048, 4096], 3000) == [1024, 2048, 3000]
    assert budgets_for([4096, 1024, 1024], 64) == [64]


@pytest.fixture(scope="module")
def tok():
    pytest.importorskip("transformers")
    pytest.importorskip("torch")
    from harness.models.tiny import build_tiny_tokenizer

    return build_tiny_tokenizer()


def _c(text: str, n: int, finish: str = "stop") -> Completion:
    return Completion("p", 0, text, finish, n_generated_tokens=n)


def test_cut_keeps_short_responses_and_cuts_long_ones(tok):
    text = "I will work it out.\n</think>\n\n\\boxed{3}"
    ids = tok.encode(text, add_special_tokens=False)
    whole = _c(text, len(ids) + 1)  # + the EOS
    assert retokenizes_exactly(whole, tok)
    assert cut_completion(whole, len(ids) + 1, tok) is whole  # EOS was the last token allowed
    cut = cut_completion(whole, 3, tok)
    assert cut.finish_reason == "length" and cut.n_generated_tokens == 3
    assert cut.response == tok.decode(ids[:3], skip_special_tokens=False)
    assert text.startswith(cut.response)
    cut = cut_completion(whole, len(ids), tok)  # every text token, not the EOS
    assert (cut.response, cut.finish_reason) == (text, "length")  # the EOS never came
    assert cut_completion(whole, 3, None).response == ""
    with pytest.raises(ValueError, match="n_generated_tokens"):
        cut_completion(Completion("p", 0, text), 3, tok)


def test_a_cut_response_has_no_answer_even_with_its_box_written():
    problem = Problem("p", "q", "3", "math")
    verdict = regrader(reasoning=True, timeout_s=5.0)(
        _c("</think> \\boxed{3}", 9, "length"), problem
    )
    assert (verdict.correct, verdict.extracted, verdict.status) == (False, None, "truncated")


def _graded(problems, plan):
    """plan[i][j] = (right, tokens, finish)."""
    out = []
    for p, row in zip(problems, plan, strict=True):
        for j, (right, n, finish) in enumerate(row):
            text = f"<think>\nhm\n</think>\n\\boxed{{{p.gold if right else 0}}}"
            c = Completion(p.id, j, text, finish, n_generated_tokens=n)
            v = grade(text, finish, p, True, 5.0)
            group = None if v[0].extracted is None else int(not v[0].correct)
            out.append(GradedSample(c, v, vote_group=group))
    return out


def test_curve_points_from_known_lengths():
    problems = [Problem(f"p{i}", "q", str(i + 1), "integer") for i in range(4)]
    plan = [
        [(True, 10, "stop"), (True, 50, "stop")],
        [(True, 30, "stop"), (False, 5, "stop")],
        [(False, 64, "length"), (True, 64, "stop")],
        [(True, 20, "stop"), (True, 20, "stop")],
    ]
    graded = _graded(problems, plan)
    curve = budget_curve(
        problems, graded, budgets=[16, 32, 128], max_new_tokens=64, tokenizer=None,
        tokenizer_label="none: test", regrade=regrader(reasoning=True, timeout_s=5.0),
        exactness=AS_GENERATED, stats=STATS,
    )  # fmt: skip
    assert [p["budget"] for p in curve["points"]] == [16, 32, 64]
    right = np.array([[r for r, _, f in row] for row in plan]) & np.array(
        [[f == "stop" for _, _, f in row] for row in plan]
    )
    lengths = np.array([[n for _, n, _ in row] for row in plan])
    for p in curve["points"]:
        ok = right & (lengths <= p["budget"])
        assert p["pass@1"]["value"] == round(100 * ok.mean(), 2)
        cut = (lengths > p["budget"]) | np.array([[f == "length" for *_, f in r] for r in plan])
        assert p["truncated_pct"] == round(100 * cut.mean(), 2)
    assert curve["points"][-1]["cut_samples"] == 0 and curve["points"][0]["cut_samples"] == 6
    flat = flat_metrics({"budget_curve": curve})
    assert flat["budget/64/pass@1"] == curve["points"][-1]["pass@1"]["value"]
    columns, rows = budget_table({"budget_curve": curve})
    assert columns[0] == "budget" and [r[0] for r in rows] == [16, 32, 64]


def test_no_token_counts_is_refused_with_the_reason():
    problems = [Problem("p0", "q", "1", "integer")]
    c = Completion("p0", 0, "</think>\\boxed{1}", "stop")
    graded = [GradedSample(c, grade(c.response, "stop", problems[0], True, 5.0), 0)]
    curve = budget_curve(
        problems, graded, budgets=[16], max_new_tokens=64, tokenizer=None, tokenizer_label="-",
        regrade=regrader(reasoning=True, timeout_s=5.0), exactness=AS_GENERATED, stats=STATS,
    )  # fmt: skip
    assert "no generated-token counts" in curve["refused"] and "points" not in curve
    assert budget_table({"budget_curve": curve}) is None
