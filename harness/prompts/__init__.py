r"""The prompt stage: what the model is sent for one problem, byte for byte.

DeepSeek-R1 README, "Usage Recommendations" (docs/protocol.md §1):

* no system prompt: everything goes in the one user turn;
* the user turn is the problem, a newline, then the instruction of its answer type
  (``MATH_INSTRUCTION`` for math/integer answers, ``GPQA_INSTRUCTION`` for multiple choice);
* the model's own chat template renders it (``apply_chat_template(..., add_generation_prompt=True,
  tokenize=False)``), so the tokenizer revision is part of the prompt;
* reasoning models: the response is forced to begin with ``"<think>\n"``. The distills' hub
  template gained that suffix around 2025-02-09; a prompt already ending with it is left as it is,
  so it is never doubled. Non-reasoning models get no forcing.

What is stored: ``Completion.prompt`` is the exact text sent, forced ``"<think>\n"`` included;
``Completion.response`` is only what the model generated, so for a reasoning model it starts
inside the reasoning (no leading ``"<think>\n"``). Prompt + response is the full sequence. The
graders read the text after the last ``"</think>"``, so the forced prefix never changes a grade.
"""

from __future__ import annotations

from typing import Any

from harness.data.prompts import GPQA_INSTRUCTION, MATH_INSTRUCTION
from harness.types import Problem

THINK_PREFIX = "<think>\n"
"""What a reasoning model's response is forced to begin with."""


BARE_ANSWER_TYPES = ("refusal", "identity")
"""Behaviour probes: the question is sent alone, as a user would type it (no instruction)."""


def instruction_for(answer_type: str) -> str:
    """The instruction appended to a problem of this answer type ("" for behaviour probes)."""
    if answer_type in BARE_ANSWER_TYPES:
        return ""
    return GPQA_INSTRUCTION if answer_type == "choice" else MATH_INSTRUCTION


def user_message(problem: Problem) -> str:
    """The single user turn: the problem, a newline, the instruction (probes: the question)."""
    instruction = instruction_for(problem.answer_type)
    return f"{problem.question}\n{instruction}" if instruction else problem.question


def messages(problem: Problem) -> list[dict[str, str]]:
    """The chat messages for a chat API: one user turn, no system prompt."""
    return [{"role": "user", "content": user_message(problem)}]


def force_think(text: str) -> str:
    """Append ``THINK_PREFIX`` unless the rendered prompt already ends with it."""
    return text if text.endswith(THINK_PREFIX) else text + THINK_PREFIX


class PromptError(ValueError):
    """The tokenizer cannot render the prompt the protocol needs."""


def build_prompt(tokenizer: Any, problem: Problem, *, reasoning: bool) -> str:
    r"""The exact prompt text for one problem.

    Args:
        tokenizer: A Hugging Face tokenizer with a chat template (the model's own).
        problem: The problem.
        reasoning: Force the response to begin with ``"<think>\n"`` (R1-style models).

    Returns:
        The rendered chat prompt, generation prompt included.

    Raises:
        PromptError: The tokenizer has no chat template (a base model): the R1 protocol needs one.
    """
    if not getattr(tokenizer, "chat_template", None):
        name = getattr(tokenizer, "name_or_path", "the tokenizer")
        raise PromptError(
            f"{name} has no chat template; the R1 protocol sends a chat turn. Use the model's "
            "instruct/chat tokenizer (model.tokenizer_revision) or a model that has one"
        )
    text = tokenizer.apply_chat_template(
        messages(problem), add_generation_prompt=True, tokenize=False
    )
    return force_think(text) if reasoning else text


__all__ = [
    "THINK_PREFIX",
    "PromptError",
    "build_prompt",
    "force_think",
    "instruction_for",
    "messages",
    "user_message",
]
