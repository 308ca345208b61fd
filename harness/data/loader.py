"""Load a benchmark as a list of ``Problem`` records plus the ``DatasetInfo`` of what was used.

The benchmark's YAML (``configs/benchmark/*.yaml``, schema ``BenchmarkConfig``) says where the
data lives and how its rows read; this module applies it. With ``benchmark.source`` unset the
pinned hub revision is loaded (``harness.data.hub``), otherwise the local file
(``harness.data.sources``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict
from typing import Any

from harness.data.errors import BenchmarkDataError
from harness.data.hub import read_hub
from harness.data.records import (
    ANSWER_FORMATS,
    ANSWER_TYPES,
    resolve_columns,
    row_to_problem,
)
from harness.data.sources import read_local
from harness.types import DatasetInfo, Problem


def problems_sha256(problems: list[Problem]) -> str:
    """sha256 of the canonical JSON (sorted keys, UTF-8, no spaces) of the problem list."""
    payload = json.dumps(
        [asdict(p) for p in problems], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _check_config(cfg: Any) -> None:
    if cfg.answer_type not in ANSWER_TYPES:
        raise BenchmarkDataError(
            f"benchmark {cfg.name}: answer_type {cfg.answer_type!r} is not one of {ANSWER_TYPES}."
        )
    if cfg.answer_format not in ANSWER_FORMATS:
        raise BenchmarkDataError(
            f"benchmark {cfg.name}: answer_format {cfg.answer_format!r} is not one of "
            f"{ANSWER_FORMATS}."
        )
    if cfg.answer_type == "choice" and len(cfg.choice_fields) < 2:
        raise BenchmarkDataError(
            f"benchmark {cfg.name}: answer_type=choice needs benchmark.choice_fields "
            "(correct option first, then the others)."
        )


def load_benchmark(
    cfg: Any, *, limit: int | None = None, cache_dir: str | None = None
) -> tuple[list[Problem], DatasetInfo]:
    """Load the problems of one benchmark.

    Args:
        cfg: The ``benchmark`` node of the run config (a ``BenchmarkConfig`` or a DictConfig of
            one).
        limit: Keep only the first N problems, in dataset order; None keeps all.
        cache_dir: ``datasets`` cache directory; None for its default.

    Returns:
        The problems and a record of the data used (source, sha256s, row count, shuffle seed).

    Raises:
        BenchmarkDataError: The source is missing, unreadable, lacks a configured field, or has
            duplicate ids; the message names the file, the field and the fix.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be None or >= 0, got {limit}")
    _check_config(cfg)
    raw = read_local(cfg.source, cache_dir) if cfg.source else read_hub(cfg, cache_dir)
    dataset = raw.dataset
    cols = resolve_columns(cfg, dataset.column_names, raw.label)
    problems = [row_to_problem(row, i, cols, cfg, raw.label) for i, row in enumerate(dataset)]
    duplicates = [pid for pid, n in Counter(p.id for p in problems).items() if n > 1]
    if duplicates:
        raise BenchmarkDataError(
            f"{raw.label}: field {cols.id!r} has duplicate ids {sorted(duplicates)[:5]} "
            f"({len(duplicates)} in all). Set benchmark.id_field to a unique field, or to null "
            "for ids '<name>-<row>'."
        )
    if limit is not None:
        problems = problems[:limit]
    extra = dict(raw.extra)
    extra.update(problem_field=cols.problem, answer_field=cols.answer)
    if cfg.answer_type == "choice":
        extra["shuffle_seed"] = str(cfg.shuffle_seed)
    if cfg.strip_suffix:
        stripped = sum(str(row[cols.problem]).endswith(cfg.strip_suffix) for row in dataset)
        extra["suffix_stripped_rows"] = str(stripped)
    if limit is not None:
        extra["limit"] = str(limit)
    info = DatasetInfo(
        benchmark=cfg.name,
        source=raw.source,
        source_sha256=raw.sha256,
        problems_sha256=problems_sha256(problems),
        n_rows=len(dataset),
        extra=extra,
    )
    return problems, info
