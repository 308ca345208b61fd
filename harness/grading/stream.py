"""Grade completions while they are generated: each one goes to the grading pool on arrival.

The backend hands every finished completion to its ``sink`` (``harness/backends/base.py``); the
sink of ``StreamGrader.sink`` writes it to ``generations.jsonl`` as before and queues it for
grading. Every 64 queued responses go to the workers as one chunk (``pool.ChunkGrader``: the
same chunks, per-chunk limits and one-by-one retries as grading them all at the end), so when the
last completion arrives only its chunk, cons@n voting, statistics and writing remain. A resumed
run queues the reused samples before generating the missing ones.

    grader = StreamGrader(problems, reasoning=True, timeout_s=5.0, workers=None)
    grader.add_all(done.values())  # reused samples grade while the rest are generated
    generated = backend.generate(..., sink=grader.sink(gen_log.append, backend))
    graded = grader.finish(generated.completions)  # waits, votes, closes the pool
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Sequence
from typing import Any

from tqdm import tqdm

from harness.grading.convention import R1, Convention
from harness.grading.pool import ChunkGrader, GradeTask, open_pool, prepared, vote_all
from harness.types import Completion, GradedSample, Problem

Sink = Any  # harness.backends.base.Sink; grading does not import the backends


class StreamGrader:
    """Grades completions as they arrive, on one pool that ``finish`` (or ``close``) shuts.

    Args:
        problems: The problems under evaluation (completions of other problems are ignored).
        reasoning: The model writes ``<think>`` reasoning (only the text after it is graded).
        timeout_s: Hard limit per response in seconds.
        workers: Worker processes (None: all cores).
        convention: Answer region and truncation rule.
        enabled: False: grade nothing (behaviour probes have their own graders); ``sink``
            then only persists.
        progress: Show a tqdm bar for what is left to grade when ``finish`` is called.
    """

    def __init__(
        self,
        problems: Sequence[Problem],
        *,
        reasoning: bool,
        timeout_s: float,
        workers: int | None,
        convention: Convention = R1,
        enabled: bool = True,
        progress: bool = True,
    ) -> None:
        self._by_id = {p.id: p for p in problems}
        self._reasoning = reasoning
        self._timeout_s = timeout_s
        self._workers = workers
        self._convention = convention
        self._progress = progress
        self._pool = open_pool(workers) if enabled else None
        self._chunks = ChunkGrader(self._pool, timeout_s) if self._pool is not None else None
        self._queued: dict[tuple[str, int], tuple[Completion, int]] = {}
        self.last_arrival: float | None = None  # perf_counter() of the latest ``add``

    def add(self, completion: Completion) -> None:
        """Queue one completion for grading (cut to its answer window here, graded in a worker)."""
        self.last_arrival = time.perf_counter()
        problem = self._by_id.get(completion.problem_id)
        if self._chunks is None or problem is None:
            return
        index = self._chunks.add(prepared(self._task(completion, problem)))
        self._queued[(completion.problem_id, completion.sample_index)] = (completion, index)

    def add_all(self, completions: Iterable[Completion]) -> None:
        """Queue many completions (a resumed run's reused samples)."""
        for c in completions:
            self.add(c)

    def sink(self, persist: Sink, backend: Any) -> Sink:
        """The sink to hand the backend: ``persist`` each completion, then queue it.

        A backend that replays a file (``replays = True``) already has its completions on disk:
        they are queued only, not written again to ``generations.jsonl``.
        """
        if getattr(backend, "replays", False):
            return self.add

        def persist_and_grade(completion: Completion) -> None:
            persist(completion)
            self.add(completion)

        return persist_and_grade

    def _task(self, c: Completion, problem: Problem) -> GradeTask:
        return GradeTask(
            response=c.response,
            finish_reason=c.finish_reason,
            gold=problem.gold,
            answer_type=problem.answer_type,
            reasoning=self._reasoning,
            answer_region=self._convention.answer_region,
            truncated=self._convention.truncated,
        )

    def finish(self, completions: Sequence[Completion]) -> list[GradedSample]:
        """Grade what was not queued, wait for every verdict, vote, and close the pool.

        Args:
            completions: The run's completions (``Generation.completions``); each is graded
                once, as queued, unless the backend returned a different one for its pair.

        Returns:
            One graded sample per completion, in the same order.
        """
        if self._chunks is None:
            raise RuntimeError("StreamGrader(enabled=False) grades nothing")
        try:
            index = []
            for c in completions:
                queued = self._queued.get((c.problem_id, c.sample_index))
                if queued is None or queued[0] != c:
                    self.add(c)
                    queued = self._queued[(c.problem_id, c.sample_index)]
                index.append(queued[1])
            with tqdm(
                total=len(completions), disable=not self._progress, desc="grading", unit="resp"
            ) as bar:
                timed = self._chunks.results(bar)
            verdicts = [timed[i][0] for i in index]
            return self._vote(completions, verdicts)
        finally:
            self.close()

    def _vote(self, completions: Sequence[Completion], verdicts: list) -> list[GradedSample]:
        """cons@n classes per problem (``pool.vote_all``), on the same pool."""
        rows: dict[str, list[int]] = {}
        for i, c in enumerate(completions):
            rows.setdefault(c.problem_id, []).append(i)
        answers = [
            ([verdicts[i][0].extracted for i in idxs], self._by_id[pid].answer_type)
            for pid, idxs in rows.items()
        ]
        correct = [[verdicts[i][0].correct for i in idxs] for idxs in rows.values()]
        groups = vote_all(
            answers, workers=self._workers, timeout_s=self._timeout_s, pool=self._pool,
            correct=correct,
        )  # fmt: skip
        vote: list[int | None] = [None] * len(completions)
        for idxs, classes in zip(rows.values(), groups, strict=True):
            for i, g in zip(idxs, classes, strict=True):
                vote[i] = g
        return [
            GradedSample(completion=c, verdicts=tuple(v), vote_group=g)
            for c, v, g in zip(completions, verdicts, vote, strict=True)
        ]

    def close(self) -> None:
        """Stop the workers at once (idempotent): after ``finish``, or when generation failed."""
        if self._pool is not None:
            pool, self._pool, self._chunks = self._pool, None, None
            with contextlib.suppress(Exception):
                pool.stop()
                pool.join()


def grade(
    problems: Sequence[Problem],
    completions: Sequence[Completion],
    *,
    reasoning: bool,
    timeout_s: float,
    workers: int | None,
    convention: Convention = R1,
) -> list[GradedSample]:
    """Grade every completion with both graders and group equivalent answers per problem.

    All at once: ``StreamGrader`` fed with every completion, then finished.
    """
    grader = StreamGrader(
        problems, reasoning=reasoning, timeout_s=timeout_s, workers=workers,
        convention=convention,
    )  # fmt: skip
    grader.add_all(completions)
    return grader.finish(completions)


TAIL_DEFINITION = (
    "seconds from the arrival of the last completion (the backend's last sink call; the end of "
    "generation when nothing was generated) to metrics.json being written, the file just "
    "before complete.json"
)


def tail(last_arrival: float) -> dict[str, Any]:
    """``metrics.json["generation"]``'s tail: what the run spent after its last completion.

    Args:
        last_arrival: ``time.perf_counter()`` when the last completion arrived.
    """
    return {"tail_s": round(time.perf_counter() - last_arrival, 2), "tail_s_is": TAIL_DEFINITION}
