r"""``backend=vllm``: generate with vLLM's offline engine (``vllm.LLM``).

How a run goes:

1. Work out which ``(problem, sample)`` pairs are missing (``done`` holds what an interrupted run
   already persisted). Nothing missing: nothing is loaded.
2. Load the tokenizer only, build every prompt (chat template, "<think>\n" forced for reasoning
   models), tokenize it, and check prompt + ``sampling.max_new_tokens`` fits ``max_model_len``:
   a too-short context is refused here, before any weights load.
3. Read the GPUs present and choose or check the layout (``vllm.layout``): TP that fits and
   divides the heads, and engine replicas; a model that cannot fit is refused here too.
   ``vllm.replicas`` then runs steps 4-5 (``vllm.engine``) in one child process per replica
   (one by default on a single GPU), which stops its engine when the run process dies; one
   engine that starts no process of its own (``uni`` executor, ``VLLM_ENABLE_V1_MULTIPROCESSING=0``)
   runs in the run's process.
4. Load the engine and submit every request at once: a problem with all n samples missing is ONE
   request with ``SamplingParams(n=n)``; a problem missing only some samples gets one ``n=1``
   request per missing sample, seeded so it draws exactly what the full request would have
   (``vllm.sampling`` explains the seeds). Prompts go in as token ids, so the text is tokenized
   once, exactly as the length check saw it.
5. Step the engine and hand each finished request's samples to ``sink`` at once, so a kill loses
   only the requests in flight, never a finished one.

The sampling config is mapped to ``SamplingParams`` in ``vllm.sampling.sampling_params_kwargs``.
vLLM, torch and transformers are imported lazily; without them the error names the extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.backends.base import Generation, Sink, assemble, missing_samples
from harness.backends.preflight import CPU_HINT, PreflightError, cuda_available, model_location
from harness.backends.vllm.engine import Prepared
from harness.backends.vllm.layout import Layout, context_length, resolve_layout, visible_gpus
from harness.backends.vllm.prompts import (
    build_prompts,
    load_tokenizer,
    model_context_length,
    model_source,
    revisions,
)
from harness.backends.vllm.replicas import run_replicas
from harness.backends.vllm.runtime import (
    check_executor,
    check_vllm_version,
    int_or_none,
    vllm_version,
)
from harness.backends.vllm.sampling import (
    check_context,
)
from harness.types import Completion, Problem


def preflight(model: Any) -> None:
    """Refuse early, saying what to set, when the weights or a usable device are missing.

    The model must be a local directory (``model.path``) or cached/reachable on the hub
    (``harness.backends.preflight.model_location``, which also builds the dryrun's tiny model).
    The official vLLM wheels need a GPU; only the CPU build (``+cpu`` version) runs without one.
    """
    model_location(model)
    check_vllm_version(vllm_version())  # outside the supported range: refused before loading
    version = vllm_version() or ""
    if not cuda_available() and "+cpu" not in version:
        raise PreflightError(f"backend=vllm needs a GPU and none is visible; {CPU_HINT}")


class VllmBackend:
    """Generates with ``vllm.LLM``; see the module docstring.

    Args:
        model: The run's ``model`` node (``path``, a local copy, wins over ``hub_id``).
        sampling: The run's ``sampling`` node.
        benchmark: The run's ``benchmark`` node (for the instruction of the prompt).
        tensor_parallel_size: GPUs per pipeline stage; ``None`` chooses the smallest that fits
            the GPUs present (``vllm.layout``).
        data_parallel_size: Engine replicas on this node, each in its own process on its own
            GPUs; ``None`` runs as many as the visible GPUs hold. Records do not depend on it.
        max_model_len: Engine context length; ``None`` takes the model's own.
        gpu_memory_utilization: Fraction of accelerator memory vLLM may take.
        dtype: Weights/activation dtype; ``None`` takes ``model.dtype``.
        enable_prefix_caching: Reuse the KV cache of shared prompt prefixes.
        enforce_eager: Disable CUDA graphs (DeepSeek's own serving example does).
        max_num_seqs: Sequences batched at once; ``None`` is vLLM's default.
        pipeline_parallel_size: Pipeline stages (across nodes, with the Ray executor).
        distributed_executor_backend: ``"mp"``, ``"ray"`` or ``"uni"`` (the worker in the engine's
            process: one device); ``None`` is vLLM's default.
        name: Backend name recorded in results.
    """

    def __init__(
        self,
        model: Any,
        sampling: Any,
        benchmark: Any = None,
        *,
        tensor_parallel_size: int | None = None,
        data_parallel_size: int | None = None,
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
            "tensor_parallel_size": int_or_none(tensor_parallel_size),
            "data_parallel_size": int_or_none(data_parallel_size),
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
        self.layout: Layout | None = None

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
            prepared = self.prepare(problems, missing)
            self.layout = resolve_layout(
                self.model, self.settings, max_model_len=prepared.max_model_len,
                gpus=visible_gpus(),
            )  # fmt: skip
            # Even one engine runs in a child process: killed with the run, the child stops its
            # engine; vLLM's engine processes would outlive a SIGKILL and keep their GPUs (vllm
            # 0.32). Only an engine that starts no process of its own runs here (vllm.replicas).
            new, stats = run_replicas(self, problems, missing, n, sink, prepared)
        return assemble(problems, n, done, new, stats)

    def prepare(self, problems: Sequence[Problem], missing: dict[int, list[int]]) -> Prepared:
        """Prompts, their token ids and the context length, checked before any weights load.

        Raises:
            PreflightError: The model or a usable device is missing.
            VllmConfigError: The context cannot hold the longest prompt + max new tokens.
        """
        preflight(self.model)
        tokenizer = load_tokenizer(self.model)
        todo = [problems[i] for i in missing]
        prompts = build_prompts(
            tokenizer, todo, self.benchmark, reasoning=bool(self.model.reasoning)
        )
        ids = {p.id: tokenizer.encode(prompts[p.id], add_special_tokens=False) for p in todo}
        max_new = int(self.sampling.max_new_tokens)
        longest = max(len(t) for t in ids.values())
        setting = self.settings["max_model_len"]
        own = model_context_length(self.model) if setting is None else int(setting)
        max_len, source = context_length(setting, own, longest, max_new)
        lengths = {pid: len(t) for pid, t in ids.items()}
        check_context(lengths, max_new_tokens=max_new, max_model_len=max_len, source=source)
        return Prepared(prompts, ids, max_len)

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
            "vllm_version": vllm_version(),
            **versions,
            "model": model_source(self.model),
            "hub_id": str(self.model.hub_id),
            "revision": revisions(self.model)[0],
            "tokenizer_revision": revisions(self.model)[1],
            **self.settings,
            **self._engine_facts,
            **(self.layout.facts() if self.layout is not None else {}),
            "seed_scheme": "sample s of problem p: seed*2**32 + p*2**16 + s (one n-request "
            "per problem, vLLM child i = seed + i)",
        }
