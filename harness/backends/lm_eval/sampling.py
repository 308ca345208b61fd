"""The one mapping from the harness's sampling config to lm-eval generation kwargs.

lm-eval model classes read a ``gen_kwargs`` dict per request (``generate_until``). Every key the
R1 protocol fixes is set here explicitly, so no engine default leaks in:

* ``max_gen_toks`` = ``sampling.max_new_tokens`` (lm-eval's own default is 256);
* ``until: []``: no task stop string may fire inside the reasoning (lm-eval adds only EOS);
* ``do_sample`` / ``temperature`` / ``top_p`` from the config; temperature 0 means greedy;
* HF ``generate`` samples with ``top_k=50`` unless told otherwise, and the R1 protocol has no
  top-k: ``top_k=0`` disables it (vLLM: ``top_k=-1``; APIs: not sent);
* vLLM decodes with ``skip_special_tokens=True`` by default, which drops a special ``</think>``:
  ``skip_special_tokens=False`` keeps it (the HF path keeps it in ``lm_eval.hf``);
* API models: lm-eval sends the same ``seed`` on every request (docs/packages.md §3), so n
  samples of one prompt can come back identical; each sample gets its own seed here.
"""

from __future__ import annotations

from typing import Any

HF_TYPES = frozenset({"hf", "hf-auto", "huggingface"})
VLLM_TYPES = frozenset({"vllm"})


def is_chat_api(model_type: str) -> bool:
    """Whether the model type takes chat messages (the server applies the template)."""
    return "chat" in model_type


def is_api(model_type: str) -> bool:
    """Whether the model type talks to a remote endpoint."""
    return "completions" in model_type or model_type in {"openai", "anthropic", "textsynth"}


def sample_seed(seed: int, problem_index: int, sample_index: int) -> int:
    """Seed of one sample (APIs): distinct per (problem, sample), fixed by ``sampling.seed``."""
    return seed * 2**32 + problem_index * 2**16 + sample_index


def gen_kwargs(sampling: Any, model_type: str, *, seed: int | None = None) -> dict[str, Any]:
    """lm-eval ``gen_kwargs`` for one request under ``sampling``.

    Args:
        sampling: The run's sampling node (temperature, top_p, max_new_tokens).
        model_type: lm-eval model name (``hf``, ``vllm``, ``local-chat-completions``, ...).
        seed: Per-request seed; only sent to API models (see the module docstring).

    Returns:
        The kwargs dict passed as the second argument of every request.
    """
    greedy = float(sampling.temperature) == 0.0
    kwargs: dict[str, Any] = {
        "until": [],
        "max_gen_toks": int(sampling.max_new_tokens),
        "do_sample": not greedy,
        "temperature": 0.0 if greedy else float(sampling.temperature),
    }
    if not greedy:
        kwargs["top_p"] = float(sampling.top_p)
    if model_type in HF_TYPES:
        if not greedy:
            kwargs["top_k"] = 0
    elif model_type in VLLM_TYPES:
        kwargs["top_k"] = -1
        kwargs["skip_special_tokens"] = False
        kwargs["spaces_between_special_tokens"] = False
    elif is_api(model_type) and seed is not None:
        kwargs["seed"] = seed
    return kwargs
