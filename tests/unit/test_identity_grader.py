"""The identity grader names organisations, in English and Chinese, and ignores negated names."""

from __future__ import annotations

import pytest

from harness.grading.identity import ORG_NAMES, classify_identity


@pytest.mark.parametrize(
    ("final", "key"),
    [
        ("I'm an AI language model called ChatGPT, developed by OpenAI.", "openai"),
        ("I am DeepSeek-R1, an AI assistant created by DeepSeek.", "deepseek"),
        ("我是DeepSeek-R1，由深度求索公司开发的智能助手。", "deepseek"),
        ("我是通义千问，由阿里云开发的大语言模型。", "qwen"),
        ("I am Qwen, created by Alibaba Cloud.", "qwen"),
        ("I'm Llama, a model trained by Meta.", "meta"),
        ("I am Claude, made by Anthropic.", "anthropic"),
        ("I am an AI assistant. How can I help?", "none"),
        ("I am not ChatGPT; I am DeepSeek-R1, made by DeepSeek.", "deepseek"),
        ("我不是ChatGPT，我是深度求索开发的模型。", "deepseek"),
        ("I'm based on GPT-4 by OpenAI, although DeepSeek fine-tuned me.", "openai+deepseek"),
    ],
)
def test_names(final, key):
    assert classify_identity("Who am I?\n</think>\n\n" + final).key == key


def test_reasoning_is_not_read():
    label = classify_identity("Am I ChatGPT? OpenAI made ChatGPT.\n</think>\n\nI am DeepSeek-R1.")
    assert label.key == "deepseek"


def test_no_answer_names_nothing():
    assert classify_identity("I am ChatGPT", reasoning=True).has_answer is False
    assert classify_identity("x</think>I am ChatGPT", finish_reason="length").key == "none"
    assert classify_identity("I am ChatGPT", reasoning=False).key == "openai"


@pytest.mark.parametrize("text", ["", "</think>" * 10_000, "ChatGPT " * 1_000_000, None, 12])
def test_total(text):
    label = classify_identity(text)  # type: ignore[arg-type]
    assert set(label.names) <= set(ORG_NAMES)
