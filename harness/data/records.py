"""Turn dataset rows into ``Problem`` records: pick the columns, canonicalise the gold answer."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.data import gpqa
from harness.data.errors import BenchmarkDataError
from harness.types import Problem

ANSWER_TYPES = ("math", "integer", "choice", "refusal", "identity")
ANSWER_FORMATS = ("plain", "gsm8k_hash")
GSM8K_MARK = "#### "


@dataclass(frozen=True)
class Columns:
    """The columns of one dataset that a benchmark config selects."""

    problem: str
    answer: str
    id: str | None
    level: str | None
    subject: str | None
    choices: tuple[str, ...]


def _first_present(candidates: Sequence[str], columns: Sequence[str]) -> str | None:
    return next((c for c in candidates if c in columns), None)


def resolve_columns(cfg: Any, columns: Sequence[str], where: str) -> Columns:
    """Choose the problem, answer, id, level, subject and choice columns of a dataset.

    Args:
        cfg: The benchmark config (``BenchmarkConfig`` fields).
        columns: The dataset's column names.
        where: The file or hub dataset, for error messages.

    Raises:
        BenchmarkDataError: A configured field is absent; the message lists the fields present.
    """
    have = ", ".join(columns)

    def missing(kind: str, wanted: Sequence[str], key: str) -> BenchmarkDataError:
        return BenchmarkDataError(
            f"{where} has no {kind} field {list(wanted)}; its fields are: {have}. "
            f"Set benchmark.{key} to the right field name(s)."
        )

    problem = _first_present(list(cfg.problem_fields), columns)
    if problem is None:
        raise missing("problem", list(cfg.problem_fields), "problem_fields")
    answer = _first_present(list(cfg.answer_fields), columns)
    if answer is None:
        raise missing("answer", list(cfg.answer_fields), "answer_fields")
    optional = {}
    for key in ("id_field", "level_field", "subject_field"):
        name = cfg[key]
        if name is not None and name not in columns:
            raise BenchmarkDataError(
                f"{where} has no field {name!r} ({key}); its fields are: {have}. "
                f"Set benchmark.{key} to one of them, or to null."
            )
        optional[key] = name
    choices = tuple(cfg.choice_fields)
    absent = [c for c in choices if c not in columns]
    if absent:
        raise missing("choice", absent, "choice_fields")
    return Columns(
        problem=problem,
        answer=answer,
        id=optional["id_field"],
        level=optional["level_field"],
        subject=optional["subject_field"],
        choices=choices,
    )


def canonical_integer(value: Any) -> str | None:
    """Return an integer answer as a canonical string ("025" → "25", 27.0 → "27"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if re.fullmatch(r"[+-]?\d+", text):
            return str(int(text))
        if re.fullmatch(r"[+-]?\d+\.0*", text):
            return str(int(float(text)))
    return None


def gold_answer(value: Any, answer_type: str, answer_format: str, where: str) -> str:
    """Return the gold answer as the string graders compare against.

    Args:
        value: The raw answer cell.
        answer_type: ``math`` (kept as is), ``integer`` (canonical integer) or ``choice``.
        answer_format: ``plain`` or ``gsm8k_hash`` (the text after the last "#### ", commas
            removed).
        where: File, row and field, for error messages.

    Raises:
        BenchmarkDataError: The answer is empty, lacks "#### ", or is not an integer.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BenchmarkDataError(f"{where}: the answer is empty.")
    text = value
    if answer_format == "gsm8k_hash":
        if not isinstance(value, str) or GSM8K_MARK not in value:
            raise BenchmarkDataError(
                f"{where}: no {GSM8K_MARK!r} in the answer; set benchmark.answer_format=plain "
                "if this file holds bare answers."
            )
        text = value.rsplit(GSM8K_MARK, 1)[1].strip().replace(",", "")
    if answer_type == "integer":
        canonical = canonical_integer(text)
        if canonical is None:
            raise BenchmarkDataError(
                f"{where}: answer {value!r} is not an integer; set benchmark.answer_type=math "
                "for free-form answers."
            )
        return canonical
    return text if isinstance(text, str) else str(text)


def _level(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    digits = re.search(r"\d+", str(value))  # "Level 3" in some MATH copies
    return int(digits.group()) if digits else None


def row_to_problem(
    row: Mapping[str, Any], index: int, cols: Columns, cfg: Any, where: str
) -> Problem:
    """Build the ``Problem`` of one dataset row.

    Args:
        row: The row, column name → value.
        index: 0-based row index, used for ids "<name>-<index>" when the dataset has none.
        cols: The selected columns.
        cfg: The benchmark config.
        where: The file or hub dataset, for error messages.
    """
    at = f"{where}, row {index}"
    question = row[cols.problem]
    if not isinstance(question, str) or not question.strip():
        raise BenchmarkDataError(f"{at}: field {cols.problem!r} (the problem) is empty.")
    suffix = cfg.strip_suffix
    if suffix and question.endswith(suffix):
        question = question[: -len(suffix)]
    pid = f"{cfg.name}-{index}" if cols.id is None else row[cols.id]
    if pid is None or str(pid).strip() == "":
        raise BenchmarkDataError(f"{at}: the id field {cols.id!r} is empty.")
    pid = str(pid)
    subject = row[cols.subject] if cols.subject else None
    level = _level(row[cols.level]) if cols.level else None
    if cfg.answer_type == "choice":
        options = [row[c] for c in cols.choices]
        if any(not isinstance(o, str) or not o.strip() for o in options):
            raise BenchmarkDataError(f"{at}: an option in {list(cols.choices)} is empty.")
        choices, gold = gpqa.shuffle_options([o.strip() for o in options], cfg.shuffle_seed, pid)
        question = gpqa.format_question(question.strip(), choices)
    else:
        choices = ()
        gold = gold_answer(
            row[cols.answer], cfg.answer_type, cfg.answer_format, f"{at}, field {cols.answer!r}"
        )
    return Problem(
        id=pid,
        question=question,
        gold=gold,
        answer_type=cfg.answer_type,
        level=level,
        subject=None if subject is None else str(subject),
        choices=choices,
    )
