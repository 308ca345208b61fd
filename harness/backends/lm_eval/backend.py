r"""``backend=lm_eval``: generate through lm-eval's own model classes, with the harness's prompts.

Any model type lm-eval registers works (``backend.model_type``: ``hf``, ``vllm``,
``local-completions``, ``local-chat-completions``, ``openai-chat-completions``, ...), built with
``backend.model_args`` on top of what the model config implies (``pretrained``/``model``,
``revision``, ``dtype``, ``device``, ``batch_size``). How a run goes:

1. Preflight (``preflight``): find the model (``model.path`` or a cached/reachable hub id; the
   tiny dryrun model is built here) and the device; refuse with what to set otherwise.
2. Work out the missing ``(problem, sample)`` pairs (``done`` holds what an interrupted run
   persisted); nothing missing: nothing is loaded.
3. Build every prompt with ``harness.prompts`` (the model's chat template, ``"<think>\n"``
   forced for reasoning models; chat APIs get the messages instead and the server's template),
   check prompt + ``sampling.max_new_tokens`` fits the model's length (lm-eval would silently
   left-truncate the prompt otherwise).
4. One lm-eval ``Instance`` per sample (never lm-eval ``repeats``, which scores only the first),
   gen kwargs from ``lm_eval.sampling.gen_kwargs``, submitted in chunks of ``chunk_size``; every
   finished chunk goes to ``sink`` at once, so a crash loses at most one chunk.

``Completion.response`` is the generated text only (it starts inside the reasoning for reasoning
models; ``Completion.prompt`` ends with the forced ``"<think>\n"``). Token counts: exact on the
``hf`` path (``lm_eval.hf``); elsewhere the response re-tokenized with the model's tokenizer, and
``finish_reason`` is ``length`` when that count reaches ``max_new_tokens`` (approximate), or
``unknown`` without a tokenizer.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from harness.backends.base import Generation, Sink, assemble, missing_samples
from harness.backends.lm_eval import sampling as mapping
from harness.backends.preflight import PreflightError, check_accelerator, model_location
from harness.prompts import build_prompt, messages
from harness.types import Completion, FinishReason, Problem

log = logging.getLogger(__name__)
INSTALL_HINT = "pip install 'r1-harness[lm_eval,hf]'"
RANDOM_NOTE = "MODEL IS RANDOMLY INITIALISED: scores mean nothing"


def _import_lm_eval() -> Any:
    try:
        import lm_eval.api.registry as registry
        import lm_eval.models  # noqa: F401  (registers the model classes)
    except ImportError as exc:
        raise PreflightError(
            f"backend=lm_eval needs lm-eval ({exc}); install it with {INSTALL_HINT}"
        ) from None
    return registry


class LmEvalBackend:
    """Generates with an lm-eval model class; see the module docstring.

    Args:
        model: The run's ``model`` node.
        sampling: The run's ``sampling`` node.
        benchmark: The run's ``benchmark`` node (unused: prompts come from the problems).
        model_type: lm-eval model name.
        model_args: Extra constructor arguments, overriding the derived ones.
        device: ``cpu``, ``cuda``, ``cuda:N`` or None (CUDA when visible, else CPU); hf only.
        batch_size: Requests per forward batch (hf, vllm) or per API batch.
        chunk_size: Requests per ``generate_until`` call (each finished chunk is persisted).
        name: Backend name recorded in results.
    """

    def __init__(
        self,
        model: Any,
        sampling: Any,
        benchmark: Any = None,
        *,
        model_type: str = "hf",
        model_args: Mapping[str, Any] | None = None,
        device: str | None = None,
        batch_size: int = 8,
        chunk_size: int = 64,
        name: str = "lm_eval",
        **context: Any,
    ) -> None:
        self.name = name
        self.model = model
        self.sampling = sampling
        self.model_type = model_type
        self.user_args = dict(model_args or {})
        self.device = device
        self.batch_size = int(batch_size)
        self.chunk_size = max(1, int(chunk_size))
        self._facts: dict[str, Any] = {"model_type": model_type}

    # -- construction ------------------------------------------------------------------------
    def _model_args(self, location: str) -> dict[str, Any]:
        """Constructor arguments for the lm-eval class (derived, then ``backend.model_args``)."""
        args: dict[str, Any] = {}
        if mapping.is_api(self.model_type):
            args["model"] = location
            args["batch_size"] = self.batch_size
        else:
            args["pretrained"] = location
            args["batch_size"] = self.batch_size
            if getattr(self.model, "revision", None) and not getattr(self.model, "path", None):
                args["revision"] = self.model.revision
            args["dtype"] = str(self.model.dtype)
        if self.model_type in mapping.HF_TYPES:
            args["device"] = check_accelerator(self.name, self.device)
            if args["device"] == "cpu" and args["dtype"] in {"bfloat16", "float16", "auto"}:
                args["dtype"] = "float32"  # CPU matmuls in half precision are slow or missing
        args.update(self.user_args)
        return args

    def load(self) -> Any:
        """Build the lm-eval model instance (also used by ``benchmark=lm_eval_task``)."""
        registry = _import_lm_eval()
        if mapping.is_api(self.model_type):
            location = str(self.model.hub_id)
        else:
            location = model_location(self.model)
        args = self._model_args(location)
        try:
            cls = registry.get_model(self.model_type)
        except ValueError as exc:
            raise PreflightError(f"backend.model_type={self.model_type!r}: {exc}") from None
        self._facts["model_args"] = {k: str(v) for k, v in args.items()}
        return cls(**args)

    # -- generation --------------------------------------------------------------------------
    def generate(
        self,
        problems: Sequence[Problem],
        *,
        all_ids: set[str],
        n: int,
        done: Mapping[tuple[str, int], Completion] | None = None,
        sink: Sink | None = None,
    ) -> Generation:
        """Generate the missing samples of ``problems`` (see the module docstring)."""
        started = time.monotonic()
        todo = missing_samples(problems, n, done)
        notes = [RANDOM_NOTE] if _extra(self.model).get("random_weights") else []
        for note in notes:
            log.warning("%s", note)
            print(note, flush=True)
        new: dict[tuple[str, int], Completion] = {}
        stats: dict[str, Any] = {"notes": notes} if notes else {}
        if todo:
            new, gen_stats = self._generate(todo, sink)
            stats |= gen_stats
        stats["wall_time_s"] = round(time.monotonic() - started, 2)
        return assemble(problems, n, done, new, stats)

    def _generate(
        self, todo: list[tuple[int, Problem, int]], sink: Sink | None
    ) -> tuple[dict[tuple[str, int], Completion], dict[str, Any]]:
        from lm_eval.api.instance import Instance
        from tqdm import tqdm

        load_started = time.monotonic()
        lm = self.load()
        load_s = time.monotonic() - load_started
        tokenizer = getattr(lm, "tokenizer", None)
        recorder = None
        if self.model_type in mapping.HF_TYPES:
            from harness.backends.lm_eval.hf import install

            recorder = install(lm)
        prompts = self._prompts(lm, tokenizer, {p.id: p for _, p, _ in todo}.values())
        prompt_tokens = {pid: _count(tokenizer, text) for pid, (text, _) in prompts.items()}
        self._check_length(lm, prompt_tokens)
        _seed_everything(int(self.sampling.seed))

        max_new = int(self.sampling.max_new_tokens)
        out: dict[tuple[str, int], Completion] = {}
        gen_tokens = prompt_total = 0
        gen_started = time.monotonic()
        bar = tqdm(total=len(todo), desc=f"lm_eval {self.model_type}", unit="sample")
        for start in range(0, len(todo), self.chunk_size):
            chunk = todo[start : start + self.chunk_size]
            requests = [
                Instance(
                    request_type="generate_until",
                    doc={"problem_id": p.id, "sample_index": s},
                    arguments=(
                        prompts[p.id][1],
                        mapping.gen_kwargs(
                            self.sampling,
                            self.model_type,
                            seed=mapping.sample_seed(int(self.sampling.seed), pi, s),
                        ),
                    ),
                    idx=0,
                    metadata=("r1_harness", pi, 1),
                )
                for pi, p, s in chunk
            ]
            texts = lm.generate_until(requests, disable_tqdm=True)
            for (_, p, s), text in zip(chunk, texts, strict=True):
                text = text or ""
                n_gen, finish = finish_info(recorder, tokenizer, text, max_new)
                completion = Completion(
                    problem_id=p.id,
                    sample_index=s,
                    response=text,
                    finish_reason=finish,
                    prompt=prompts[p.id][0],
                    n_prompt_tokens=prompt_tokens[p.id],
                    n_generated_tokens=n_gen,
                )
                out[(p.id, s)] = completion
                gen_tokens += n_gen or 0
                prompt_total += prompt_tokens[p.id] or 0
                if sink is not None:
                    sink(completion)
            bar.update(len(chunk))
        bar.close()
        gen_s = time.monotonic() - gen_started
        return out, {
            "prompt_tokens": prompt_total,
            "generated_tokens": gen_tokens,
            "generation_time_s": round(gen_s, 2),
            "load_time_s": round(load_s, 2),
            "tokens_per_s": round(gen_tokens / gen_s, 1) if gen_s > 0 else None,
            "peak_accelerator_memory_gib": _peak_memory_gib(),
            "token_counts": "exact" if recorder else ("re-tokenized" if tokenizer else "none"),
        }

    def _prompts(self, lm: Any, tokenizer: Any, problems: Any) -> dict[str, tuple[str, Any]]:
        """``{problem id: (text stored as Completion.prompt, what lm-eval is sent)}``."""
        reasoning = bool(self.model.reasoning)
        if mapping.is_chat_api(self.model_type):
            from lm_eval.models.api_models import JsonChatStr

            out = {}
            for p in problems:
                blob = JsonChatStr(_json(messages(p)))
                out[p.id] = (blob.prompt, blob)
            self._facts["prompt"] = "chat messages; the server applies its chat template"
            return out
        if tokenizer is None or not hasattr(tokenizer, "apply_chat_template"):
            raise PreflightError(
                f"backend.model_type={self.model_type} has no Hugging Face tokenizer to apply "
                "the chat template with; set backend.model_args.tokenizer=… (or use a "
                "*-chat-completions model type)"
            )
        template = getattr(tokenizer, "chat_template", None) or ""
        self._facts["chat_template_sha256"] = hashlib.sha256(template.encode()).hexdigest()
        self._facts["prompt"] = "model chat template" + (
            " + forced <think>\\n" if reasoning else ""
        )
        out = {}
        for p in problems:
            text = build_prompt(tokenizer, p, reasoning=reasoning)
            out[p.id] = (text, text)
        return out

    def _check_length(self, lm: Any, prompt_tokens: dict[str, int | None]) -> None:
        limit = getattr(lm, "max_length", None)
        longest = max((t for t in prompt_tokens.values() if t), default=0)
        need = longest + int(self.sampling.max_new_tokens)
        if isinstance(limit, int) and longest and need > limit:
            raise PreflightError(
                f"the longest prompt ({longest} tokens) + sampling.max_new_tokens="
                f"{self.sampling.max_new_tokens} = {need} exceeds the model's length {limit}; "
                "lm-eval would cut the prompt's start. Lower sampling.max_new_tokens or raise "
                "backend.model_args.max_length"
            )

    def provenance(self) -> dict[str, Any]:
        """Engine facts: model type and arguments, versions, chat template hash."""
        facts = dict(self._facts)
        for dist in ("lm_eval", "torch", "transformers"):
            facts[f"{dist}_version"] = _version(dist)
        return facts


def _extra(model: Any) -> dict[str, Any]:
    extra = getattr(model, "extra", None) or {}
    return dict(extra.items()) if hasattr(extra, "items") else {}


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


def _count(tokenizer: Any, text: str) -> int | None:
    """Prompt tokens as the engine sees them: no second BOS when the text starts with one."""
    if tokenizer is None or not hasattr(tokenizer, "encode"):
        return None
    bos = getattr(tokenizer, "bos_token", None)
    add = not (bos and text.startswith(bos))
    return len(tokenizer.encode(text, add_special_tokens=add))


def finish_info(
    recorder: Any, tokenizer: Any, text: str, max_new: int
) -> tuple[int | None, FinishReason]:
    """``(generated tokens, finish reason)``: exact from ``recorder``, else re-tokenized."""
    if recorder is not None:
        got = recorder.take(text)
        if got is not None:
            n_gen, ended = got
            return n_gen, "stop" if ended else "length"
    if tokenizer is None or not hasattr(tokenizer, "encode"):
        return None, "unknown"
    n_gen = len(tokenizer.encode(text, add_special_tokens=False))
    return n_gen, "length" if n_gen >= max_new else "stop"


def _seed_everything(seed: int) -> None:
    try:
        import transformers

        transformers.set_seed(seed)
    except ImportError:
        pass


def _peak_memory_gib() -> float | None:
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    return round(torch.cuda.max_memory_allocated() / 2**30, 3)


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist.replace("_", "-"))
    except PackageNotFoundError:
        return None
