"""Budget curves: pass@1 at token budgets B from one run's logged samples, with no new generation.

Method. A sample that generated more than B tokens is cut to its first B tokens with the run's
own tokenizer and graded again, under the run's grading rule, with finish reason ``length``:
what a run with ``max_new_tokens=B`` would have returned. Under the R1 rule
(``harness.grading.extract.response_status``) a response cut by the token limit has no final
answer, so it is wrong and votes for nothing. A sample that ended within B tokens is unchanged;
one whose end-of-sequence token is its B-th token ended by itself (vLLM's ``check_stop`` and the
harness's HF decode both test EOS before the length limit).

Which samples are cut is decided from the token counts the backend recorded
(``n_generated_tokens``, EOS included), never from re-tokenized text, so the curve is exact
wherever the counts are. The cut text comes from re-encoding the response; where that does not
give back the recorded count, the sample is counted in ``retokenized_mismatches``.

Exactness (tests/integration/test_budget_exact_*.py): under greedy decoding a run at B yields
the first B tokens of a longer run, so the curve at B equals an actual run at B, sample for
sample ("as if generated at B"). The same holds for vLLM's per-request seeded sampling. Other
sampled runs (the HF path, APIs) draw their random numbers per batch or not reproducibly, so
their curve is "as if truncated".

Each point also splits its truncated samples by what the text was doing at the cut:
``cut_while_looping`` (the text up to the cut ends in an exact repetition,
``harness.grading.flags.loop_period``) and ``cut_while_reasoning`` (the rest). A higher budget
rescues the second kind, rarely the first. Without the tokenizer the cut texts are unknown, and
both are null at the points that cut a sample.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from harness.grading.flags import is_looping
from harness.grading.graders import grade
from harness.metrics.matrix import SampleMatrix, sample_matrix
from harness.metrics.summary import summarize
from harness.metrics.vote import NO_ANSWER
from harness.types import Completion, GradedSample, Problem, Verdict

# Issue 12: 1k … 32k tokens; 32,768 is the R1 paper's maximum generation length (§3).
DEFAULT_BUDGETS = (1024, 2048, 4096, 8192, 16384, 32768)

AS_GENERATED = "as if generated at B"
AS_TRUNCATED = "as if truncated"


@dataclass(frozen=True)
class AtBudget:
    """The sample matrix of a run as it would be at one budget.

    Attributes:
        budget: B, in generated tokens.
        correct: Primary grader's verdicts at B.
        groups: Vote groups at B (-1 where a cut response has no answer).
        truncated: Cut at B, or already truncated by the run.
        n_cut: Samples cut by this budget (not counting those the run itself truncated).
        looping: Of the truncated ones, those whose text at the cut ends in a loop
            (``harness.grading.flags``); None when a cut text is unknown (no tokenizer).
    """

    budget: int
    correct: np.ndarray
    groups: np.ndarray
    truncated: np.ndarray
    n_cut: int
    looping: np.ndarray | None = None


def budgets_for(requested: Sequence[int], max_new_tokens: int) -> list[int]:
    """The requested budgets below ``max_new_tokens``, then ``max_new_tokens`` itself.

    A budget above the run's own limit is left out: nothing past it was generated.
    """
    below = sorted({int(b) for b in requested if 0 < int(b) < max_new_tokens})
    return [*below, int(max_new_tokens)]


def ended_by_eos(c: Completion) -> bool:
    """The sample stopped by itself; its token count then includes the EOS token."""
    return c.finish_reason == "stop"


def cut_completion(
    c: Completion, budget: int, tokenizer: Any | None, ids: Sequence[int] | None = None
) -> Completion:
    """The completion as a run with ``max_new_tokens=budget`` would have returned it.

    Args:
        c: A logged completion with ``n_generated_tokens``.
        budget: B.
        tokenizer: The run's tokenizer (Hugging Face); None leaves the cut text empty.
        ids: ``tokenizer.encode(c.response, add_special_tokens=False)`` when already computed.

    Returns:
        ``c`` itself when it used at most B tokens, else its first B tokens as text with
        ``finish_reason="length"`` and ``n_generated_tokens=B``.

    Raises:
        ValueError: The completion carries no token count.
    """
    if c.n_generated_tokens is None:
        raise ValueError(f"{c.problem_id}#{c.sample_index} has no n_generated_tokens")
    if c.n_generated_tokens <= budget:
        return c
    text = ""
    if tokenizer is not None:
        if ids is None:
            ids = tokenizer.encode(c.response, add_special_tokens=False)
        text = tokenizer.decode(ids[:budget], skip_special_tokens=False)
    return replace(c, response=text, finish_reason="length", n_generated_tokens=budget)


def retokenizes_exactly(c: Completion, tokenizer: Any) -> bool:
    """Re-encoding the response gives back the recorded count (EOS excluded)."""
    n = len(tokenizer.encode(c.response, add_special_tokens=False))
    return n == (c.n_generated_tokens or 0) - int(ended_by_eos(c))


Regrade = Callable[[Completion, Problem], Verdict]


def regrader(*, reasoning: bool, timeout_s: float) -> Regrade:
    """Grade a cut completion with the run's graders (primary verdict), in-process and total."""

    def run(c: Completion, problem: Problem) -> Verdict:
        return grade(c.response, c.finish_reason, problem, reasoning, timeout_s)[0]

    return run


def at_budgets(
    matrix: SampleMatrix,
    grid: Sequence[Sequence[GradedSample]],
    problems: Sequence[Problem],
    budgets: Sequence[int],
    *,
    tokenizer: Any | None,
    regrade: Regrade,
) -> tuple[list[AtBudget], int]:
    """Cut and re-grade every sample at every budget it exceeds, encoding each response once.

    Returns:
        One ``AtBudget`` per budget, and how many responses do not re-encode to their recorded
        token count (their cut text is then approximate; their verdicts are not).
    """
    arrays = [(matrix.correct.copy(), matrix.groups.copy(), matrix.truncated.copy())
              for _ in budgets]  # fmt: skip
    run_loops = np.array([[is_looping(s.completion.response) for s in row] for row in grid])
    run_loops = run_loops.reshape(matrix.truncated.shape) & matrix.truncated
    loops = [run_loops.copy() for _ in budgets]
    n_cut = [0] * len(budgets)
    mismatches = 0
    for i, row in enumerate(grid):
        for j, s in enumerate(row):
            c = s.completion
            ids = None
            if tokenizer is not None:
                ids = tokenizer.encode(c.response, add_special_tokens=False)
                mismatches += len(ids) != (c.n_generated_tokens or 0) - int(ended_by_eos(c))
            for k, budget in enumerate(budgets):
                cut = cut_completion(c, budget, tokenizer, ids)
                if cut is c:
                    continue
                n_cut[k] += 1
                verdict = regrade(cut, problems[i])
                if verdict.extracted is not None:  # no rule of the harness answers a cut text
                    raise ValueError(
                        f"a response cut at {budget} tokens was given the answer "
                        f"{verdict.extracted!r}; budget curves assume cut responses have none"
                    )
                correct, groups, truncated = arrays[k]
                correct[i, j], groups[i, j], truncated[i, j] = verdict.correct, NO_ANSWER, True
                loops[k][i, j] = is_looping(cut.response)
    known = tokenizer is not None  # without it a cut text is empty: loop unknown
    points = [
        AtBudget(b, *arrays[k], n_cut=n_cut[k], looping=loops[k] if known or not n_cut[k] else None)
        for k, b in enumerate(budgets)
    ]
    return points, mismatches


def _grid(graded: Sequence[GradedSample], ids: Sequence[str]) -> list[list[GradedSample]]:
    by_cell = {(s.completion.problem_id, s.completion.sample_index): s for s in graded}
    n = 1 + max(j for _, j in by_cell)
    return [[by_cell[(pid, j)] for j in range(n)] for pid in ids]


def budget_curve(
    problems: Sequence[Problem],
    graded: Sequence[GradedSample],
    *,
    budgets: Sequence[int],
    max_new_tokens: int,
    tokenizer: Any | None,
    tokenizer_label: str,
    regrade: Regrade,
    exactness: str,
    stats: Any,
) -> dict[str, Any]:
    """``metrics.json["budget_curve"]``: pass@1 (and cons@n) with intervals per budget.

    Intervals are the run's own (percentile bootstrap over problems, same resamples and seed),
    so the point at ``max_new_tokens`` equals the run's pass@1 and truncated share exactly.

    Args:
        problems: The problems of the run, in row order.
        graded: Its graded samples.
        budgets: Requested budgets (``analysis.budgets``).
        max_new_tokens: The run's limit; the last point.
        tokenizer: The run's tokenizer, or None (cut texts are then empty; the verdicts of cut
            responses do not depend on their text under the R1 rule, so the curve stays exact).
        tokenizer_label: Where the tokenizer came from, or why there is none.
        regrade: Grades a cut completion (``regrader``).
        exactness: ``AS_GENERATED`` or ``AS_TRUNCATED``.
        stats: ``cfg.stats`` (bootstrap resamples, seed, confidence).

    Returns:
        The curve, or ``{"refused": reason}`` when the samples carry no token counts.
    """
    ids = [p.id for p in problems]
    matrix = sample_matrix(graded, ids)
    if matrix.length_unit != "tokens":
        return {
            "refused": "the samples carry no generated-token counts (a replay of logs without "
            "n_generated_tokens); a curve in tokens would have to re-tokenize text whose "
            "tokenization is unknown, so none is given",
            "unit": None,
        }
    grid = _grid(graded, ids)
    n = matrix.correct.shape[1]
    cuts, mismatches = at_budgets(
        matrix, grid, problems, budgets_for(budgets, max_new_tokens),
        tokenizer=tokenizer, regrade=regrade,
    )  # fmt: skip
    points = []
    for at in cuts:
        b = at.budget
        summary = summarize(
            at.correct,
            at.groups,
            truncated=at.truncated,
            resamples=stats.bootstrap_resamples,
            seed=stats.bootstrap_seed,
            confidence=stats.confidence,
        )
        point: dict[str, Any] = {"budget": b}
        for name in ("pass@1", f"cons@{n}") if n > 1 else ("pass@1",):
            entry = summary["metrics"][name]
            point[name] = {"value": entry["value"], "ci95": entry["ci95"]}
        point["truncated_pct"] = summary["truncated_pct"]
        point["cut_samples"] = at.n_cut
        # Truncated at B, split by what the text was doing at the cut (None: no tokenizer).
        looping = None if at.looping is None else int(at.looping.sum())
        point["cut_while_looping"] = looping
        point["cut_while_reasoning"] = (
            None if looping is None else int(at.truncated.sum()) - looping
        )
        points.append(point)
    return {
        "unit": "tokens",
        "tokenizer": tokenizer_label,
        "exactness": exactness,
        "max_new_tokens": int(max_new_tokens),
        "estimator": "pass@1 of the samples cut at B and re-graded; 95 % percentile bootstrap "
        "over problems with the run's resamples and seed",
        "retokenized_mismatches": mismatches,
        "points": points,
    }
