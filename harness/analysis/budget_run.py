"""The budget curve of a finished run: its tokenizer, its budgets, its exactness label.

The tokenizer is the one the run used: ``model.path`` when set (the dry run's tiny model), else
``model.hub_id`` at ``model.tokenizer_revision`` (else ``model.revision``), read from local files
only. A budget curve never downloads; without the tokenizer the cut texts are left empty and the
curve says so (the verdicts do not change: see ``budget.py``).

A replay of unknown origin (no ``model=``: ``harness/store/model_origin.py``) gets no curve:
neither its tokenizer nor its token limit is known, and the placeholder model's would be claimed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from harness.analysis.budget import AS_GENERATED, AS_TRUNCATED, budget_curve, regrader
from harness.store import model_origin
from harness.types import GradedSample, Problem

log = logging.getLogger(__name__)


def load_run_tokenizer(model: Any) -> tuple[Any | None, str]:
    """``(tokenizer, label)``; ``(None, reason)`` when it is not available locally."""
    path = getattr(model, "path", None)
    source = str(path or model.hub_id)
    revision = None if path else (model.tokenizer_revision or model.revision)
    label = source if revision is None else f"{source}@{revision}"
    if not _maybe_local(source, is_path=bool(path)):
        # Saves importing transformers and torch (seconds) in every run without the tokenizer.
        return None, f"none: {label} is not available locally (not in the Hugging Face cache)"
    try:
        from transformers import AutoTokenizer
    except ImportError:
        return None, f"none: transformers is not installed (needed to load {label})"
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, revision=revision, local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - any loading failure only removes the cut texts
        return None, f"none: {label} is not available locally ({type(exc).__name__})"
    return tokenizer, label


def _maybe_local(source: str, *, is_path: bool) -> bool:
    """False only where ``from_pretrained(source, local_files_only=True)`` must fail.

    That is a missing directory, or a hub id with no folder in the hub cache
    (``models--ORG--NAME``, huggingface_hub's cache layout).
    """
    from pathlib import Path

    if is_path or Path(source).expanduser().is_dir():
        return Path(source).expanduser().is_dir()
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:
        return True
    return (Path(HF_HUB_CACHE) / ("models--" + source.replace("/", "--"))).is_dir()


def exactness(sampling: Any, backend_name: str) -> str:
    """What the curve at B stands for, by decoding and engine (tested; see ``budget.py``)."""
    if float(sampling.temperature) == 0.0 or backend_name == "vllm":
        return AS_GENERATED
    return AS_TRUNCATED


def prefetch_tokenizer(model: Any) -> Future:
    """Start ``load_run_tokenizer`` in a thread, so that it overlaps generation.

    Importing transformers and looking for the files takes seconds (20 s on 2 loaded cores);
    done after the last completion, that was most of the run's tail.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tokenizer")
    future = pool.submit(load_run_tokenizer, model)
    pool.shutdown(wait=False)  # the thread ends with its one task
    return future


def run_budget_curve(
    cfg: Any,
    problems: Sequence[Problem],
    graded: Sequence[GradedSample],
    tokenizer: Future | None = None,
) -> dict[str, Any]:
    """``metrics.json["budget_curve"]`` for a run, or ``{"refused": reason}``; never raises.

    ``tokenizer``: a ``prefetch_tokenizer`` future; None loads it now.
    """
    if not model_origin.model_named(str(cfg.backend.name)):
        return {
            "refused": "replayed responses of unknown origin: no model= was given, so neither "
            "the tokenizer nor max_new_tokens is known; re-run with model=… (and sampling=…) "
            "for a budget curve",
            "unit": None,
        }
    try:
        if tokenizer is None:
            tokenizer, label = load_run_tokenizer(cfg.model)
        else:
            tokenizer, label = tokenizer.result()
            if tokenizer is None:  # the prefetch may have looked before the backend built or
                tokenizer, label = load_run_tokenizer(cfg.model)  # fetched the model (dryrun)
        return budget_curve(
            problems,
            graded,
            budgets=list(cfg.analysis.budgets),
            max_new_tokens=int(cfg.sampling.max_new_tokens),
            tokenizer=tokenizer,
            tokenizer_label=label,
            regrade=regrader(
                reasoning=bool(cfg.model.reasoning), timeout_s=float(cfg.grading.timeout_s)
            ),
            exactness=exactness(cfg.sampling, str(cfg.backend.name)),
            stats=cfg.stats,
        )
    except Exception as exc:  # noqa: BLE001 - the run's own numbers are written regardless
        log.warning("budget curve not computed: %s", exc)
        return {"refused": f"{type(exc).__name__}: {exc}", "unit": None}
