"""Run the optional judge model (``grading.judge``) over a probe run's responses.

``grading.judge`` holds Hydra overrides that compose the judge's own run config: a model config
name alone (``grading.judge=gpt_4o_0513``) or with its backend and settings
(``grading.judge='gpt_4o_0513 backend=openai_api'``, ``'deepseek_v3 backend=replay
backend.path=judge.jsonl'``). The judge is sent one greedy request per response, with the judge
prompt as the user turn (``harness.grading.judge``), through any backend.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from omegaconf import DictConfig

from harness.grading.judge import agreement, judge_prompt, judge_verdict
from harness.types import GradedSample, Problem

JUDGE_SAMPLING = ["sampling=greedy", "sampling.max_new_tokens=2048"]  # one deterministic reply


def judge_overrides(spec: str) -> list[str]:
    """``"gpt_4o_0513 backend=openai_api"`` → ``["sampling=greedy", …, "model=gpt_4o_0513", …]``."""
    words = shlex.split(spec)
    return JUDGE_SAMPLING + [w if "=" in w else f"model={w}" for w in words]


def judge_config(spec: str) -> DictConfig:
    """The judge's composed run config (inside ``harness-eval`` through its running Hydra)."""
    from hydra import compose
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        return compose(config_name="config", overrides=judge_overrides(spec))
    from harness.cli.compose import compose_config

    return compose_config(judge_overrides(spec))


def run_judge(
    spec: str, problems: Sequence[Problem], graded: Sequence[GradedSample], *, reasoning: bool
) -> tuple[list[GradedSample], dict[str, Any]]:
    """Judge every response; return the samples with the judge's verdict appended, and agreement.

    Args:
        spec: ``grading.judge``.
        problems: The probe run's problems.
        graded: Its samples, rule-based verdict first (kept first: metrics read only it).
        reasoning: Whether the probed model reasons in ``<think>``.
    """
    from harness.backends.base import build_backend

    cfg = judge_config(spec)
    question = {p.id: p.question for p in problems}
    asks = [
        Problem(
            id=f"{s.completion.problem_id}#{s.completion.sample_index}",
            question=judge_prompt(
                question[s.completion.problem_id], s.completion.response, reasoning=reasoning
            ),
            gold="judge",
            answer_type="refusal",  # sent bare: the judge prompt is the whole user turn
        )
        for s in graded
    ]
    got = build_backend(cfg).generate(asks, all_ids={a.id for a in asks}, n=1).completions
    by_id = {c.problem_id: c.response for c in got}
    judge_reasoning = bool(cfg.model.reasoning)
    out, said = [], []
    for s, a in zip(graded, asks, strict=True):
        v = judge_verdict(by_id.get(a.id, ""), reasoning=judge_reasoning)
        said.append(None if v.extracted is None else v.correct)
        out.append(replace(s, verdicts=(*s.verdicts, v)))
    info = agreement([s.verdicts[0].correct for s in graded], said)
    info["judge"] = spec
    info["model"] = str(cfg.model.name)
    info["note"] = "the rule-based classifier stays primary; the judge is reported, not used"
    return out, info
