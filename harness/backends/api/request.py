"""Pure parts of the OpenAI-compatible backend: the request mapping, seeds and retry policy.

No ``openai`` import at module level, so this reads and tests anywhere.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from harness.backends.vllm.sampling import sample_seed

T = TypeVar("T")

RETRY_STATUS = frozenset({408, 409, 429})  # plus every 5xx
__all__ = ["chat_request_kwargs", "is_retryable", "sample_seed", "with_retries"]


def chat_request_kwargs(
    sampling: Mapping[str, Any], extra: Mapping[str, Any], *, seed: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """THE mapping from ``cfg.sampling`` to ``client.chat.completions.create(**kwargs)``.

    One request per sample (``n`` is always 1): each sample carries its own seed
    (``sample_seed``), which an ``n=`` request cannot do, and several providers (DeepSeek, o1)
    reject ``n`` > 1. No ``stop`` strings (they can fire inside reasoning).

    - ``temperature``, ``top_p`` from the config, except where the model config says the API
      fixes them (``extra.fixed_temperature``: o1 accepts only 1 and no ``top_p``); the override
      is returned so the run records that the protocol was not applied.
    - The token budget: ``max_completion_tokens`` for OpenAI's own API (o1 needs it), otherwise
      ``max_tokens`` (what vLLM and DeepSeek read).
    - ``seed``: per sample. DeepSeek ignores it (``extra.ignores_sampling_params``).

    Args:
        sampling: The run's ``sampling`` node.
        extra: The model config's ``extra`` (``provider``, ``fixed_temperature``).
        seed: This sample's seed.

    Returns:
        The keyword arguments, and ``{setting: why it differs from the protocol}``.
    """
    overrides: dict[str, str] = {}
    kwargs: dict[str, Any] = {"n": 1, "seed": int(seed)}
    fixed = extra.get("fixed_temperature")
    if fixed is not None:
        kwargs["temperature"] = float(fixed)
        if float(fixed) != float(sampling["temperature"]) or float(sampling["top_p"]) != 1.0:
            overrides["temperature"] = (
                f"the API fixes temperature={fixed} and takes no top_p; the protocol asks "
                f"temperature={sampling['temperature']}, top_p={sampling['top_p']}"
            )
    else:
        kwargs["temperature"] = float(sampling["temperature"])
        kwargs["top_p"] = float(sampling["top_p"])
    budget = "max_completion_tokens" if extra.get("provider") == "openai" else "max_tokens"
    kwargs[budget] = int(sampling["max_new_tokens"])
    if extra.get("ignores_sampling_params"):
        overrides["sampling"] = "the provider ignores temperature, top_p and seed"
    return kwargs, overrides


def is_retryable(exc: BaseException) -> bool:
    """Rate limits (429), timeouts (408), conflicts (409), server errors (5xx), lost connections."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status in RETRY_STATUS or status >= 500
    try:
        import openai
    except ImportError:
        return False
    return isinstance(exc, openai.APIConnectionError)  # includes APITimeoutError


def with_retries(
    call: Callable[[], T],
    *,
    retries: int,
    backoff_s: float,
    max_backoff_s: float = 60.0,
    retryable: Callable[[BaseException], bool] = is_retryable,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[BaseException, float], None] | None = None,
) -> T:
    """Call ``call()``; on a retryable error wait and try again, at most ``retries`` more times.

    The wait doubles from ``backoff_s`` up to ``max_backoff_s``, with full jitter, and honours a
    ``Retry-After`` header when the server sends one.

    Raises:
        The last error once retries are spent, or at once when it is not retryable.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:
            if attempt >= retries or not retryable(exc):
                raise
            wait = min(max_backoff_s, backoff_s * 2**attempt) * random.uniform(0.5, 1.0)
            wait = max(wait, _retry_after(exc))
            if on_retry is not None:
                on_retry(exc, wait)
            sleep(wait)
            attempt += 1


def _retry_after(exc: BaseException) -> float:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        return min(float(headers.get("retry-after", 0) or 0), 300.0)
    except (TypeError, ValueError):
        return 0.0
