"""Tokenizer-only steps of the vLLM backend: load the tokenizer, build and measure the prompts.

Nothing here loads weights, so a run can be refused (context too short) in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.backends.vllm.sampling import VllmConfigError
from harness.types import Problem

HF_HINT = "pip install 'r1-harness[vllm]'"


def _transformers() -> Any:
    try:
        import transformers
    except ImportError as exc:
        raise VllmConfigError(
            f"backend=vllm needs transformers ({exc}); install it with {HF_HINT}"
        ) from None
    return transformers


def model_source(model: Any) -> str:
    """Where the weights are: ``model.path`` (a local copy) when set, else ``model.hub_id``."""
    return str(getattr(model, "path", None) or model.hub_id)


def revisions(model: Any) -> tuple[str | None, str | None]:
    """``(weights revision, tokenizer revision)``; none for a local ``model.path``."""
    if getattr(model, "path", None):
        return None, None
    return model.revision, model.tokenizer_revision or model.revision


def load_tokenizer(model: Any) -> Any:
    """The model's tokenizer at its pinned tokenizer revision (a local directory works too)."""
    transformers = _transformers()
    return transformers.AutoTokenizer.from_pretrained(
        model_source(model), revision=revisions(model)[1]
    )


def model_context_length(model: Any) -> int:
    """The context length vLLM would take by default: the model config's, else ours."""
    transformers = _transformers()
    try:
        config = transformers.AutoConfig.from_pretrained(
            model_source(model), revision=revisions(model)[0]
        )
        length = getattr(config, "max_position_embeddings", None)
    except OSError:
        length = None
    length = length or model.context_length
    if not length:
        raise VllmConfigError(
            f"cannot tell the context length of {model.hub_id}: set backend.max_model_len"
        )
    return int(length)


def build_prompts(
    tokenizer: Any, problems: Sequence[Problem], benchmark: Any, *, reasoning: bool
) -> dict[str, str]:
    """The exact prompt text of every problem, from the shared prompt stage (``harness.prompts``).

    Returns:
        ``{problem id: prompt text}`` with the chat template applied and, for reasoning models,
        the response forced to begin inside ``<think>``.
    """
    from harness.prompts import build_prompt

    return {p.id: build_prompt(tokenizer, p, reasoning=reasoning) for p in problems}
