"""Find run directories and load each into a frozen ``Run`` (config, metrics, sample matrix).

A run directory is what ``harness-eval`` writes (README "Results"): ``config.yaml`` beside
``metrics.json``, ``samples.jsonl`` and ``provenance.json``, and ``complete.json``, written last
once the run finished (``harness/store/run_dir.py``); without it the run is incomplete.
Before a run is read, every file ``complete.json`` lists is checked against its sha256
(``harness/store/verify.py``): a file changed or cut since the run finished is refused.
Inputs may be one run directory, a results folder, or a Hydra multirun folder
(``results/multirun_*/<job>/``): folders are searched recursively, skipping Hydra's
``.hydra/``, W&B's ``wandb/`` and earlier ``report/`` outputs.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from harness.errors import HarnessError
from harness.metrics.matrix import sample_matrix
from harness.store.model_origin import UNKNOWN
from harness.store.results import CONFIG, METRICS, PROVENANCE, SAMPLES
from harness.store.verify import COMPLETE, RunFileError, is_run_dir, read_json_object, verify_run
from harness.types import Completion, GradedSample, Verdict

SKIP_DIRS = {".hydra", "wandb", "report", "_models"}  # _models: dryrun's built tiny models


class ReportInputError(HarnessError):
    """A report input is missing, empty or holds an incomplete run; the message says the fix."""


@dataclass(frozen=True)
class RunSamples:
    """Per-sample facts of a run (or a pool of runs) as (P problems, n samples) arrays.

    Attributes:
        problem_ids: Row order.
        correct: Primary grader's verdicts.
        groups: Answer-class id within the problem, -1 where nothing was extracted.
        extracted: Primary grader's extracted answer per sample (None: none).
        truncated: Generation hit the token limit.
        no_answer: No extractable answer.
        disagree: The graders disagree on correctness.
        lengths: Response lengths (None when pooled runs measured them in different units).
        length_unit: "tokens" or "characters".
    """

    problem_ids: tuple[str, ...]
    correct: np.ndarray
    groups: np.ndarray
    extracted: tuple[tuple[str | None, ...], ...]
    truncated: np.ndarray
    no_answer: np.ndarray
    disagree: np.ndarray
    lengths: np.ndarray | None
    length_unit: str

    @property
    def shape(self) -> tuple[int, int]:
        """(P, n)."""
        return self.correct.shape


@dataclass(frozen=True)
class Run:
    r"""One evaluation run as the report needs it.

    Attributes:
        path: The run directory.
        run_id: Its name (``run_id`` of the config, else the folder name).
        model: ``model.name`` of config.yaml.
        benchmark: ``benchmark.name`` of config.yaml.
        temperature: ``sampling.temperature``.
        top_p: ``sampling.top_p``.
        max_new_tokens: ``sampling.max_new_tokens``.
        sampling_seed: ``sampling.seed``.
        problems_sha256: sha256 of the problem list evaluated (provenance.json), if recorded.
        config: config.yaml as a dict.
        metrics: metrics.json as a dict.
        provenance: provenance.json as a dict (empty when absent).
        samples: The sample matrix from samples.jsonl.
        prompt_sha256: sha256 of the prompts sent (sample 0 of each problem, in file order):
            chat template, instruction and think prefix in one value; None when not recorded.
        think_prefix: Whether the prompts end with the forced "<think>\n" (None: unknown).
        sample_keys: sha256 of each sample's (problem_id, sample_index, response): what makes
            two runs hold the same samples, whatever their files or seeds.
    """

    path: Path
    run_id: str
    model: str
    benchmark: str
    temperature: float | None
    top_p: float | None
    max_new_tokens: int | None
    sampling_seed: int | None
    problems_sha256: str | None
    config: dict[str, Any]
    metrics: dict[str, Any]
    provenance: dict[str, Any]
    samples: RunSamples
    prompt_sha256: str | None = None
    think_prefix: bool | None = None
    sample_keys: frozenset[str] = frozenset()

    @property
    def n_samples(self) -> int:
        """Samples per problem."""
        return self.samples.shape[1]

    @property
    def origin_unknown(self) -> bool:
        """A replay that named no model (``harness/store/model_origin.py``): attributed to none."""
        return self.model == UNKNOWN


def _walk(folder: Path) -> Iterable[Path]:
    if is_run_dir(folder):
        yield folder
        return
    for child in sorted(p for p in folder.iterdir() if p.is_dir()):
        if child.name not in SKIP_DIRS and not child.name.startswith("."):
            yield from _walk(child)


def discover(inputs: Sequence[Path]) -> list[Path]:
    """Run directories under the given paths, each once, in sorted order per input.

    Raises:
        ReportInputError: An input does not exist or holds no run directory.
    """
    found: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if not path.is_dir():
            raise ReportInputError(
                f"{path} is not a directory; pass a run directory, a results folder or a "
                "multirun folder (results/multirun_*)"
            )
        runs = list(_walk(path))
        if not runs:
            raise ReportInputError(
                f"no run directories found in {path} (a run directory holds config.yaml and "
                "metrics.json); run `harness-eval ...` first or pass its results_dir"
            )
        found.extend(r for r in runs if r.resolve() not in {f.resolve() for f in found})
    return found


def _rerun_hint(run_dir: Path) -> str:
    overrides = run_dir / ".hydra" / "overrides.yaml"
    if overrides.is_file():
        try:
            args = yaml.safe_load(overrides.read_text(encoding="utf-8")) or []
        except yaml.YAMLError:
            args = []
        keep = [str(a) for a in args if not str(a).startswith(("run_id=", "hydra.run.dir="))]
        where = [f"run_id={run_dir.name}", f"hydra.run.dir={run_dir}"]  # resumes it in place
        return "re-run it with `harness-eval " + " ".join(map(shlex.quote, keep + where)) + "`"
    return "re-run it with the same harness-eval overrides (see its config.yaml)"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return read_json_object(path)
    except RunFileError as exc:
        raise ReportInputError(str(exc)) from exc


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ReportInputError(f"{where}: not valid YAML ({exc}); re-run the evaluation") from exc
    if not isinstance(config, dict):
        raise ReportInputError(f"{path}:1: not a config mapping; re-run the evaluation")
    return config


def _graded(row: dict[str, Any]) -> GradedSample:
    verdicts = tuple(
        Verdict(
            grader=name,
            extracted=v.get("extracted"),
            correct=bool(v["correct"]),
            status=v["status"],
        )
        for name, v in (row.get("verdicts") or {}).items()
    ) or (Verdict("primary", row.get("extracted_answer"), bool(row["correct"]), "ok"),)
    completion = Completion(
        problem_id=str(row["problem_id"]),
        sample_index=int(row["sample_index"]),
        response=row.get("response") or "",
        finish_reason=row.get("finish_reason") or "unknown",
        n_generated_tokens=row.get("n_generated_tokens"),
    )
    return GradedSample(completion=completion, verdicts=verdicts, vote_group=row.get("vote_group"))


def load_samples(path: Path) -> RunSamples:
    """Read samples.jsonl into a ``RunSamples`` (problem order: first appearance in the file).

    Raises:
        ReportInputError: A line is not a sample row; the message names the file and line.
    """
    return _load_samples(path)[0]


def _load_samples(path: Path) -> tuple[RunSamples, list[str], frozenset[str]]:
    """The samples, the first prompt of each problem (empty when not recorded), the sample keys.

    ``Run.sample_keys`` says what a sample key is.
    """
    graded: list[GradedSample] = []
    prompts: list[str] = []
    keys: set[str] = set()
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                    graded.append(_graded(row))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    raise ReportInputError(
                        f"{path}:{number}: not a sample row ({type(exc).__name__}: {exc}); "
                        "re-run the evaluation, or delete the directory"
                    ) from exc
                if row.get("sample_index") == 0 and isinstance(row.get("prompt"), str):
                    prompts.append(row["prompt"])
                keys.add(_sample_key(graded[-1].completion))
    if not graded:
        raise ReportInputError(f"{path} holds no samples; re-run the evaluation")
    ids = list(dict.fromkeys(s.completion.problem_id for s in graded))
    try:
        m = sample_matrix(graded, ids)
    except ValueError as exc:
        raise ReportInputError(f"{path}: {exc}") from exc
    row = {pid: i for i, pid in enumerate(ids)}
    extracted = [[None] * m.correct.shape[1] for _ in ids]
    disagree = np.zeros_like(m.correct)
    for s in graded:
        i, j = row[s.completion.problem_id], s.completion.sample_index
        extracted[i][j] = s.extracted
        disagree[i, j] = s.disagreement
    samples = RunSamples(
        problem_ids=tuple(ids),
        correct=m.correct,
        groups=m.groups,
        extracted=tuple(tuple(r) for r in extracted),
        truncated=m.truncated,
        no_answer=m.no_answer,
        disagree=disagree,
        lengths=m.lengths,
        length_unit=m.length_unit,
    )
    return samples, prompts, frozenset(keys)


def _sample_key(c: Completion) -> str:
    text = json.dumps([c.problem_id, c.sample_index, c.response], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()


def load_run(run_dir: Path) -> Run:
    """Load one run directory.

    Raises:
        ReportInputError: metrics.json or samples.jsonl is missing or unreadable.
    """
    for name in (METRICS, SAMPLES, COMPLETE):
        if not (run_dir / name).is_file():
            raise ReportInputError(
                f"run directory {run_dir} has no {name}: the run probably died before it "
                f"finished (or is still running); {_rerun_hint(run_dir)}, or delete the "
                "directory, or pass --skip-incomplete to leave it out"
            )
    try:
        verify_run(run_dir, needed=(METRICS, SAMPLES, CONFIG))
    except RunFileError as exc:
        raise ReportInputError(f"{exc}; or pass --skip-incomplete to leave it out") from exc
    config = _read_yaml(run_dir / CONFIG)
    provenance = _read_json(run_dir / PROVENANCE) if (run_dir / PROVENANCE).is_file() else {}
    for key in ("model", "benchmark", "sampling"):
        if not isinstance(config.get(key) or {}, dict):
            raise ReportInputError(f"{run_dir / CONFIG}: {key} is not a mapping; it is damaged")
    sampling = config.get("sampling") or {}
    model = (config.get("model") or {}).get("name")
    benchmark = (config.get("benchmark") or {}).get("name")
    if not model or not benchmark:
        raise ReportInputError(f"{run_dir / CONFIG} lacks model.name or benchmark.name")
    samples, prompts, keys = _load_samples(run_dir / SAMPLES)
    digest = hashlib.sha256("\x00".join(prompts).encode()).hexdigest() if prompts else None
    return Run(
        path=run_dir,
        run_id=str(config.get("run_id") or run_dir.name),
        model=str(model),
        benchmark=str(benchmark),
        temperature=sampling.get("temperature"),
        top_p=sampling.get("top_p"),
        max_new_tokens=sampling.get("max_new_tokens"),
        sampling_seed=sampling.get("seed"),
        problems_sha256=(provenance.get("data") or {}).get("problems_sha256"),
        config=config,
        metrics=_read_json(run_dir / METRICS),
        provenance=provenance,
        samples=samples,
        prompt_sha256=digest,
        think_prefix=all(p.endswith("<think>\n") for p in prompts) if prompts else None,
        sample_keys=keys,
    )


def load_runs(
    inputs: Sequence[Path], *, skip_incomplete: bool = False
) -> tuple[list[Run], list[str]]:
    """Discover and load every run under ``inputs``.

    Args:
        inputs: Run directories, results folders or multirun folders.
        skip_incomplete: Leave out runs that are incomplete, changed since they finished, or
            unreadable, instead of failing.

    Returns:
        The runs, and a warning per run left out.
    """
    runs: list[Run] = []
    skipped: list[str] = []
    for run_dir in discover(inputs):
        try:
            runs.append(load_run(run_dir))
        except ReportInputError as exc:
            if not skip_incomplete:
                raise
            skipped.append(str(exc))
    if not runs:
        raise ReportInputError("every run directory found is incomplete; nothing to report")
    return runs, skipped
