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
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from typing import Any

from tqdm import tqdm

from harness.grading.convention import R1, Convention
from harness.grading.equivalence import needs_parser, vote_groups
from harness.grading.pool import (
    ChunkGrader,
    GradeTask,
    Pair,
    open_pool,
    prepared,
    vote_all,
    vote_budget,
    vote_chunk,
)
from harness.types import Completion, GradedSample, Problem

Sink = Any  # harness.backends.base.Sink; grading does not import the backends
_Vote = tuple[list[str | None], list[bool]]  # a problem's extracted answers and verdicts


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
        n: Samples per problem. Given, a problem is voted on (cons@n classes) as soon as its
            n samples are graded, and ``on_problem`` gets its graded samples, in sample order.
        on_problem: Called with a problem's graded samples once they are final (see ``n``);
            ``finish`` still returns every sample, and its result is what counts.
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
        n: int | None = None,
        on_problem: Callable[[list[GradedSample]], None] | None = None,
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
        self._keys: list[tuple[str, int]] = []  # queue index -> (problem id, sample index)
        self._n = n
        self._on_problem = on_problem
        self._graded: dict[str, dict[int, Pair]] = {}  # verdicts back from the workers
        self._votes: dict[str, tuple[_Vote, Future | list[int | None]]] = {}
        self.last_arrival: float | None = None  # perf_counter() of the latest ``add``

    def add(self, completion: Completion) -> None:
        """Queue one completion for grading (cut to its answer window here, graded in a worker)."""
        self.last_arrival = time.perf_counter()
        problem = self._by_id.get(completion.problem_id)
        if self._chunks is None or problem is None:
            return
        key = (completion.problem_id, completion.sample_index)
        index = self._chunks.add(prepared(self._task(completion, problem)))
        self._queued[key] = (completion, index)
        self._keys.append(key)
        self._graded.get(key[0], {}).pop(key[1], None)  # a replaced completion grades anew
        self.poll()

    def poll(self) -> None:
        """Take the verdicts back so far; vote on every problem whose n samples are graded.

        ``add`` calls it; call it too while waiting for completions, to hand problems on sooner.
        """
        if self._chunks is None or self._n is None:
            return
        for index, (pair, _) in self._chunks.ready():
            pid, sample = key = self._keys[index]
            if self._queued[key][1] != index:
                continue  # superseded by a later completion for the same pair
            got = self._graded.setdefault(pid, {})
            got[sample] = pair
            if len(got) == self._n and set(got) == set(range(self._n)):
                self._start_vote(pid, got)
        for pid, (_, vote) in list(self._votes.items()):
            if isinstance(vote, Future) and vote.done():
                try:
                    self._votes[pid] = (self._votes[pid][0], vote.result()[0])
                except Exception:  # noqa: BLE001 - timed out or crashed: ``finish`` votes again
                    del self._votes[pid]
                    continue
                self._emit(pid)

    def _start_vote(self, pid: str, got: dict[int, Pair]) -> None:
        """cons@n classes of one problem: here when no LaTeX parse is needed, else in a worker."""
        assert self._pool is not None
        answers = [got[s][0].extracted for s in range(len(got))]
        correct = [got[s][0].correct for s in range(len(got))]
        kind = self._by_id[pid].answer_type
        if needs_parser(answers, kind, correct):
            fut = self._pool.schedule(
                vote_chunk,
                args=([(answers, kind, correct)], self._timeout_s),
                timeout=vote_budget(answers, self._timeout_s),
            )
            self._votes[pid] = ((answers, correct), fut)
        else:
            self._votes[pid] = (
                (answers, correct),
                vote_groups(answers, kind, self._timeout_s, correct),
            )
            self._emit(pid)

    def _emit(self, pid: str) -> None:
        """Hand ``on_problem`` the problem's graded samples, in sample order."""
        if self._on_problem is None:
            return
        (_, _), groups = self._votes[pid]
        assert isinstance(groups, list)
        got = self._graded[pid]
        self._on_problem(
            [
                GradedSample(
                    completion=self._queued[(pid, s)][0], verdicts=tuple(got[s]), vote_group=g
                )
                for s, g in zip(range(len(got)), groups, strict=True)
            ]
        )

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
        groups: list[list[int | None] | None] = [
            self._streamed(pid, a, c) for pid, (a, _), c in zip(rows, answers, correct, strict=True)
        ]
        left = [k for k, g in enumerate(groups) if g is None]
        for k, g in zip(left, vote_all(
            [answers[k] for k in left], workers=self._workers, timeout_s=self._timeout_s,
            pool=self._pool, correct=[correct[k] for k in left],
        ), strict=True):  # fmt: skip
            groups[k] = g
        vote: list[int | None] = [None] * len(completions)
        for idxs, classes in zip(rows.values(), groups, strict=True):
            for i, g in zip(idxs, classes, strict=True):
                vote[i] = g
        return [
            GradedSample(completion=c, verdicts=tuple(v), vote_group=g)
            for c, v, g in zip(completions, verdicts, vote, strict=True)
        ]

    def _streamed(
        self, pid: str, answers: list[str | None], correct: list[bool]
    ) -> list[int | None] | None:
        """The classes voted while streaming, if they were voted on these very answers."""
        inputs, vote = self._votes.get(pid, (None, None))
        if inputs != (answers, correct):
            return None
        if isinstance(vote, Future):
            try:
                return vote.result()[0]
            except Exception:  # noqa: BLE001 - timed out or crashed: vote_all's retries
                return None
        return vote

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
