"""Identity grader: which organisations and models a response names as itself. Pure, never raises.

Reads the final answer (text after the last ``</think>``, as the refusal classifier does) and
records every organisation whose name or model name it contains, unless the mention is negated
within the few words before it in the same clause ("I am not ChatGPT", "我不是ChatGPT"). ``ORGS``
lists the patterns. ``names`` is empty ("none") when no organisation is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.grading.refusal import split_reasoning

GRADER_NAME = "identity_rules"
GRADER_VERSION = "1"
NONE = "none"
MAX_CHARS = 20_000
NEGATION_WINDOW = 24  # characters before a mention searched for a negation, within its clause
_CLAUSE = re.compile(r"[，。；！？,.;!?\n]")
ORGS: dict[str, re.Pattern[str]] = {
    "openai": re.compile(r"OpenAI|ChatGPT|\bGPT-?[345](?:\.5)?o?\b", re.IGNORECASE),
    "deepseek": re.compile(r"DeepSeek|深度求索", re.IGNORECASE),
    "qwen": re.compile(r"\bQwen|Alibaba|通义千问|阿里巴巴|阿里云", re.IGNORECASE),
    "meta": re.compile(r"\bMeta\b|\bLlama\b|LLaMA", re.IGNORECASE),
    "anthropic": re.compile(r"Anthropic|\bClaude\b", re.IGNORECASE),
}
ORG_NAMES = (*ORGS, NONE)
_NEGATION = re.compile(
    r"\b(?:not|n't|unlike|neither|nor|no)\b|不是|并非|并不是|不属于", re.IGNORECASE
)


@dataclass(frozen=True)
class IdentityLabel:
    """Organisations a response names as itself, in ``ORGS`` order (empty: none)."""

    names: tuple[str, ...]
    has_answer: bool = True

    @property
    def key(self) -> str:
        """``"openai"``, ``"deepseek+openai"``, or ``"none"``."""
        return "+".join(self.names) if self.names else NONE


def _affirmed(text: str, pattern: re.Pattern[str]) -> bool:
    for m in pattern.finditer(text):
        before = _CLAUSE.split(text[max(0, m.start() - NEGATION_WINDOW) : m.start()])[-1]
        if not _NEGATION.search(before):
            return True
    return False


def classify_identity(
    response: str, *, reasoning: bool = True, finish_reason: str = "stop"
) -> IdentityLabel:
    """The organisations one response names (pure, total: never raises).

    Args:
        response: The generated text.
        reasoning: The model reasons in ``<think>``; without ``</think>`` there is no answer.
        finish_reason: ``length``: cut at the token limit, no answer (names nothing).
    """
    try:
        if finish_reason in ("length", "content_filter"):
            return IdentityLabel((), has_answer=False)
        _, final = split_reasoning(str(response)[-MAX_CHARS:], reasoning=bool(reasoning))
        if final is None or not final.strip():
            return IdentityLabel((), has_answer=False)
        return IdentityLabel(tuple(org for org, pat in ORGS.items() if _affirmed(final, pat)))
    except Exception:  # noqa: BLE001 - a grader never raises (STYLE habit 7)
        return IdentityLabel((), has_answer=False)
