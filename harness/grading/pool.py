"""Grade many responses on all cores with a hard per-response time limit (pebble processes).

Signals cannot stop C code (Python big-int arithmetic inside sympy), so the limit is enforced by
pebble killing the worker process. Responses go in chunks for speed; a chunk that runs out of
time is graded again one response per task, each with its own limit, so only the response that
hangs gets status "timeout".
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from pebble import ProcessExpired, ProcessPool
from tqdm import tqdm

from harness.grading import grader_math_verify as mv
from harness.grading import grader_normalized as mn
from harness.grading.equivalence import needs_parser, vote_groups, vote_groups_exact
from harness.grading.extract import prepare
from harness.grading.graders import grade_window
from harness.types import AnswerType, Verdict, VerdictStatus

# Responses per pebble task: large enough that IPC and scheduling cost little per response
# (measured in benchmarks/RESULTS_grading.md), small enough that a chunk retry is cheap.
CHUNK_SIZE = 64

# Most problems per voting task. A batch of 4 per worker or more keeps scheduling cheap; 16
# caps the work a timed-out batch redoes one problem at a time.
VOTE_CHUNK_MAX = 16

Pair = tuple[Verdict, Verdict]
_Item = tuple[VerdictStatus | None, str, str, str]  # (status, window, gold, answer_type)


@dataclass(frozen=True)
class GradeTask:
    """One response to grade, with what its grading needs."""

    response: str
    finish_reason: str
    gold: str
    answer_type: AnswerType
    reasoning: bool
    answer_region: str = "after_think"  # grading convention (harness.grading.convention)
    truncated: str = "wrong"


def _init_worker() -> None:
    """Quiet math-verify and load its parser once per worker (antlr warm-up).

    The warm-up answer is a fraction: a plain number would take the fast path and never load
    the LaTeX parser.
    """
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    grade_window(None, "$\\boxed{\\frac{1}{2}}$", "\\frac{1}{2}", "math", 1.0)


def open_pool(workers: int | None = None) -> ProcessPool:
    """A grading pool, one process per core by default.

    Share it between ``grade_all`` and ``vote_all`` so the workers start and warm up
    math-verify's parser once per run.
    """
    return ProcessPool(max_workers=workers or os.cpu_count() or 1, initializer=_init_worker)


def _using(pool: ProcessPool | None, workers: int | None) -> contextlib.AbstractContextManager:
    """The given pool, left open for its owner, or a new one closed on exit."""
    return contextlib.nullcontext(pool) if pool is not None else open_pool(workers)


def _grade_chunk(items: list[_Item], timeout_s: float) -> list[tuple[Pair, float]]:
    """Worker: grade items in order; returns each pair with its grading wall time."""
    out = []
    for status, window, gold, answer_type in items:
        t0 = time.perf_counter()
        pair = grade_window(status, window, gold, answer_type, timeout_s)
        out.append((pair, time.perf_counter() - t0))
    return out


def _failed(status: VerdictStatus) -> Pair:
    return Verdict(mv.NAME, None, False, status), Verdict(mn.NAME, None, False, status)


def prepared(t: GradeTask) -> _Item:
    """What a worker needs for one task: the response cut to its answer window (a small message)."""
    status, window = prepare(t.response, t.finish_reason, t.reasoning, t.answer_region, t.truncated)
    return status, window, t.gold, t.answer_type


class ChunkGrader:
    """Send responses to a pool in chunks as they come, and collect their verdicts in order.

    Every ``chunk_size`` added responses go to the workers at once as one task with a limit of
    ``chunk_size`` × ``timeout_s`` (pebble counts it from when a worker starts the task, so a
    chunk scheduled early is not penalised). ``results`` sends the last partial chunk, waits, and
    grades the responses of a chunk that timed out or crashed again one per task, each with its
    own limit: the same verdicts as grading them all at once.

    Args:
        pool: An open pool (``open_pool``); its owner closes it.
        timeout_s: Hard limit per response in seconds.
        chunk_size: Responses per task.
    """

    def __init__(self, pool: ProcessPool, timeout_s: float, chunk_size: int = CHUNK_SIZE) -> None:
        self._pool = pool
        self._timeout_s = timeout_s
        self._size = chunk_size
        self._items: list[_Item] = []
        self._chunks: list[tuple[range, Future]] = []
        self._unread: list[tuple[range, Future]] = []  # sent, not yet returned by ``ready``
        self._sent = 0

    def add(self, item: _Item) -> int:
        """Queue one prepared response (``prepared``); returns its index for ``results``."""
        self._items.append(item)
        if len(self._items) - self._sent >= self._size:
            self._send()
        return len(self._items) - 1

    def _send(self) -> None:
        c = range(self._sent, len(self._items))
        if c:
            fut = self._pool.schedule(
                _grade_chunk,
                args=([self._items[i] for i in c], self._timeout_s),
                timeout=len(c) * self._timeout_s,
            )
            self._chunks.append((c, fut))
            self._unread.append((c, fut))
            self._sent = len(self._items)

    def ready(self) -> list[tuple[int, tuple[Pair, float]]]:
        """``(index, result)`` of every response whose chunk finished well since the last call.

        A chunk that failed is left to ``results``, which grades its responses again one by one.
        """
        out = []
        pending = []
        for c, fut in self._unread:
            if not fut.done():
                pending.append((c, fut))
            elif not fut.cancelled() and fut.exception() is None:
                out.extend(zip(c, fut.result(), strict=True))
        self._unread = pending
        return out

    def results(self, bar: tqdm | None = None) -> list[tuple[Pair, float]]:
        """Every added response's verdict pair and grading time, in the order added."""
        self._send()
        timeout_s = self._timeout_s
        results: list[tuple[Pair, float] | None] = [None] * len(self._items)
        retry: list[int] = []
        for c, fut in self._chunks:
            try:
                for i, res in zip(c, fut.result(), strict=True):
                    results[i] = res
                if bar is not None:
                    bar.update(len(c))
            except (FutureTimeout, ProcessExpired, Exception):
                retry.extend(c)
        singles = {
            i: self._pool.schedule(
                _grade_chunk, args=([self._items[i]], timeout_s), timeout=timeout_s
            )
            for i in retry
        }
        for i, fut in singles.items():
            try:
                results[i] = fut.result()[0]
            except FutureTimeout:
                results[i] = (_failed("timeout"), timeout_s)
            except Exception:  # the worker died (memory, crash) or pickling failed
                results[i] = (_failed("error"), 0.0)
            if bar is not None:
                bar.update(1)
        return [r if r is not None else (_failed("error"), 0.0) for r in results]


def grade_all_timed(
    tasks: Sequence[GradeTask],
    *,
    workers: int | None = None,
    timeout_s: float,
    progress: bool = True,
    chunk_size: int = CHUNK_SIZE,
    pool: ProcessPool | None = None,
) -> list[tuple[Pair, float]]:
    """Like ``grade_all`` but also returns each response's grading time in seconds."""
    items = [prepared(t) for t in tasks]  # cut to the answer window here: small messages
    with (
        _using(pool, workers) as pool,
        tqdm(total=len(items), disable=not progress, desc="grading", unit="resp") as bar,
    ):
        chunks = ChunkGrader(pool, timeout_s, chunk_size)
        for item in items:
            chunks.add(item)
        return chunks.results(bar)


def grade_all(
    tasks: Sequence[GradeTask],
    *,
    workers: int | None,
    timeout_s: float,
    progress: bool = True,
    pool: ProcessPool | None = None,
) -> list[Pair]:
    """Grade responses in parallel; never raises on any text and never exceeds the time limit.

    Args:
        tasks: The responses and their gold answers.
        workers: Worker processes (None: all cores).
        timeout_s: Hard limit per response in seconds (a chunk of k gets k × timeout_s).
        progress: Show a tqdm bar.
        pool: A pool from ``open_pool`` to use (left open); None: a new one for this call.

    Returns:
        (primary, secondary) verdicts per task, in task order.

    """
    timed = grade_all_timed(
        tasks, workers=workers, timeout_s=timeout_s, progress=progress, pool=pool
    )
    return [pair for pair, _ in timed]


_Vote = tuple[list[str | None], str, list[bool] | None]  # answers, answer_type, verdicts


def vote_chunk(problems: list[_Vote], timeout_s: float) -> list:
    """Worker: ``vote_groups`` for several problems, in order."""
    return [vote_groups(a, t, timeout_s, correct) for a, t, correct in problems]


def vote_budget(answers: list[str | None], timeout_s: float) -> float:
    """The hard limit of one problem's grouping: ``timeout_s`` per answer."""
    return max(1, len(answers)) * timeout_s


def vote_all(
    problems: Sequence[tuple[list[str | None], str]],
    *,
    workers: int | None,
    timeout_s: float,
    pool: ProcessPool | None = None,
    correct: Sequence[list[bool]] | None = None,
) -> list[list[int | None]]:
    """Run ``vote_groups`` for many problems, the LaTeX ones in worker processes under a hard limit.

    Problems whose answers need no LaTeX parse (letters, integers, plain numbers) are grouped
    here at once. The others go to the workers in chunks (a few per worker, so scheduling costs
    little); a chunk that runs past the sum of its problems' budgets (``timeout_s`` × answers)
    or crashes is retried one problem per task, and a problem that fails alone falls back to
    grouping by normalised string (``vote_groups_exact``).

    Args:
        problems: (extracted answers of the n samples, answer_type) per problem.
        workers: Worker processes (None: all cores).
        timeout_s: Per-answer budget in seconds.
        pool: A pool from ``open_pool`` to use (left open); None: a new one for this call.
        correct: The primary grader's verdicts per problem (see ``vote_groups``), if known.

    Returns:
        Class ids per problem, as ``vote_groups`` returns them.

    """
    votes: list[_Vote] = [
        (a, t, None if correct is None else list(correct[i])) for i, (a, t) in enumerate(problems)
    ]
    out: list[list[int | None] | None] = [None] * len(problems)
    pending = []
    for i, (answers, answer_type, verdicts) in enumerate(votes):
        if needs_parser(answers, answer_type, verdicts):
            pending.append(i)
        else:
            out[i] = vote_groups(answers, answer_type, timeout_s, verdicts)
    if pending:
        n_workers = workers or os.cpu_count() or 1
        size = max(1, min(VOTE_CHUNK_MAX, len(pending) // (4 * n_workers)))
        chunks = [pending[i : i + size] for i in range(0, len(pending), size)]
        with _using(pool, workers) as pool:
            futures = [
                pool.schedule(
                    vote_chunk,
                    args=([votes[i] for i in c], timeout_s),
                    timeout=sum(vote_budget(problems[i][0], timeout_s) for i in c),
                )
                for c in chunks
            ]
            retry: list[int] = []
            for c, fut in zip(chunks, futures, strict=True):
                try:
                    for i, groups in zip(c, fut.result(), strict=True):
                        out[i] = groups
                except Exception:
                    retry.extend(c)
            singles = {
                i: pool.schedule(
                    vote_chunk,
                    args=([votes[i]], timeout_s),
                    timeout=vote_budget(problems[i][0], timeout_s),
                )
                for i in retry
            }
            for i, fut in singles.items():
                try:
                    out[i] = fut.result()[0]
                except Exception:
                    out[i] = vote_groups_exact(*votes[i])
    return [g if g is not None else vote_groups_exact(*v) for g, v in zip(out, votes, strict=True)]
