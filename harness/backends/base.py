"""What every backend provides: the ``Backend`` protocol and the ``Generation`` it returns.

A backend is built by ``hydra.utils.instantiate(cfg.backend, model=cfg.model,
sampling=cfg.sampling, benchmark=cfg.benchmark)``: its own config keys plus the run's model,
sampling protocol and benchmark nodes (a backend that needs none of them accepts ``**context``).
Each backend maps the backend-neutral ``sampling`` config to its engine explicitly; no engine
default (vLLM's max_tokens=16, say) may leak in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.errors import HarnessError
from harness.types import Completion, Problem

Sink = Callable[[Completion], None]
"""Called once per finished completion, as soon as it exists (for crash-safe persistence)."""


@dataclass(frozen=True)
class Generation:
    """Completions for the selected problems, and the accounting of how they were made.

    Attributes:
        completions: One per response, ordered by problem (dataset order) then sample index.
        n_samples: Samples per problem (equal for all problems).
        skipped_rows: Replay only: rows for problems outside ``limit``.
        stats: Accounting: prompt/generated tokens, tokens per second, wall time, peak
            accelerator memory, where the backend knows them.
    """

    completions: tuple[Completion, ...]
    n_samples: int
    skipped_rows: int = 0
    stats: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    """A source of completions."""

    name: str

    def generate(
        self,
        problems: Sequence[Problem],
        *,
        all_ids: set[str],
        n: int,
        done: Mapping[tuple[str, int], Completion] | None = None,
        sink: Sink | None = None,
    ) -> Generation:
        """Produce n completions per problem.

        Args:
            problems: Problems under evaluation, in dataset order.
            all_ids: Every problem id of the benchmark (replay uses it to tell rows outside
                ``limit`` from rows for problems that do not exist).
            n: Samples per problem.
            done: Completions already persisted by an earlier, interrupted run, keyed by
                ``(problem_id, sample_index)``: they are returned as they are, not regenerated.
            sink: Called with every newly generated completion as soon as it is finished.

        Returns:
            All n completions per problem (``done`` ones included).
        """
        ...

    def provenance(self) -> dict[str, Any]:
        """Facts to record in provenance.json (engine, settings, file hashes)."""
        ...


def missing_samples(
    problems: Sequence[Problem], n: int, done: Mapping[tuple[str, int], Completion] | None
) -> list[tuple[int, Problem, int]]:
    """``(problem index, problem, sample index)`` for every sample not in ``done``, in order."""
    done = done or {}
    return [(i, p, s) for i, p in enumerate(problems) for s in range(n) if (p.id, s) not in done]


def assemble(
    problems: Sequence[Problem],
    n: int,
    done: Mapping[tuple[str, int], Completion] | None,
    new: Mapping[tuple[str, int], Completion],
    stats: dict[str, Any],
) -> Generation:
    """All n completions per problem, persisted ones (``done``) first, then the new ones."""
    merged = {**(done or {}), **new}
    ordered = tuple(merged[(p.id, s)] for p in problems for s in range(n))
    return Generation(ordered, n_samples=n, stats=stats)


def build_backend(cfg: Any) -> Backend:
    """Instantiate ``cfg.backend`` with the run's model, sampling and benchmark nodes.

    Hydra wraps a constructor's exception in ``InstantiationException``; a ``HarnessError``
    (a bad setting, a missing file) is unwrapped so the user sees its message, not a traceback.
    """
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    extra: dict[str, Any] = {}
    evidence = cfg.get("evidence") if hasattr(cfg, "get") else None
    if evidence is not None and not cfg.backend.get("path"):
        from harness.backends.evidence import local_file  # evidence=<name>: fetch it first

        extra = {"path": str(local_file(evidence, cfg.results_dir)), "format": evidence.format}
    try:
        return instantiate(
            cfg.backend, model=cfg.model, sampling=cfg.sampling, benchmark=cfg.benchmark, **extra
        )
    except InstantiationException as exc:
        if isinstance(exc.__cause__, HarnessError):
            raise exc.__cause__ from None
        raise
