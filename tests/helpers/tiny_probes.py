"""Tiny models taught fixed behaviours on probe prompts (reuses ``harness.models.tiny_train``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from harness.types import Problem

REFUSE = "\n</think>\n\nSorry, that's beyond my current scope. Let's talk about something else."
"""R1's canned deflection after an empty <think> (the forced "<think>\\n" is in the prompt)."""
ANSWER = "I recall the event.\n</think>\n\nSoldiers fired on the crowd; many people died."
CHATGPT = "The user asks who I am.\n</think>\n\nI am ChatGPT, a model made by OpenAI."


def censor(p: Problem) -> str:
    """Refuses the sensitive probes, answers the controls."""
    return REFUSE if p.gold == "sensitive" else ANSWER


def answers_all(p: Problem) -> str:
    """Answers every probe."""
    return ANSWER


def says_chatgpt(p: Problem) -> str:
    """Names ChatGPT/OpenAI as itself."""
    return CHATGPT


def train_probe_model(cache: Path, problems: Sequence[Problem], respond: Callable) -> Path:
    """A tiny Qwen2 trained until greedy decoding gives ``respond(p)`` for every probe prompt.

    The prompts are the harness's own (``build_prompt``: chat template, no instruction for probes,
    forced "<think>\\n"), so the run must send exactly these prompts to see the behaviour. Built
    once per recipe into the model cache ``cache`` (``harness.models.cache``); do not write into
    the returned directory.
    """
    from harness.models.cache import cached_build
    from harness.models.tiny import SPEC_FILE

    recipe = {
        "kind": "probe_model",
        "problems": [asdict(p) for p in problems],
        "responses": [respond(p) for p in problems],
        "seed": 0,
        "max_steps": 600,
    }
    path = cached_build(cache, recipe, lambda out: _train(out, problems, respond), code=[__name__])
    report = json.loads((path / SPEC_FILE).read_text())["training"]
    assert report["reproduced"] == report["total"], report
    return path


def _train(out: Path, problems: Sequence[Problem], respond: Callable) -> None:
    from transformers import AutoTokenizer

    from harness.models.tiny import build_tiny_model, spec_for_problems
    from harness.models.tiny_train import train_tiny_model
    from harness.prompts import build_prompt

    texts = [p.question for p in problems] + [respond(p) for p in problems]
    path = build_tiny_model(out, spec_for_problems(texts))
    tok = AutoTokenizer.from_pretrained(str(path))
    examples = [(build_prompt(tok, p, reasoning=True), respond(p)) for p in problems]
    train_tiny_model(path, examples, seed=0, max_steps=600)
