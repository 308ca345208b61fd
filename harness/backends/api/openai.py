"""``backend=openai_api``: any OpenAI-compatible chat endpoint (OpenAI, DeepSeek, ``vllm serve``).

- Endpoint and model: ``model.extra.api_base`` (or ``backend.api_base``) and ``model.hub_id``.
- Key: read at start from the environment variable NAMED by ``model.extra.api_key_env``; the
  value is never stored, logged or written (results/ redacts such variables too). A local
  server (``provider: openai_compatible``) may run without one.
- One request per sample, each with its own seed (``api.request.chat_request_kwargs``), at most
  ``concurrency`` in flight; 408/409/429/5xx and lost connections are retried with exponential
  backoff (``retries``, ``backoff_s``); every request has a ``timeout_s``.
- Each finished sample goes to ``sink`` at once, and only missing ``(problem, sample)`` pairs
  are requested, so an interrupted run resumes where it stopped.
- Records per sample: the API's ``finish_reason`` ("stop"/"length"; anything else "unknown") and
  the token counts of ``usage``. The prompt is the chat template's business on the server side:
  the recorded prompt is the user message (DeepSeek R1 protocol: no system prompt).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

from harness.backends.api.reach import check_reachable
from harness.backends.api.request import chat_request_kwargs, sample_seed, with_retries
from harness.backends.base import Generation, Sink, assemble, missing_samples
from harness.errors import HarnessError
from harness.types import Completion, FinishReason, Problem

log = logging.getLogger(__name__)
INSTALL_HINT = "pip install 'r1-harness[api]'"
_FINISH: dict[str | None, FinishReason] = {
    "stop": "stop", "length": "length", "content_filter": "content_filter",
}  # fmt: skip
_KEYLESS_PROVIDERS = {"openai_compatible"}


class ApiError(HarnessError):
    """The endpoint cannot be used as configured, or a request failed for good."""


def _client_class() -> Any:
    try:
        from openai import OpenAI
    except ImportError as exc:
        raise ApiError(
            f"backend=openai_api needs the openai client ({exc}); install it with {INSTALL_HINT}"
        ) from None
    return OpenAI


class OpenAIAPIBackend:
    """Generates through an OpenAI-compatible ``/chat/completions`` endpoint.

    Args:
        model: The run's ``model`` node; ``extra`` holds ``api_base``, ``api_key_env``,
            ``provider`` and provider quirks (``fixed_temperature``, ``ignores_sampling_params``).
        sampling: The run's ``sampling`` node.
        benchmark: The run's ``benchmark`` node.
        api_base: Overrides ``model.extra.api_base``.
        concurrency: Requests in flight at once.
        timeout_s: Per-request timeout.
        retries: Retries per request after the first try.
        backoff_s: First wait before a retry (doubles, with jitter).
        extra_body: Extra JSON fields sent with every request (e.g. vLLM's
            ``skip_special_tokens: false``).
        name: Backend name recorded in results.
    """

    def __init__(
        self,
        model: Any,
        sampling: Any,
        benchmark: Any = None,
        *,
        api_base: str | None = None,
        concurrency: int = 8,
        timeout_s: float = 1800.0,
        retries: int = 6,
        backoff_s: float = 2.0,
        extra_body: Mapping[str, Any] | None = None,
        name: str = "openai_api",
        **context: Any,
    ) -> None:
        self.name = name
        self.model = model
        self.sampling = sampling
        self.benchmark = benchmark
        self.extra = dict(model.extra or {})
        self.api_base = api_base or self.extra.get("api_base")
        if not self.api_base:
            raise ApiError(
                f"model {model.name} names no endpoint: set model.extra.api_base or "
                "backend.api_base"
            )
        self.key_env = self.extra.get("api_key_env")
        self.settings = {
            "concurrency": int(concurrency),
            "timeout_s": float(timeout_s),
            "retries": int(retries),
            "backoff_s": float(backoff_s),
            "extra_body": dict(extra_body or {}),
        }
        self._seen: dict[str, set[str]] = {"model": set(), "system_fingerprint": set()}
        self._overrides: dict[str, str] = {}

    def _api_key(self) -> str:
        value = os.environ.get(self.key_env) if self.key_env else None
        if value:
            return value
        if self.extra.get("provider") in _KEYLESS_PROVIDERS:
            return "EMPTY"  # a local server started without --api-key accepts anything
        raise ApiError(
            f"model {self.model.name} needs an API key in the environment variable "
            f"{self.key_env or '(none named: set model.extra.api_key_env)'}; export it first"
        )

    def generate(
        self,
        problems: Sequence[Problem],
        *,
        all_ids: set[str],
        n: int,
        done: Mapping[tuple[str, int], Completion] | None = None,
        sink: Sink | None = None,
    ) -> Generation:
        """Request every missing sample; return all n per problem (``done`` ones included).

        Raises:
            ApiError: No key, no client, or a request failed after its retries (the samples
                finished before it are already persisted through ``sink``).
        """
        todo = missing_samples(problems, n, done)
        new: dict[tuple[str, int], Completion] = {}
        stats: dict[str, Any] = {"engine": "openai_api"}
        if todo:
            new, stats = self._run(todo, sink)
        return assemble(problems, n, done, new, stats)

    def _run(
        self, todo: list[tuple[int, Problem, int]], sink: Sink | None
    ) -> tuple[dict[tuple[str, int], Completion], dict[str, Any]]:
        from harness.prompts import user_message

        key = self._api_key()  # first: a missing key is named before anything else
        check_reachable(self.api_base)  # a refused connection fails now, not after retries
        client = _client_class()(
            base_url=self.api_base,
            api_key=key,
            timeout=self.settings["timeout_s"],
            max_retries=0,  # retries are ours (with_retries), so they are counted and logged
        )
        retries = [0]

        def on_retry(exc: BaseException, wait_s: float) -> None:
            retries[0] += 1
            log.warning("request failed (%s); retrying in %.1f s", type(exc).__name__, wait_s)

        def one(index: int, problem: Problem, sample: int) -> tuple[Completion, Any]:
            message = user_message(problem)
            kwargs, overrides = chat_request_kwargs(
                self.sampling, self.extra, seed=sample_seed(int(self.sampling.seed), index, sample)
            )
            self._overrides = overrides
            response = with_retries(
                lambda: client.chat.completions.create(
                    model=str(self.model.hub_id),
                    messages=[{"role": "user", "content": message}],
                    extra_body=self.settings["extra_body"] or None,
                    **kwargs,
                ),
                retries=self.settings["retries"],
                backoff_s=self.settings["backoff_s"],
                on_retry=on_retry,
            )
            return _completion(problem, sample, message, response), response

        started = time.perf_counter()
        new: dict[tuple[str, int], Completion] = {}
        usage = {"prompt_tokens": 0, "generated_tokens": 0}
        with ThreadPoolExecutor(max_workers=self.settings["concurrency"]) as pool:
            pending = {pool.submit(one, i, p, s) for i, p, s in todo}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    try:
                        completion, response = future.result()
                    except Exception as exc:
                        for other in pending:
                            other.cancel()
                        raise ApiError(
                            f"{self.api_base}: a request failed after "
                            f"{self.settings['retries']} retries: {type(exc).__name__}: {exc}. "
                            f"{len(new)} samples finished before it are saved; re-run with "
                            "the same run_id to resume"
                        ) from exc
                    new[(completion.problem_id, completion.sample_index)] = completion
                    usage["prompt_tokens"] += completion.n_prompt_tokens or 0
                    usage["generated_tokens"] += completion.n_generated_tokens or 0
                    self._seen["model"].add(str(getattr(response, "model", None)))
                    fingerprint = getattr(response, "system_fingerprint", None)
                    if fingerprint:
                        self._seen["system_fingerprint"].add(str(fingerprint))
                    if sink is not None:
                        sink(completion)
        wall = time.perf_counter() - started
        stats = {
            "engine": "openai_api",
            "requests": len(todo),
            **usage,
            "tokens_per_s": round(usage["generated_tokens"] / wall, 2) if wall > 0 else None,
            "wall_time_s": round(wall, 2),
            "retries": retries[0],
            "peak_accelerator_memory_bytes": None,  # the server's, not ours to see
        }
        return new, stats

    def provenance(self) -> dict[str, Any]:
        """Endpoint, model as served, request settings; the key's variable NAME only."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            client_version = version("openai")
        except PackageNotFoundError:
            client_version = None
        template, _ = chat_request_kwargs(self.sampling, self.extra, seed=0)
        template.pop("seed")
        return {
            "engine": "openai_api",
            "openai_client": client_version,
            "api_base": self.api_base,
            "model": str(self.model.hub_id),
            "provider": self.extra.get("provider"),
            "api_key_env": self.key_env,
            "request": template,
            "seed_scheme": "one request per sample, seed = seed*2**32 + problem*2**16 + sample",
            "protocol_overrides": self._overrides,
            "served_models": sorted(self._seen["model"]),
            "system_fingerprints": sorted(self._seen["system_fingerprint"]),
            **self.settings,
        }


def _completion(problem: Problem, sample: int, message: str, response: Any) -> Completion:
    choice = response.choices[0]
    usage = getattr(response, "usage", None)
    return Completion(
        problem_id=problem.id,
        sample_index=sample,
        response=choice.message.content or "",
        finish_reason=_FINISH.get(choice.finish_reason, "unknown"),
        prompt=message,
        n_prompt_tokens=getattr(usage, "prompt_tokens", None),
        n_generated_tokens=getattr(usage, "completion_tokens", None),
    )
