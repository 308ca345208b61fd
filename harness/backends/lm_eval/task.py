"""``benchmark=lm_eval_task``: any lm-eval task by name, run by lm-eval's own evaluator.

``harness-eval benchmark=lm_eval_task benchmark.task=gsm8k backend=lm_eval ...`` builds the
lm-eval model exactly as ``backend=lm_eval`` does (``LmEvalBackend.load``; the tiny dryrun model
too), maps ``sampling`` with the one ``lm_eval.sampling.gen_kwargs`` (so the task's stop strings
give way to ``until: []``), and calls ``lm_eval.simple_evaluate`` with ``limit`` and the task's
prompt, data, filters and metrics. The task index is restricted: only ``benchmark.include_path``
when given, else the built-in folder named like the task (``gsm8k_cot`` -> ``tasks/gsm8k``);
indexing all ~14,700 tasks (9 s here) is the fallback. Results: ``metrics.json`` (lm-eval's
metrics, proportions in percent, ci95 = value ± 1.96·lm-eval's stderr), ``samples.jsonl`` (see
``lm_eval.task_rows``), ``lm_eval_results.json`` (lm-eval's own results without samples),
``provenance.json``; tracked with ``open_tracker`` like every run.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig

from harness.backends.base import build_backend
from harness.backends.lm_eval import sampling as mapping
from harness.backends.lm_eval.backend import RANDOM_NOTE, LmEvalBackend
from harness.backends.lm_eval.task_rows import summarize, to_rows
from harness.backends.preflight import PreflightError
from harness.errors import HarnessError
from harness.plan.hardware import detect_gpus
from harness.store import provenance, results
from harness.store.run_dir import mark_complete
from harness.tracking.trackers import open_tracker

if TYPE_CHECKING:
    from harness.config.schema import LmEvalTaskConfig, SamplingConfig

log = logging.getLogger(__name__)
LM_EVAL_RESULTS = "lm_eval_results.json"
BACKEND_TARGET = f"{LmEvalBackend.__module__}.{LmEvalBackend.__name__}"


def task_manager(task: str, include_path: str | None) -> Any:
    """A ``TaskManager`` that indexes as little as possible but knows ``task``.

    Raises:
        HarnessError: Not even the full index (plus ``include_path``) knows the task.
    """
    import lm_eval.tasks
    from lm_eval.tasks import TaskManager

    if include_path:
        folders = [Path(include_path).expanduser()]
    else:
        root, parts = Path(lm_eval.tasks.__file__).parent, task.split("_")
        folders = [root / "_".join(parts[:i]) for i in range(len(parts), 0, -1)]
    for folder in folders:
        if folder.is_dir():
            manager = TaskManager(include_path=str(folder), include_defaults=False)
            if task in manager.all_tasks:
                return manager
    log.info("indexing all of lm-eval's tasks to find %r (about 10 s)", task)
    manager = TaskManager(include_path=include_path or None)
    if task not in manager.all_tasks:
        where = f" nor in benchmark.include_path={include_path}" if include_path else ""
        raise HarnessError(f"lm-eval has no task {task!r}{where}; `lm-eval ls tasks` lists them")
    return manager


def evaluate(
    bench: LmEvalTaskConfig, sampling: SamplingConfig, limit: int | None, backend: LmEvalBackend
) -> tuple[dict[str, Any], Any, Any]:
    """Run ``simple_evaluate`` on the configured task; return (its output, recorder, tokenizer).

    Args:
        bench: The run's ``benchmark`` node (task, few-shot, include path, chat template).
        sampling: The run's ``sampling`` node (its seed seeds every lm-eval generator).
        limit: The run's ``limit`` (documents of the task), or None for all.
        backend: The lm-eval backend the model is loaded from.
    """
    import lm_eval

    lm = backend.load()
    recorder = None
    if backend.model_type in mapping.HF_TYPES:
        from harness.backends.lm_eval.hf import install

        recorder = install(lm)  # exact token counts and finish reasons, </think> kept
    seed = int(sampling.seed)
    out = lm_eval.simple_evaluate(
        model=lm,
        tasks=[str(bench.task)],
        num_fewshot=bench.num_fewshot,
        limit=limit,
        log_samples=True,
        gen_kwargs=mapping.gen_kwargs(sampling, backend.model_type, seed=seed),
        task_manager=task_manager(str(bench.task), bench.include_path),
        apply_chat_template=bool(bench.apply_chat_template),
        random_seed=seed,
        numpy_random_seed=seed,
        torch_random_seed=seed,
        fewshot_random_seed=seed,
    )
    if out is None:  # non-zero ranks of a distributed run
        raise HarnessError("lm-eval returned no results (not rank 0?)")
    return out, recorder, getattr(lm, "tokenizer", None)


def run_lm_eval_task(cfg: DictConfig, run_dir: Path) -> dict[str, Any]:
    """Run one lm-eval task and write ``run_dir`` like ``harness.pipeline.run``; return metrics."""
    from lm_eval.utils import handle_non_serializable

    started = time.time()
    resolved = results.begin_run(cfg, run_dir)
    print(f"writing to {run_dir}", flush=True)
    if cfg.backend.get("_target_") != BACKEND_TARGET:
        raise PreflightError(
            f"benchmark=lm_eval_task runs lm-eval's evaluator: set backend=lm_eval "
            f"(got backend={cfg.backend.name})"
        )
    task = str(cfg.benchmark.task)
    with open_tracker(cfg.tracking, resolved, run_dir, str(cfg.run_id)) as tracker:
        backend = build_backend(cfg)
        notes = [RANDOM_NOTE] if (cfg.model.extra or {}).get("random_weights") else []
        out, recorder, tokenizer = evaluate(cfg.benchmark, cfg.sampling, cfg.limit, backend)
        rows = to_rows(out["samples"][task], recorder, tokenizer, int(cfg.sampling.max_new_tokens))
        metrics = summarize(out, task, rows)
        if int(cfg.sampling.n) != metrics["n_samples"]:
            notes.append(
                f"sampling.n={cfg.sampling.n} is not used: the task's `repeats` "
                f"({metrics['n_samples']}) sets the samples per problem"
            )
        metrics["notes"] = notes  # harness-eval prints them with the summary
        metrics["wall_time_s"] = round(time.time() - started, 2)
        own = {k: v for k, v in out.items() if k != "samples"}
        own = json.loads(json.dumps(own, default=handle_non_serializable))
        results.write_json(run_dir / LM_EVAL_RESULTS, own)
        results.write_jsonl(run_dir / results.SAMPLES, rows)
        results.write_json(run_dir / results.METRICS, metrics)
        data = {
            "benchmark": f"lm_eval_task:{task}",
            "task_version": own["versions"].get(task),
            "task_config": own["configs"].get(task),
            "include_path": cfg.benchmark.include_path,
            "n_problems": metrics["n_problems"],
            "limit": cfg.limit,
            "docs_sha256": metrics.pop("docs_sha256"),
        }
        model = {k: cfg.model[k] for k in ("hub_id", "revision", "tokenizer_revision", "path")}
        results.write_json(
            run_dir / results.PROVENANCE,
            provenance.collect(
                data=data,
                graders={"lm-eval": str(own.get("lm_eval_version"))},
                gpus=detect_gpus(),
                extra={"backend": {"name": backend.name, **backend.provenance()}, "model": model},
            ),
        )
        mark_complete(run_dir)  # last file of the directory (harness/store/run_dir.py)
        tracker.log_run(metrics, rows, run_dir)
    return metrics
