"""One evaluation run: load data → generate (or replay) → grade → score → store → track.

Stages exchange the frozen records of ``harness.types``; this module only wires them together.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from harness.analysis.budget_run import prefetch_tokenizer, run_budget_curve
from harness.backends.base import build_backend
from harness.compare.tool import note as tool_note
from harness.compare.tool import tool_agreement
from harness.config.validate import check_values
from harness.data.loader import load_benchmark, problems_sha256
from harness.data.prompts import GPQA_INSTRUCTION, MATH_INSTRUCTION
from harness.grading.behaviour import grade_behaviour, is_behaviour
from harness.grading.behaviour import grader_versions as behaviour_grader_versions
from harness.grading.convention import Convention
from harness.grading.graders import grader_versions
from harness.grading.stream import StreamGrader, grade, tail  # noqa: F401 - grade: bench
from harness.metrics.behaviour import score_behaviour
from harness.metrics.counts import response_counts
from harness.metrics.matrix import sample_matrix
from harness.metrics.summary import summarize
from harness.plan.accounting import accounting
from harness.plan.hardware import detect_gpus, price_table
from harness.store import finished, model_origin, provenance, results
from harness.store.generation_log import GenerationLog
from harness.store.hydra_files import resume_command
from harness.store.run_dir import discard_if_failed, hold, mark_complete
from harness.store.sample_stream import SampleStream
from harness.tracking.trackers import open_tracker
from harness.types import DatasetInfo, GradedSample, Problem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    """What a finished run produced."""

    run_dir: Path
    metrics: dict[str, Any]
    n_disagreements: int


def score(
    problems: Sequence[Problem],
    graded: Sequence[GradedSample],
    stats: Any,
    *,
    reasoning: bool = False,
) -> dict[str, Any]:
    """Compute metrics.json from the graded samples (primary grader; secondary alongside).

    ``responses`` holds the counts beside pass@1 and cons@n (``harness.metrics.counts``).
    """
    ids = [p.id for p in problems]
    m = sample_matrix(graded, ids)
    row = {pid: i for i, pid in enumerate(ids)}
    second = np.zeros_like(m.correct)
    for s in graded:
        second[row[s.completion.problem_id], s.completion.sample_index] = s.verdicts[1].correct
    levels = [p.level for p in problems]
    common = {
        "truncated": m.truncated,
        "no_answer": m.no_answer,
        "lengths": m.lengths,
        "length_unit": m.length_unit,
        "resamples": stats.bootstrap_resamples,
        "seed": stats.bootstrap_seed,
        "confidence": stats.confidence,
    }
    has_levels = any(lv is not None for lv in levels)
    summary = summarize(m.correct, m.groups, levels=levels if has_levels else None, **common)
    secondary = summarize(second, m.groups, levels=None, **common)
    names = [v.grader for v in graded[0].verdicts]
    disagree = int((m.correct != second).sum())
    summary["graders"] = {
        "primary": names[0],
        "secondary": names[1],
        "secondary_pass@1": secondary["metrics"]["pass@1"],
        "disagreements": disagree,
        "agreement_pct": round(100.0 * (1 - disagree / m.correct.size), 2),
    }
    summary["responses"] = response_counts(graded, reasoning=reasoning)
    return summary


# Backend keys that cannot change a completion, so changing them keeps a run resumable.
# Batch size and TP can change numerics (docs/protocol.md §2), so they stay in the key. Replicas
# only split the problems (each sample keeps its seed); a resumed run batches differently anyway.
_NON_SEMANTIC_BACKEND_KEYS = {
    "gpu_memory_utilization", "concurrency", "timeout_s", "retries", "backoff_s",
    "data_parallel_size", "pace",
}  # fmt: skip


def generation_key(cfg: DictConfig, data: DatasetInfo) -> dict[str, Any]:
    """Everything that determines the completions of a run, for safe resuming.

    The data enters by the sha256 of the whole source, so raising ``limit`` keeps the run
    resumable (the first problems are unchanged) while another file or revision does not.
    """
    backend = OmegaConf.to_container(cfg.backend, resolve=True)
    return {
        "model": {
            "hub_id": cfg.model.hub_id,
            "revision": cfg.model.revision,
            "tokenizer_revision": cfg.model.tokenizer_revision,
            "path": cfg.model.path,
        },
        "sampling": {
            k: cfg.sampling[k] for k in ("temperature", "top_p", "max_new_tokens", "n", "seed")
        }
        | ({"ignore_eos": True} if cfg.sampling.get("ignore_eos") else {}),
        "prompt": {"math": MATH_INSTRUCTION, "gpqa": GPQA_INSTRUCTION},
        "data": {"benchmark": data.benchmark, "source_sha256": data.source_sha256},
        "backend": {k: v for k, v in backend.items() if k not in _NON_SEMANTIC_BACKEND_KEYS},
    }


def run(cfg: DictConfig, run_dir: Path) -> RunOutcome:
    """Run one evaluation and write ``run_dir``.

    Args:
        cfg: The composed run config.
        run_dir: Where results go (Hydra's run directory).

    Returns:
        The run directory, metrics and disagreement count.
    """
    check_values(cfg)
    with hold(run_dir):  # a second run on this directory is refused, naming this one's pid
        done = finished.check_finished(cfg, run_dir)  # a finished run is never changed
        if done is not None:
            print(f"{run_dir} is complete; nothing was changed", flush=True)
            return RunOutcome(run_dir=run_dir, metrics=done, n_disagreements=0)
        with discard_if_failed(run_dir):  # a failed fresh start leaves no folder behind
            if cfg.benchmark.name == "lm_eval_task":  # lm-eval's evaluator: backends/lm_eval/
                from harness.backends.lm_eval.task import run_lm_eval_task

                metrics = run_lm_eval_task(cfg, run_dir)
                outcome = RunOutcome(run_dir=run_dir, metrics=metrics, n_disagreements=0)
            else:
                outcome = _run(cfg, run_dir)
    return outcome


def _run(cfg: DictConfig, run_dir: Path) -> RunOutcome:
    """``run`` with the directory locked: nothing is written until the resume check passed."""
    started = time.time()
    convention = Convention.from_config(cfg.grading)  # a bad value fails before generating
    named = model_origin.model_named(cfg.backend.name)
    everything, data_info = load_benchmark(cfg.benchmark, limit=None)
    problems = everything if cfg.limit is None else everything[: cfg.limit]
    data = asdict(data_info) | {
        "problems_sha256": problems_sha256(problems),
        "n_problems": len(problems),
        "limit": cfg.limit,
    }
    backend = build_backend(cfg)
    key = generation_key(cfg, data_info)
    if not named:  # replayed responses of unknown origin claim no model and no sampling
        key |= {
            "model": model_origin.unknown_model(cfg.model),
            "sampling": {"n": int(cfg.sampling.n)},
        }
    gen_log = GenerationLog(run_dir, key)
    gen_log.check()  # a refused resume leaves the run directory byte-identical
    recorded = model_origin.recorded_config(cfg, named)
    resolved = results.begin_run(cfg, run_dir, recorded)
    hint = resume_command(run_dir, str(cfg.run_id), str(cfg.results_dir))
    print(f"writing to {run_dir}\nto resume it if it stops: {hint}", flush=True)
    with open_tracker(cfg.tracking, resolved, run_dir, str(cfg.run_id)) as tracker:
        done = gen_log.open()
        samples_out = SampleStream(run_dir, [p.id for p in problems])  # written as graded
        grader = StreamGrader(  # grading while generating: harness/grading/stream.py
            problems,
            reasoning=bool(cfg.model.reasoning),
            timeout_s=float(cfg.grading.timeout_s),
            workers=cfg.grading.workers,
            convention=convention,
            enabled=not is_behaviour(cfg.benchmark.answer_type),
            n=int(cfg.sampling.n),
            on_problem=samples_out.add,
        )
        # The budget curve's tokenizer loads in a thread while generating, but only where the
        # backend itself does not use transformers: transformers' lazy module is not safe to
        # import from two threads at once ("no attribute 'AutoTokenizer'"); vllm and lm_eval
        # have it imported already, so loading it after generation costs them little.
        own_tf = cfg.backend.name in ("vllm", "lm_eval")
        tokenizer = None if own_tf else prefetch_tokenizer(cfg.model)
        try:
            grader.add_all(done.values())  # reused samples grade while the rest are generated
            generated = backend.generate(
                problems,
                all_ids={p.id for p in everything},
                n=int(cfg.sampling.n),
                done=done,
                sink=grader.sink(gen_log.append, backend),
            )
        except BaseException:
            grader.close()
            samples_out.discard()
            raise
        finally:
            gen_log.close()
        last_arrival = grader.last_arrival or time.perf_counter()
        reused = sum((c.problem_id, c.sample_index) in done for c in generated.completions)
        if done:
            log.info(
                "reused %d samples from an earlier run; generated %d", reused, gen_log.appended
            )
        if generated.skipped_rows:
            log.info(
                "replay: %d rows outside limit=%s were skipped", generated.skipped_rows, cfg.limit
            )
        kind = cfg.benchmark.answer_type
        if is_behaviour(kind):  # behaviour probes: grading/behaviour.py, metrics/behaviour.py
            reasoning = bool(cfg.model.reasoning)
            graded = grade_behaviour(generated.completions, kind, reasoning=reasoning)
            judged = None
            if cfg.grading.get("judge") and kind == "refusal":  # optional, never substituted
                from harness.grading.judge_run import run_judge

                graded, judged = run_judge(cfg.grading.judge, problems, graded, reasoning=reasoning)
            metrics = score_behaviour(problems, graded, kind, cfg.stats, reasoning=reasoning)
            if judged is not None:
                metrics["judge"] = judged
        else:
            graded = grader.finish(generated.completions)
            metrics = score(problems, graded, cfg.stats, reasoning=bool(cfg.model.reasoning))
            metrics["budget_curve"] = run_budget_curve(cfg, problems, graded, tokenizer)
            metrics["grading_convention"] = convention.as_dict()
        metrics["generation"] = {
            "reused_samples": reused,
            "generated_samples": gen_log.appended,
            **generated.stats,
        }
        metrics["notes"] = metrics["generation"].pop("notes", [])
        if not named:
            metrics["notes"].append(model_origin.NOTE)
        model_record = recorded["model"] if not named else {
            "hub_id": cfg.model.hub_id,
            "revision": cfg.model.revision,
            "tokenizer_revision": cfg.model.tokenizer_revision,
            "path": cfg.model.path,
        }  # fmt: skip
        gpus = detect_gpus()
        metrics["accounting"] = accounting(generated.stats, gpus, price_table())
        metrics["wall_time_s"] = round(time.time() - started, 2)
        facts = backend_facts(backend)
        rows = [results.sample_record(s) for s in graded]
        agreement = tool_agreement(rows, facts.get("origin"))
        if agreement:  # an imported log's own verdicts: where they differ from ours, and why
            metrics["tool_agreement"] = agreement
            metrics["notes"].append(tool_note(agreement))
        n_dis = samples_out.close(graded, {p.id: p.gold for p in problems})
        results.write_json(
            run_dir / results.PROVENANCE,
            provenance.collect(
                data=data,
                graders=grader_versions() | behaviour_grader_versions(),
                gpus=gpus,
                extra={
                    "backend": {"name": backend.name, **facts},
                    "grading_convention": convention.as_dict(),
                    "model": model_record,
                },
            ),
        )
        metrics["generation"] |= tail(last_arrival)
        results.write_json(run_dir / results.METRICS, metrics)  # the last file before complete
        mark_complete(run_dir)  # last file of the directory; W&B then uploads the whole of it
        tracker.log_run(metrics, rows, run_dir)
    return RunOutcome(run_dir=run_dir, metrics=metrics, n_disagreements=n_dis)


def backend_facts(backend: Any) -> dict[str, Any]:
    """Facts a backend wants recorded (engine settings, replay file hash)."""
    facts = getattr(backend, "provenance", None)
    return facts() if callable(facts) else {}
