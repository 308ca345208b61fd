"""Oracle responses: R1-shaped replay files whose true scores are known exactly.

Each problem i gets ``round(rate_i * n)`` correct samples out of n, so pass@1 is known in closed
form. Correct samples box the gold answer after ``</think>``; wrong ones box a wrong answer. Every
reasoning block also boxes a decoy (the other answer), so a grader that reads inside the
reasoning is caught. Used by the tests, the report's verdict tests, the grading speed benchmark,
and the README's demo run.

    python -m harness.data.oracle benchmark=math500 \
        benchmark.source=tests/data/math500_first100.jsonl --n 4 --rate 0.75 --out r.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness.types import Problem

WRONG_MATH = "1234567"  # no MATH-500/GSM8K gold equals this
LETTERS = "ABCD"


def wrong_answer(problem: Problem) -> str:
    """An answer that is certainly not equivalent to the gold one."""
    if problem.answer_type == "choice":
        return LETTERS[(LETTERS.index(problem.gold) + 1) % len(LETTERS)]
    if problem.answer_type == "integer":
        return str(int(problem.gold) + 1)
    return WRONG_MATH


def response_text(problem: Problem, answer: str, decoy: str, *, truncated: bool) -> str:
    """An R1-style response that reasons (boxing a decoy) then boxes ``answer`` after </think>."""
    reasoning = (
        f"<think>\nLet me restate the problem.\n{problem.question}\n"
        f"A first attempt gives \\boxed{{{decoy}}}, but let me check that again carefully.\n"
    )
    if truncated:  # cut by the token limit inside the reasoning: no final answer exists
        return reasoning + "Wait, let me recompute"
    return reasoning + f"</think>\n\nThe final answer is $\\boxed{{{answer}}}$."


def oracle_rows(
    problems: Sequence[Problem],
    *,
    n: int,
    rates: float | Sequence[float],
    seed: int = 0,
    truncated_frac: float = 0.0,
) -> list[dict]:
    """Build replay rows with a known number of correct samples per problem.

    Args:
        problems: The problems to answer.
        n: Samples per problem.
        rates: Share of correct samples, one for all problems or one per problem.
        seed: Seeds which samples are the correct ones and which are truncated.
        truncated_frac: Share of the *wrong* samples that are cut by the token limit.

    Returns:
        Rows in the replay format, with ``"oracle_correct"`` for reference.
    """
    rng = np.random.default_rng(seed)
    per = [float(rates)] * len(problems) if isinstance(rates, int | float) else list(rates)
    if len(per) != len(problems):
        raise ValueError(f"{len(per)} rates for {len(problems)} problems")
    rows = []
    for problem, rate in zip(problems, per, strict=True):
        good = set(rng.permutation(n)[: round(rate * n)].tolist())
        wrong = wrong_answer(problem)
        for j in range(n):
            ok = j in good
            cut = not ok and rng.random() < truncated_frac
            answer, decoy = (problem.gold, wrong) if ok else (wrong, problem.gold)
            rows.append(
                {
                    "problem_id": problem.id,
                    "sample_index": j,
                    "response": response_text(problem, answer, decoy, truncated=cut),
                    "finish_reason": "length" if cut else "stop",
                    "oracle_correct": ok,
                }
            )
    return rows


def write_rows(rows: Sequence[dict], out: Path) -> Path:
    """Write replay rows as JSON Lines."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", errors="backslashreplace") as handle:  # lone surrogates
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Write an oracle replay file for a benchmark config (Hydra overrides select it)."""
    from harness.cli.compose import compose_config
    from harness.data.loader import load_benchmark

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. benchmark=aime24")
    parser.add_argument("--n", type=int, default=4, help="samples per problem")
    parser.add_argument("--rate", type=float, default=0.75, help="share of correct samples")
    parser.add_argument(
        "--spread", type=float, default=0.0, help="per-problem rates drawn in rate ± spread"
    )
    parser.add_argument("--truncated", type=float, default=0.0, help="share of wrong ones cut")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    cfg = compose_config(args.overrides)
    problems, _ = load_benchmark(cfg.benchmark, limit=cfg.limit)
    rng = np.random.default_rng(args.seed)
    rates = np.clip(args.rate + rng.uniform(-args.spread, args.spread, len(problems)), 0.0, 1.0)
    rows = oracle_rows(
        problems, n=args.n, rates=rates.tolist(), seed=args.seed, truncated_frac=args.truncated
    )
    print(f"wrote {len(rows)} rows to {write_rows(rows, args.out)}")


if __name__ == "__main__":
    main()
