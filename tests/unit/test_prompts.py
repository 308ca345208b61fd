"""The exact prompt text: R1 chat template, forced <think>, instructions, no doubling."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("transformers")

from harness.data.prompts import GPQA_INSTRUCTION, MATH_INSTRUCTION
from harness.models.chat_templates import (
    R1_TEMPLATE_POST_FEB_2025,
    R1_TEMPLATE_PRE_FEB_2025,
)
from harness.models.tiny import TinySpec, build_tiny_tokenizer
from harness.prompts import (
    THINK_PREFIX,
    PromptError,
    build_prompt,
    force_think,
    messages,
    user_message,
)
from harness.types import Problem

REAL_TEMPLATE = Path(__file__).resolve().parents[1] / "fixtures" / "r1_distill_chat_template.jinja"
BOS, USER, ASSISTANT = "<｜begin▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>"

MATH = Problem(id="m", question="What is $1+2$?", gold="3", answer_type="math")
AIME = Problem(id="a", question="Find $x$.", gold="25", answer_type="integer")
GPQA = Problem(
    id="g", question="Which?\n\nA) one\nB) two\nC) three\nD) four", gold="B", answer_type="choice"
)


@pytest.fixture(scope="module")
def post_feb():
    return build_tiny_tokenizer(TinySpec(think_in_template=True))


@pytest.fixture(scope="module")
def pre_feb():
    return build_tiny_tokenizer(TinySpec(think_in_template=False))


def test_user_turn_is_problem_newline_instruction():
    assert user_message(MATH) == f"What is $1+2$?\n{MATH_INSTRUCTION}"
    assert user_message(AIME) == f"Find $x$.\n{MATH_INSTRUCTION}"
    assert user_message(GPQA) == f"{GPQA.question}\n{GPQA_INSTRUCTION}"


def test_no_system_prompt():
    assert messages(MATH) == [{"role": "user", "content": user_message(MATH)}]


EXPECTED = f"{BOS}{USER}What is $1+2$?\n{MATH_INSTRUCTION}{ASSISTANT}<think>\n"


def test_post_feb_template_think_not_doubled(post_feb):
    text = build_prompt(post_feb, MATH, reasoning=True)
    assert text == EXPECTED
    assert text.count("<think>") == 1


def test_pre_feb_template_gets_think_forced(pre_feb):
    assert build_prompt(pre_feb, MATH, reasoning=True) == EXPECTED


def test_non_reasoning_model_no_forcing(pre_feb):
    text = build_prompt(pre_feb, MATH, reasoning=False)
    assert text == f"{BOS}{USER}What is $1+2$?\n{MATH_INSTRUCTION}{ASSISTANT}"
    assert "<think>" not in text


def test_gpqa_instruction(post_feb):
    text = build_prompt(post_feb, GPQA, reasoning=True)
    assert text == f"{BOS}{USER}{GPQA.question}\n{GPQA_INSTRUCTION}{ASSISTANT}<think>\n"
    assert MATH_INSTRUCTION not in text


def test_force_think_is_idempotent():
    assert force_think("x") == "x" + THINK_PREFIX
    assert force_think("x" + THINK_PREFIX) == "x" + THINK_PREFIX
    assert force_think(force_think("x")) == "x" + THINK_PREFIX


def test_no_chat_template_is_refused(post_feb):
    bare = build_tiny_tokenizer(TinySpec())
    bare.chat_template = None
    with pytest.raises(PromptError, match="no chat template"):
        build_prompt(bare, MATH, reasoning=True)


@pytest.mark.parametrize("problem", [MATH, GPQA], ids=["math", "gpqa"])
def test_our_templates_match_the_real_distill_template(post_feb, problem):
    real = REAL_TEMPLATE.read_text(encoding="utf-8").rstrip("\n")
    ours_post = build_prompt(post_feb, problem, reasoning=False)
    post_feb.chat_template = real
    try:
        assert (
            post_feb.apply_chat_template(
                messages(problem), add_generation_prompt=True, tokenize=False
            )
            == ours_post
        )
        real_pre = real.replace("<｜Assistant｜><think>\\n", "<｜Assistant｜>")
        assert real_pre != real
        post_feb.chat_template = real_pre
        pre = post_feb.apply_chat_template(
            messages(problem), add_generation_prompt=True, tokenize=False
        )
        post_feb.chat_template = R1_TEMPLATE_PRE_FEB_2025
        assert pre == post_feb.apply_chat_template(
            messages(problem), add_generation_prompt=True, tokenize=False
        )
    finally:
        post_feb.chat_template = R1_TEMPLATE_POST_FEB_2025


def test_assistant_history_drops_reasoning(post_feb):
    convo = [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "<think>\nlong\n</think>\n\nA"},
        {"role": "user", "content": "r"},
    ]
    text = post_feb.apply_chat_template(convo, add_generation_prompt=True, tokenize=False)
    assert text == f"{BOS}{USER}q{ASSISTANT}\n\nA<｜end▁of▁sentence｜>{USER}r{ASSISTANT}<think>\n"
