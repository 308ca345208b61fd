"""The pure parts of the vLLM and API backends: the sampling mappings, seeds, the context check,
retries and the errors that name the fix. Fast; no vLLM, torch or openai needed."""

from __future__ import annotations

import pytest

from harness.backends.api.request import chat_request_kwargs, is_retryable, with_retries
from harness.backends.vllm.sampling import (
    VllmConfigError,
    check_context,
    sample_seed,
    sampling_params_kwargs,
)
from tests.conftest import compose

R1 = {"temperature": 0.6, "top_p": 0.95, "max_new_tokens": 32768}


def test_vllm_mapping_states_every_knob():
    kw = sampling_params_kwargs(R1, n=4, seed=11)
    assert kw["max_tokens"] == 32768  # never vLLM's default of 16
    assert (kw["temperature"], kw["top_p"], kw["n"], kw["seed"]) == (0.6, 0.95, 4, 11)
    assert kw["stop"] == [] and kw["ignore_eos"] is False
    assert kw["skip_special_tokens"] is False  # </think> survives decoding
    assert (kw["top_k"], kw["min_p"], kw["repetition_penalty"]) == (-1, 0.0, 1.0)


def test_vllm_mapping_from_composed_configs():
    cfg = compose(["backend=vllm", "sampling=greedy", "sampling.max_new_tokens=100"])
    kw = sampling_params_kwargs(cfg.sampling, n=1, seed=0)
    assert (kw["temperature"], kw["max_tokens"]) == (0.0, 100)
    assert cfg.backend.max_model_len is None and cfg.backend.tensor_parallel_size is None


def test_seeds_are_distinct_and_match_vllm_child_seeds():
    seeds = {sample_seed(r, p, s) for r in range(3) for p in range(50) for s in range(64)}
    assert len(seeds) == 3 * 50 * 64
    # vLLM gives child i of an n-request seed + i: the full request equals per-sample requests.
    assert sample_seed(5, 7, 0) + 3 == sample_seed(5, 7, 3)
    assert max(seeds) < 2**63
    with pytest.raises(VllmConfigError, match="samples per problem"):
        sample_seed(0, 0, 2**16)


def test_context_check_names_the_fix():
    check_context({"a": 100}, max_new_tokens=32768, max_model_len=32868, source="x")
    with pytest.raises(VllmConfigError) as info:
        check_context(
            {"a": 100, "b": 250}, max_new_tokens=32768, max_model_len=32768, source="config"
        )
    msg = str(info.value)
    assert "backend.max_model_len=33018" in msg and "'b'" in msg and "Nothing was loaded" in msg


def test_api_mapping_per_provider():
    kw, over = chat_request_kwargs(R1, {"provider": "openai_compatible"}, seed=9)
    assert kw == {"n": 1, "seed": 9, "temperature": 0.6, "top_p": 0.95, "max_tokens": 32768}
    assert over == {}
    kw, over = chat_request_kwargs(R1, {"provider": "openai", "fixed_temperature": 1.0}, seed=1)
    assert kw["temperature"] == 1.0 and "top_p" not in kw and kw["max_completion_tokens"] == 32768
    assert "temperature" in over
    _, over = chat_request_kwargs(
        R1, {"provider": "deepseek", "ignores_sampling_params": True}, seed=1
    )
    assert "sampling" in over


class Status(Exception):
    def __init__(self, code: int, retry_after: str | None = None):
        super().__init__(f"HTTP {code}")
        self.status_code = code
        self.response = type(
            "R", (), {"headers": {"retry-after": retry_after} if retry_after else {}}
        )()


def test_retries_on_429_and_5xx_with_backoff_not_on_4xx():
    assert is_retryable(Status(429)) and is_retryable(Status(503)) and is_retryable(Status(408))
    assert not is_retryable(Status(400)) and not is_retryable(Status(401))
    calls, waits = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise Status(429 if len(calls) == 1 else 500, retry_after="7")
        return "ok"

    assert with_retries(flaky, retries=5, backoff_s=1.0, sleep=waits.append) == "ok"
    assert len(calls) == 3 and len(waits) == 2 and all(w >= 7 for w in waits)  # Retry-After
    with pytest.raises(Status):
        with_retries(
            lambda: (_ for _ in ()).throw(Status(401)), retries=5, backoff_s=1, sleep=waits.append
        )
    assert len(waits) == 2  # a 401 is not retried
    spent = []
    with pytest.raises(Status):
        with_retries(
            lambda: (_ for _ in ()).throw(Status(502)), retries=2, backoff_s=1, sleep=spent.append
        )
    assert len(spent) == 2  # retries are bounded


def test_api_backend_names_the_missing_key_variable(monkeypatch):
    from hydra.utils import instantiate

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    cfg = compose(["backend=openai_api", "model=gpt_4o_0513", "limit=1"])
    backend = instantiate(
        cfg.backend, model=cfg.model, sampling=cfg.sampling, benchmark=cfg.benchmark
    )
    from harness.types import Problem

    with pytest.raises(Exception, match="OPENAI_API_KEY"):
        backend.generate([Problem("p", "What is 1+1?", "2", "math")], all_ids={"p"}, n=1)
    assert "OPENAI_API_KEY" not in str(backend.provenance().get("request"))


def test_vllm_missing_names_the_extra(monkeypatch):
    import builtins

    from harness.backends.vllm import runtime as vllm_runtime

    real = builtins.__import__

    def no_vllm(name, *args, **kwargs):
        if name == "vllm":
            raise ImportError("No module named 'vllm'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_vllm)
    with pytest.raises(VllmConfigError, match=r"r1-harness\[vllm\]"):
        vllm_runtime.import_vllm()


def test_nothing_loads_when_every_sample_is_done():
    from harness.backends.vllm.backend import VllmBackend
    from harness.types import Completion, Problem

    cfg = compose(["backend=vllm", "sampling.n=2"])
    backend = VllmBackend(cfg.model, cfg.sampling, cfg.benchmark)
    problems = [Problem("a", "q", "1", "math"), Problem("b", "q", "2", "math")]
    done = {(p.id, s): Completion(p.id, s, "x", "stop") for p in problems for s in range(2)}
    out = backend.generate(problems, all_ids={"a", "b"}, n=2, done=done)
    assert [c.problem_id for c in out.completions] == ["a", "a", "b", "b"]
