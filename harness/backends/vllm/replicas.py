"""vLLM engines in child processes: one, or several on one node (data parallelism).

Each replica (one unless ``Layout.replicas > 1``) is its own process (multiprocessing, spawn).
With several, each starts with ``CUDA_VISIBLE_DEVICES`` set to its slice of ``tp × pp`` GPUs
before vLLM or torch load there (on the CPU build: its share of the cores in
``VLLM_CPU_OMP_THREADS_BIND``, or two engines spin-wait on the same cores).
Problems are dealt round-robin (``shard``); a replica runs the single-engine path on its shard
with the FULL problem list, so every sample keeps the seed it has with one engine
(``sample_seed(run seed, problem index, sample index)``) and the records do not depend on the
number of replicas. Each finished completion comes back over a queue and the parent hands it to
``sink`` at once, so a kill loses only what was in flight, as with one engine, and the replicas
exit when the run process dies. A replica that fails or dies stops the run with its traceback;
what the others finished is already persisted.

One exception: a single engine that is wholly in-process (``wholly_in_process``: the ``uni``
executor and ``VLLM_ENABLE_V1_MULTIPROCESSING=0``, so vLLM starts no process of its own) runs in
the run's own process. The child exists so that a SIGKILLed run cannot leave vLLM's engine
processes holding the GPUs; with none, it would only cost a spawn and a second import of torch
and vLLM (~10 s on 2 CPU cores). ``provenance.json`` says which (``replica_process``).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Any

from harness.backends.base import Sink
from harness.backends.vllm.engine import VllmEngine
from harness.backends.vllm.sampling import VllmConfigError
from harness.types import Completion, Problem

# How often the parent checks that no replica died while it waits for completions.
POLL_S = 5.0
# How often a replica checks that the run process is still its parent.
PARENT_CHECK_S = 1.0
# How long a replica whose parent died may take to stop its engine before it exits regardless.
SHUTDOWN_GRACE_S = 30.0


def shard(problem_indices: Sequence[int], replicas: int) -> list[list[int]]:
    """Problem indices dealt round-robin in order: replica r gets the r-th, (r+k)-th, ..."""
    ordered = sorted(problem_indices)
    return [ordered[r::replicas] for r in range(replicas)]


def cpu_slice(rank: int, replicas: int, cores: Sequence[int]) -> str:
    """``VLLM_CPU_OMP_THREADS_BIND`` for one CPU replica: its contiguous share of ``cores``."""
    cores = sorted(cores)
    mine = cores[rank * len(cores) // replicas : (rank + 1) * len(cores) // replicas]
    return ",".join(str(c) for c in mine) if mine else "nobind"


def _exit_on_sigterm(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds VllmEngine.run, whose finally stops the engine


def _exit_with_parent(parent: int) -> None:
    """End this replica, and its engine, when the run process dies.

    A SIGKILLed parent leaves spawned children running, and vLLM's engine processes outlive a
    killed client (vllm 0.32): both would keep their GPUs. The watcher sends this process
    SIGTERM, whose handler unwinds into the engine's shutdown; ``os._exit`` is the last resort.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(SHUTDOWN_GRACE_S)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _replica_main(rank: int, parent: int, args: tuple, work: tuple, out: Any) -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # also the parent's terminate()
    _exit_with_parent(parent)
    code = 0
    try:
        model, sampling, settings, layout, prepared = args
        engine = VllmEngine(model, sampling, settings, progress=False)  # the parent's bar
        problems, missing, n = work
        _, stats = engine.run(
            problems, missing, n, lambda c: out.put(("done", rank, c)), prepared, layout
        )
        out.put(("stats", rank, {**stats, "engine_facts": engine.facts}))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        out.put(("error", rank, traceback.format_exc()))
        code = 1
    _leave(out, code, parent)


def _leave(out: Any, code: int, parent: int) -> None:
    """End the replica once its queue has handed everything to the pipe.

    Interpreter teardown is skipped: the engine is already shut down (``VllmEngine.run``), the
    replica writes no file, and the teardown's garbage collection over vLLM's and torch's
    objects took ~3 s that the run waited for (measured 2026-12-02, vllm-cpu 0.32, 2 replicas).
    """
    import logging

    out.close()
    if os.getppid() == parent:
        out.join_thread()
    else:  # nobody reads any more: what is left in the queue's buffer is dropped
        out.cancel_join_thread()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _child_env(rank: int, replicas: int, devices: str | None) -> dict[str, str]:
    if devices is not None:
        return {"CUDA_VISIBLE_DEVICES": devices}
    if replicas == 1:  # one engine: the environment as it is
        return {}
    bind = os.environ.get("VLLM_CPU_OMP_THREADS_BIND", "auto")
    if bind != "auto":  # the user placed the threads: leave them
        return {}
    return {"VLLM_CPU_OMP_THREADS_BIND": cpu_slice(rank, replicas, os.sched_getaffinity(0))}


def wholly_in_process(settings: dict[str, Any], env: dict[str, str]) -> bool:
    """Whether one engine with ``settings`` starts no process of its own (module docstring).

    ``env`` is what the replica's process would add to the environment; a replica that needs
    its own (``CUDA_VISIBLE_DEVICES``) keeps its process. vLLM reads the switch as
    ``bool(int(VLLM_ENABLE_V1_MULTIPROCESSING))``, default 1 (``vllm/envs.py``).
    """
    flag = os.environ.get("VLLM_ENABLE_V1_MULTIPROCESSING", "1").strip()
    return settings.get("distributed_executor_backend") == "uni" and flag == "0" and not env


def _run_here(
    backend: Any,
    problems: Sequence[Problem],
    work: dict[int, list[int]],
    n: int,
    sink: Sink | None,
    prepared: Any,
) -> tuple[dict[tuple[str, int], Completion], dict[str, Any]]:
    """The one engine in this process; its own bar, the same accounting as a replica's."""
    started = time.perf_counter()
    engine = VllmEngine(backend.model, backend.sampling, backend.settings, progress=True)
    new, stats = engine.run(problems, work, n, sink, prepared, backend.layout)
    backend._engine_facts = {**engine.facts, "replicas_run": 1, "replica_process": "run"}
    return new, merge_stats([stats], time.perf_counter() - started)


def _start(ctx: Any, target_args: tuple, env: dict[str, str]) -> Any:
    """Start one spawned process with ``env`` added to the environment it inherits."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        proc = ctx.Process(target=_replica_main, args=target_args, daemon=False)
        proc.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return proc


def run_replicas(
    backend: Any,
    problems: Sequence[Problem],
    missing: dict[int, list[int]],
    n: int,
    sink: Sink | None,
    prepared: Any,
) -> tuple[dict[tuple[str, int], Completion], dict[str, Any]]:
    """Generate ``missing`` with ``backend.layout.replicas`` engine processes (module docstring).

    ``prepared`` is the parent's ``VllmBackend.prepare`` result, handed to every replica.

    Returns:
        The new completions and the accounting summed over replicas (``replicas`` says how many
        ran; ``tokens_per_s`` is all generated tokens over the wall time after the slowest load).

    Raises:
        VllmConfigError: A replica failed (its traceback is in the message) or died.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    layout = backend.layout
    shards = [sh for sh in shard(list(missing), layout.replicas) if sh]
    devices = layout.replica_devices()[: len(shards)]
    if len(shards) == 1 and wholly_in_process(backend.settings, _child_env(0, 1, devices[0])):
        return _run_here(backend, problems, missing, n, sink, prepared)  # one shard: all of it
    # The parent's prompts and token ids go along: a replica neither reloads the tokenizer nor
    # re-tokenizes, and the layout fixes TP and context (VllmEngine.run reads them from it).
    args = (backend.model, backend.sampling, backend.settings, layout, prepared)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs: list[Any] = []
    total = sum(len(s) for s in missing.values())
    try:
        for rank, (sh, dev) in enumerate(zip(shards, devices, strict=True)):
            work = (list(problems), {i: missing[i] for i in sh}, n)
            env = _child_env(rank, len(shards), dev)
            procs.append(_start(ctx, (rank, os.getpid(), args, work, out), env))
        desc = "vllm" if len(procs) == 1 else f"vllm x{len(procs)}"
        with tqdm(total=total, desc=desc, unit="sample") as bar:
            new, stats = _collect(out, procs, sink, bar)
        for proc in procs:
            proc.join()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(30)
    facts = [st.pop("engine_facts") for st in stats.values()]
    backend._engine_facts = {**facts[0], "replicas_run": len(procs), "replica_process": "child"}
    return new, merge_stats(list(stats.values()), time.perf_counter() - started)


def _collect(
    out: Any, procs: list[Any], sink: Sink | None, bar: Any
) -> tuple[dict[tuple[str, int], Completion], dict[int, dict[str, Any]]]:
    new: dict[tuple[str, int], Completion] = {}
    stats: dict[int, dict[str, Any]] = {}
    while len(stats) < len(procs):
        try:
            kind, rank, payload = out.get(timeout=POLL_S)
        except queue_mod.Empty:
            dead = [r for r, p in enumerate(procs) if r not in stats and p.exitcode is not None]
            if dead:
                raise VllmConfigError(
                    f"vLLM replica(s) {dead} exited (code {procs[dead[0]].exitcode}) without "
                    f"finishing; the samples already received are persisted: rerun to resume"
                ) from None
            continue
        if kind == "done":
            new[(payload.problem_id, payload.sample_index)] = payload
            if sink is not None:
                sink(payload)
            bar.update(1)
        elif kind == "stats":
            stats[rank] = payload
        else:
            raise VllmConfigError(f"vLLM replica {rank} failed:\n{payload[-4000:]}")
    return new, stats


def merge_stats(per: list[dict[str, Any]], wall_s: float) -> dict[str, Any]:
    """The accounting of several replicas as one run's.

    Args:
        per: Each replica's ``VllmEngine.run`` stats.
        wall_s: Wall time of the whole generation, spawn to last replica done.
    """
    generated = sum(st["generated_tokens"] for st in per)
    load = max(st["load_time_s"] for st in per)
    peaks = [st["peak_accelerator_memory_bytes"] for st in per]
    gen_s = wall_s - load
    return {
        "engine": "vllm",
        "requests": sum(st["requests"] for st in per),
        "prompt_tokens": sum(st["prompt_tokens"] for st in per),
        "generated_tokens": generated,
        "tokens_per_s": round(generated / gen_s, 2) if gen_s > 0 else None,
        "load_time_s": load,
        "generation_s": max(st.get("generation_s", 0.0) for st in per),  # slowest replica's
        "wall_time_s": round(wall_s, 2),
        "replicas": len(per),
        "num_gpus": sum(st["num_gpus"] for st in per),
        "peak_accelerator_memory_bytes": None if None in peaks else max(peaks),
        "peak_memory_scope": "per replica (max over replicas)",
    }
