r"""``backend.format=nemo_skills``: NeMo-Skills' ``output-rs<seed>.jsonl`` (or ``output.jsonl``).

Writer: NVIDIA/NeMo-Skills at commit 0b012df8 (version 0.7.0, ``nemo_skills/version.py``), which
is not on PyPI. ``nemo_skills/inference/generate.py`` (``postprocess_single_output``,
``restore_async_order``) writes one JSON line per input problem, in input order: every field of the
input data point (``problem``, ``expected_answer``, ``id``; MATH-500 keeps ``unique_id``) updated
with the model's output from ``nemo_skills/inference/model/base.py``: ``generation`` (the text),
``num_generated_tokens``, ``finish_reason`` (when the server returns one), and with
``add_generation_stats`` ``num_input_tokens`` and ``generation_time``. With
``++parse_reasoning=True`` (``nemo_skills/utils.py``, ``parse_reasoning``) ``generation`` keeps
only the text after ``</think>`` (empty when there is none) and the whole text moves to
``_full_generation``; this reader takes ``_full_generation`` when it is there. The math evaluator
(``nemo_skills/evaluation/evaluator/math.py``, ``MathEvaluator.eval_single``) adds
``predicted_answer`` (its ``extract_answer``: the last ``\boxed{}`` of the text) and
``symbolic_correct`` (its ``math_equal``): that is the tool's verdict kept beside ours.

Each random seed is one file (``output-rs0.jsonl`` … ``output-rs63.jsonl``, the 64 samples of the
NeMo-Skills paper): given one of them, every ``output-rs<k>.jsonl`` beside it is read, and the
seeds in ascending order become samples 0..k−1. Problems are matched by the benchmark's id field
when the lines hold it (``unique_id`` for MATH-500); NeMo-Skills' own AIME ids (``aime24-0``) are
not ours, so use ``backend.match=problem_text`` there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek, ReadContext
from harness.backends.importers.generic import read_jsonl_objects
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow, finish_reason
from harness.backends.importers.tool_rows import compact, first_id, think_notes, tool_accuracy
from harness.types import ToolVerdict

SEED_FILE = re.compile(r"^output-rs(?P<seed>\d+)\.jsonl$")
_KEYS = {"generation", "expected_answer"}


def looks_like(obj: Mapping[str, Any]) -> bool:
    """True for a line NeMo-Skills' generate step wrote (a generation beside the input fields)."""
    return set(obj) >= _KEYS and isinstance(obj.get("generation"), str) and "doc_id" not in obj


def files(path: Path) -> list[tuple[int | None, Path]]:
    """``(seed, file)`` of every seed file beside ``path`` (just ``path`` when it is not one)."""
    if not SEED_FILE.match(path.name):
        return [(None, path)]
    found = [(int(m["seed"]), p) for p in path.parent.iterdir() if (m := SEED_FILE.match(p.name))]
    return sorted(found)


def task(path: Path) -> str | None:
    """The benchmark of ``<output_dir>/eval-results/<benchmark>/output-rs0.jsonl``, else None.

    ``nemo_skills/pipeline/utils/eval.py`` (0b012df8) puts each benchmark's files there.
    """
    return (
        path.parent.name
        if path.parent.parent.name in ("eval-results", "tmp-eval-results")
        else None
    )


def _verdict(obj: Mapping[str, Any]) -> ToolVerdict | None:
    correct = obj.get("symbolic_correct")
    if not isinstance(correct, bool):
        return None
    answer = obj.get("predicted_answer")
    return ToolVerdict(
        tool="nemo-skills",
        correct=correct,
        answer=None if answer is None else str(answer),
        score=float(correct),
        metric="symbolic_correct",
    )


def _row(lineno: int, obj: Mapping[str, Any], sample: int, where: str, ctx: ReadContext) -> LogRow:
    text = obj.get("_full_generation")
    text = text if isinstance(text, str) else obj["generation"]
    tokens, prompt_tokens = obj.get("num_generated_tokens"), obj.get("num_input_tokens")
    problem = obj.get("problem")
    return LogRow(
        line=lineno,
        response=text,
        sample_index=sample,
        finish_reason=finish_reason(obj.get("finish_reason"), where),
        problem_id=first_id(obj, [ctx.fields.get("problem_id", "problem_id"), *ctx.id_keys]),
        problem=problem if isinstance(problem, str) else None,
        n_prompt_tokens=prompt_tokens if isinstance(prompt_tokens, int) else None,
        n_generated_tokens=tokens if isinstance(tokens, int) else None,
        tool_verdict=_verdict(obj),
    )


def read(path: Path, context: ReadContext) -> ImportedLog:
    """Read NeMo-Skills' generation output (every seed file beside ``path``).

    Raises:
        LogImportError: A line is not NeMo-Skills' shape (names the file and line).
    """
    rows: list[LogRow] = []
    seeds = files(path)
    parsed = False
    for sample, (_, file) in enumerate(seeds):
        for lineno, obj in read_jsonl_objects(file):
            parsed = parsed or "_full_generation" in obj
            where = f"{file}:{lineno}"
            if not looks_like(obj):
                raise LogImportError(
                    f"{where}: not a NeMo-Skills output line (needs 'generation' and "
                    "'expected_answer'); use backend.format=jsonl with backend.fields.* instead"
                )
            rows.append(_row(lineno, obj, sample, where, context))
    finishes = {r.finish_reason for r in rows}
    score = tool_accuracy(rows)  # its own pass@1, in percent, over the lines it judged
    origin = compact(
        {
            "tool": "nemo-skills",
            "task": task(path),
            "files": [p.name for _, p in seeds],
            "seeds": [s for s, _ in seeds if s is not None],
            "parse_reasoning": parsed or None,
            "tool_score": {"symbolic_correct": score} if score is not None else None,
        }
    )
    notes = think_notes(rows)
    if "unknown" in finishes:
        notes += (
            "some NeMo-Skills lines hold no finish_reason (its server gave none): those "
            "truncated responses cannot be told apart",
        )
    if len(seeds) > 1:
        notes += (f"{len(seeds)} seed files read as samples 0..{len(seeds) - 1} (seeds ascending)",)
    return ImportedLog("nemo_skills", tuple(rows), origin, notes)


def sniff(peek: Peek) -> str | None:
    """Lines with ``generation`` and ``expected_answer`` are NeMo-Skills'."""
    if peek.first is not None and looks_like(peek.first):
        return "lines hold generation and expected_answer (NeMo-Skills output)"
    return None


FORMAT = LogFormat(
    name="nemo_skills",
    reads="NeMo-Skills' output-rs<seed>.jsonl / output.jsonl (generation, expected_answer, "
    "symbolic_correct; every seed file beside it)",
    sniff=sniff,
    read=read,
    tool="nemo-skills",
)
