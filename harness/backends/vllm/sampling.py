"""The backend-neutral sampling config as vLLM sees it, and the per-sample seeds.

Pure functions with no vLLM import, so the mapping can be read, tested and recorded anywhere.

Seeds. Sample ``s`` of problem ``p`` (0-based position in dataset order) under run seed ``r``
draws from::

    sample_seed(r, p, s) = r * 2**32 + p * 2**16 + s

A full problem is ONE vLLM request, ``SamplingParams(n=n, seed=sample_seed(r, p, 0))``: vLLM
fans an ``n`` request out into ``n`` child requests seeded ``seed + i`` (``vllm/v1/engine/
parallel_sampling.py``), so child ``i`` draws exactly ``sample_seed(r, p, i)``. When a resumed run
misses only some samples of a problem, each missing sample ``s`` is its own ``n=1`` request with
``seed=sample_seed(r, p, s)`` and comes out identical to what the full request would have drawn
(tests/integration/test_vllm_backend.py checks this). Problems and samples are each limited to
65,536, run seeds to 0 ≤ r < 2**30, so no two samples of one run share a seed and every seed fits
in 63 bits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.errors import HarnessError

_SLOT = 2**16  # samples per problem, and problems per run, that the seed layout can address


class VllmConfigError(HarnessError):
    """The vLLM backend's settings cannot serve this run (context too short, bad seed range)."""


def sample_seed(run_seed: int, problem_index: int, sample_index: int) -> int:
    """The seed of one sample (see the module docstring for the layout).

    Raises:
        VllmConfigError: An index or the run seed is outside the addressable range.
    """
    if not 0 <= run_seed < 2**30:
        raise VllmConfigError(f"seed={run_seed}: the vLLM backend needs 0 <= seed < 2**30")
    if not 0 <= problem_index < _SLOT or not 0 <= sample_index < _SLOT:
        raise VllmConfigError(
            f"problem {problem_index}, sample {sample_index}: at most {_SLOT} problems and "
            f"{_SLOT} samples per problem can be seeded distinctly"
        )
    return run_seed * 2**32 + problem_index * _SLOT + sample_index


def sampling_params_kwargs(sampling: Mapping[str, Any], *, n: int, seed: int) -> dict[str, Any]:
    """THE mapping from ``cfg.sampling`` to ``vllm.SamplingParams(**kwargs)``.

    Every knob that changes what is drawn is set here explicitly, so no vLLM default leaks in
    (``max_tokens`` defaults to 16 there) and the model's ``generation_config.json`` cannot
    override the protocol either:

    - ``temperature``, ``top_p``: from the config; temperature 0 is greedy in vLLM.
    - ``max_tokens = sampling.max_new_tokens``.
    - ``n`` samples of one prompt in one request, ``seed`` as ``sample_seed(r, p, 0)``.
    - ``top_k=-1``, ``min_p=0``, no repetition/presence/frequency penalty: plain nucleus sampling
      as in the R1 protocol.
    - ``ignore_eos`` only when ``sampling.ignore_eos`` (benchmarks: fixed output lengths).
    - No ``stop`` strings: a stop string can fire inside the reasoning (docs/protocol.md §2);
      generation ends only at the model's end-of-sequence token(s) or at ``max_tokens``.
    - ``skip_special_tokens=False`` so ``</think>`` survives decoding even where the tokenizer
      marks it special; ``spaces_between_special_tokens=False`` so the text equals
      ``tokenizer.decode(ids)``. The EOS token itself is never part of the text.

    Args:
        sampling: The run's ``sampling`` node (``temperature``, ``top_p``, ``max_new_tokens``).
        n: Samples drawn by this request.
        seed: Seed of the request's first sample.

    Returns:
        Keyword arguments for ``vllm.SamplingParams``.
    """
    return {
        "n": int(n),
        "temperature": float(sampling["temperature"]),
        "top_p": float(sampling["top_p"]),
        "top_k": -1,
        "min_p": 0.0,
        "repetition_penalty": 1.0,
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
        "max_tokens": int(sampling["max_new_tokens"]),
        "seed": int(seed),
        "stop": [],
        "ignore_eos": bool(sampling.get("ignore_eos", False)),  # a benchmark knob, default off
        "skip_special_tokens": False,
        "spaces_between_special_tokens": False,
    }


def check_context(
    prompt_lengths: Mapping[str, int], *, max_new_tokens: int, max_model_len: int, source: str
) -> None:
    """Refuse, before any weights load, a context that cannot hold prompt + max new tokens.

    vLLM would reject such a request only after loading the model (and lm-eval's vLLM path
    silently left-truncates the prompt instead, docs/packages.md §3).

    Args:
        prompt_lengths: Prompt length in tokens per problem id.
        max_new_tokens: ``sampling.max_new_tokens``.
        max_model_len: The engine's context length.
        source: Where ``max_model_len`` came from, for the message.

    Raises:
        VllmConfigError: Naming the longest prompt, the shortfall and the fixes.
    """
    if not prompt_lengths:
        return
    pid, longest = max(prompt_lengths.items(), key=lambda kv: kv[1])
    need = longest + max_new_tokens
    if need > max_model_len:
        raise VllmConfigError(
            f"max_model_len={max_model_len} ({source}) cannot hold the longest prompt "
            f"({longest} tokens, problem {pid!r}) plus sampling.max_new_tokens={max_new_tokens}: "
            f"{need} tokens are needed. Set backend.max_model_len={need} or more (the model must "
            f"support it), or lower sampling.max_new_tokens (which changes the protocol). "
            f"Nothing was loaded."
        )
