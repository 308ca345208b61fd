"""Combine the runs of one cell (model × benchmark) into one sample matrix, or say why not.

Runs pool when everything that shapes their samples matches (``protocol_key``): the sampling
distribution (temperature, top-p, max new tokens), the problems (``problems_sha256``), the model
and tokenizer revisions, the prompts sent (sha256 of each problem's prompt: chat template,
instruction and think prefix), the think prefix, the graders with their versions, and the
grading convention (``grading.answer_region``, ``grading.truncated``). Pooling concatenates
samples per problem, so n grows, and every metric is recomputed from the pooled matrix by
``harness.metrics``. Runs with a different key stay separate rows, each saying why.

Two runs that hold the same samples are counted once. A sample is its (problem id, sample
index, response) and is keyed by their sha256 (``Run.sample_keys``), so a replay of a file the
same cell generated, or a byte-different copy of the same samples, is caught whatever the file
names or seeds: a run whose samples are all samples of a run kept before it is left out (a
few identical texts by chance, a short answer say, do not make two runs one). Generating
runs with the same sampling seed are left out too (the same seed stream: every sample's seed is
seed·2³² + problem·2¹⁶ + sample, so the samples repeat, up to engine nondeterminism). The run
with more samples is kept. The between-run variance of pooled runs is estimated in
``evidence.py``.

A replay of unknown origin (no ``model=``, recorded ``model: unknown``) says nothing about which
model or sampling made it, so two of them need not share either: each is its own row, labelled
"origin unknown (<run_id>)", and is pooled with nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.grading.convention import Convention
from harness.metrics import ProblemScores, problem_scores, summarize
from harness.report.runs import Run, RunSamples


@dataclass(frozen=True)
class Cell:
    """One row of the results table: one run, or several pooled runs, of a model on a benchmark.

    Attributes:
        model: Model config name.
        benchmark: Benchmark config name.
        runs: The runs pooled here (duplicates left out).
        samples: The pooled sample matrix.
        summary: ``harness.metrics.summarize`` of the pooled matrix (metrics.json's shape).
        scores: Per-problem scores of every metric, for paired comparisons.
        notes: Why this cell is separate from other rows of the same model × benchmark, and
            which runs were left out as duplicates.
    """

    model: str
    benchmark: str
    runs: tuple[Run, ...]
    samples: RunSamples
    summary: dict[str, Any]
    scores: ProblemScores
    notes: tuple[str, ...] = ()

    @property
    def n_problems(self) -> int:
        """P."""
        return self.samples.shape[0]

    @property
    def n_samples(self) -> int:
        """Pooled samples per problem."""
        return self.samples.shape[1]

    @property
    def sampling(self) -> Run:
        """A run whose sampling settings stand for the cell (all pooled runs share them)."""
        return self.runs[0]

    def metric(self, name: str) -> tuple[float, tuple[float, float]] | None:
        """Value and 95 % interval of metric ``name`` in percent, None when not computed."""
        entry = self.summary["metrics"].get(name)
        return None if entry is None else (entry["value"], tuple(entry["ci95"]))

    def run_pass1(self) -> list[float]:
        """pass@1 (percent) of each pooled run on its own: the spread across runs."""
        return [round(100.0 * float(r.samples.correct.mean()), 2) for r in self.runs]


def _model_revision(run: Run) -> Any:
    return (run.provenance.get("model") or {}).get("revision") or (
        run.config.get("model") or {}
    ).get("revision")


def _key_fields(run: Run) -> list[tuple[str, Any]]:
    graders = run.provenance.get("graders") or {}
    return [
        ("temperature", run.temperature),
        ("top_p", run.top_p),
        ("max_new_tokens", run.max_new_tokens),
        ("model revision", _model_revision(run)),
        ("tokenizer revision", (run.config.get("model") or {}).get("tokenizer_revision")),
        ("prompt sha256", run.prompt_sha256),
        ("think prefix", run.think_prefix),
        ("graders", tuple(sorted((str(k), str(v)) for k, v in graders.items()))),
        ("grading convention", _convention(run)),
    ]


def protocol_key(run: Run) -> tuple[Any, ...]:
    """What must match for two runs to pool (module docstring)."""
    problems = run.problems_sha256 or ",".join(run.samples.problem_ids)
    return (*(v for _, v in _key_fields(run)), problems)


def _convention(run: Run) -> str:
    """The grading convention of a run, from its config.yaml (the R1 rule when not recorded)."""
    return Convention.from_config(run.config.get("grading") or {}).label()


def key_differences(a: Run, b: Run) -> list[str]:
    """The protocol differences between two runs, in words."""
    out = [
        f"{name} {x} vs {y}"
        for (name, x), (_, y) in zip(_key_fields(a), _key_fields(b), strict=True)
        if x != y
    ]
    if protocol_key(a)[-1] != protocol_key(b)[-1]:
        out.append(f"different problems ({a.samples.shape[0]} vs {b.samples.shape[0]})")
    return out


def _merge_groups(parts: Sequence[RunSamples], p: int) -> list[int]:
    """Answer classes of problem ``p`` across runs.

    Within a run the grader's classes stand. Across runs, classes merge when they are correct
    (all are equivalent to the gold answer) or share an identical extracted answer; equivalent
    wrong answers written differently in two runs stay apart, which can only lower cons@n.
    """
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(x: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    anchors: dict[Any, tuple[int, int]] = {}
    nodes: list[tuple[int, int] | None] = []
    for r, part in enumerate(parts):
        for j, g in enumerate(part.groups[p]):
            if g < 0:
                nodes.append(None)
                continue
            node = find((r, int(g)))
            keys = [("text", part.extracted[p][j])] + ([("correct",)] if part.correct[p, j] else [])
            for key in keys:
                other = anchors.setdefault(key, node)
                parent[find(other)] = find(node)
            nodes.append(node)
    ids: dict[tuple[int, int], int] = {}
    return [-1 if n is None else ids.setdefault(find(n), len(ids)) for n in nodes]


def pool_samples(parts: Sequence[RunSamples]) -> RunSamples:
    """Concatenate the samples of runs on the same problems (rows aligned by problem id)."""
    first = parts[0]
    order = [[part.problem_ids.index(pid) for pid in first.problem_ids] for part in parts]

    def cat(attr: str) -> np.ndarray:
        return np.concatenate([getattr(s, attr)[o] for s, o in zip(parts, order, strict=True)], 1)

    aligned = [
        RunSamples(
            problem_ids=first.problem_ids,
            correct=s.correct[o],
            groups=s.groups[o],
            extracted=tuple(s.extracted[i] for i in o),
            truncated=s.truncated[o],
            no_answer=s.no_answer[o],
            disagree=s.disagree[o],
            lengths=None if s.lengths is None else s.lengths[o],
            length_unit=s.length_unit,
        )
        for s, o in zip(parts, order, strict=True)
    ]
    same_unit = len({s.length_unit for s in parts}) == 1 and all(
        s.lengths is not None for s in parts
    )
    groups = np.array([_merge_groups(aligned, p) for p in range(len(first.problem_ids))])
    return RunSamples(
        problem_ids=first.problem_ids,
        correct=cat("correct"),
        groups=groups.astype(np.int64),
        extracted=tuple(sum((s.extracted[p] for s in aligned), ()) for p in range(len(order[0]))),
        truncated=cat("truncated"),
        no_answer=cat("no_answer"),
        disagree=cat("disagree"),
        lengths=cat("lengths") if same_unit else None,
        length_unit=first.length_unit,
    )


def _duplicate_of(run: Run, kept: Sequence[Run]) -> str | None:
    """Why ``run`` repeats samples of a run kept already, or None."""
    generated = not (run.provenance.get("backend") or {}).get("sha256")  # replays record one
    for other in kept:
        if run.sample_keys and run.sample_keys <= other.sample_keys:
            return f"all its {len(run.sample_keys)} samples are samples of {other.run_id}"
        other_generated = not (other.provenance.get("backend") or {}).get("sha256")
        seed = run.sampling_seed
        if generated and other_generated and seed is not None and seed == other.sampling_seed:
            return f"it used the same seed stream (seed {seed}) as {other.run_id}"
    return None


def _cell(runs: list[Run], notes: list[str], stats: dict[str, Any]) -> Cell:
    kept: list[Run] = []
    for run in sorted(runs, key=lambda r: -r.n_samples):  # keep the larger of two duplicates
        why = _duplicate_of(run, kept)
        if why is not None:
            notes.append(f"{run.run_id} left out, the same samples counted once: {why}")
            continue
        kept.append(run)
    kept.sort(key=lambda r: str(r.path))
    samples = kept[0].samples if len(kept) == 1 else pool_samples([r.samples for r in kept])
    summary = summarize(
        samples.correct,
        samples.groups,
        truncated=samples.truncated,
        no_answer=samples.no_answer,
        lengths=samples.lengths,
        length_unit=samples.length_unit if samples.lengths is not None else None,
        **stats,
    )
    return Cell(
        model=origin_label(kept[0]) if kept[0].origin_unknown else kept[0].model,
        benchmark=kept[0].benchmark,
        runs=tuple(kept),
        samples=samples,
        summary=summary,
        scores=problem_scores(samples.correct, samples.groups),
        notes=tuple(notes),
    )


def origin_label(run: Run) -> str:
    """The row label of a replay of unknown origin: its own, naming the run."""
    return f"origin unknown ({run.run_id})"


def build_cells(runs: Sequence[Run], *, resamples: int, seed: int, confidence: float) -> list[Cell]:
    """Group runs into cells: pooled per model × benchmark × protocol, sorted by name.

    Args:
        runs: Loaded runs.
        resamples: Bootstrap replicates for the cell intervals.
        seed: Bootstrap seed.
        confidence: Interval coverage.

    Returns:
        One cell per model × benchmark × protocol.
    """
    stats = {"resamples": resamples, "seed": seed, "confidence": confidence}
    groups: dict[tuple[str, str], dict[tuple[Any, ...], list[Run]]] = {}
    for run in sorted(runs, key=lambda r: (r.model, r.benchmark, str(r.path))):
        model = str(run.path) if run.origin_unknown else run.model  # pooled with nothing
        groups.setdefault((model, run.benchmark), {}).setdefault(protocol_key(run), []).append(run)
    cells: list[Cell] = []
    for protocols in groups.values():
        for key, members in protocols.items():
            notes = []
            for other_key, others in protocols.items():
                if other_key != key:
                    why = "; ".join(key_differences(members[0], others[0]))
                    ids = ", ".join(r.run_id for r in others)
                    notes.append(f"not pooled with {ids}: {why}")
            cells.append(_cell(members, notes, stats))
    return cells
