"""Row → Problem: ids, canonical answers, suffix stripping, GPQA shuffling, limit, checksums."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from harness.data import gpqa, load_benchmark, problems_sha256
from harness.data.records import canonical_integer, gold_answer
from harness.types import Problem
from tests.fixtures_data import benchmark_cfg, write_jsonl


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("ds-cache"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("025", "25"),
        ("000", "0"),
        (" 204 ", "204"),
        (27.0, "27"),
        (-1.0, "-1"),
        (70, "70"),
        ("27.0", "27"),
        ("1,000", "1000"),
        ("-3", "-3"),
        (2.5, None),
        ("2.5", None),
        ("\\frac12", None),
        (True, None),
        (float("nan"), None),
    ],
)
def test_canonical_integer(raw: object, expected: str | None) -> None:
    assert canonical_integer(raw) == expected


def test_gold_answer_formats() -> None:
    assert gold_answer("He pays 3 + 4 = 7.\n#### 1,250", "math", "gsm8k_hash", "x") == "1250"
    assert gold_answer("\\frac{14}{3}", "math", "plain", "x") == "\\frac{14}{3}"
    assert gold_answer(" 0.5 ", "math", "plain", "x") == " 0.5 "  # math answers kept as is
    assert gold_answer("033", "integer", "plain", "x") == "33"


def test_ids_answers_and_suffix(tmp_path: Path, cache_dir: str) -> None:
    suffix = "\nPlease reason step by step, and put your final answer within \\boxed{}."
    rows = [{"prompt": "What is 1+1?" + suffix, "answer": 2}, {"prompt": "Say 3.", "answer": 3}]
    cfg = benchmark_cfg("aime25", source=str(write_jsonl(tmp_path / "a.jsonl", rows)))
    problems, info = load_benchmark(cfg, cache_dir=cache_dir)
    assert [p.id for p in problems] == ["aime25-0", "aime25-1"]
    assert [p.question for p in problems] == ["What is 1+1?", "Say 3."]
    assert [p.gold for p in problems] == ["2", "3"]
    assert all(p.answer_type == "integer" for p in problems)
    assert info.extra["suffix_stripped_rows"] == "1" and info.extra["problem_field"] == "prompt"


def test_json_array_and_limit(tmp_path: Path, cache_dir: str) -> None:
    rows = [{"problem": f"p{i}", "answer": f"{i:03d}"} for i in range(5)]
    path = tmp_path / "arr.json"
    path.write_text(json.dumps(rows, indent=2))
    cfg = benchmark_cfg("aime24", source=str(path), id_field=None)
    problems, info = load_benchmark(cfg, limit=2, cache_dir=cache_dir)
    assert [(p.id, p.gold) for p in problems] == [("aime24-0", "0"), ("aime24-1", "1")]
    assert info.n_rows == 5 and info.extra["limit"] == "2"
    assert info.source == str(path.resolve())
    assert info.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.problems_sha256 == problems_sha256(problems)
    full, full_info = load_benchmark(cfg, cache_dir=cache_dir)
    assert full[:2] == problems and full_info.problems_sha256 != info.problems_sha256
    assert full_info.source_sha256 == info.source_sha256


def test_unicode_line_separator_inside_record(tmp_path: Path, cache_dir: str) -> None:
    """U+2028 inside a text must not split a JSONL record (SOURCES.md reading note)."""
    rows = [{"id": 1, "problem": "a\u2028b", "answer": "5"}, {"id": 2, "problem": "c", "answer": 6}]
    cfg = benchmark_cfg("aime24", source=str(write_jsonl(tmp_path / "u.jsonl", rows)))
    problems, _ = load_benchmark(cfg, cache_dir=cache_dir)
    assert [p.question for p in problems] == ["a\u2028b", "c"]


def test_problems_sha256_is_canonical() -> None:
    a = [Problem(id="1", question="q", gold="A", answer_type="choice", choices=("x", "y"))]
    b = [Problem(id="1", question="q", gold="A", answer_type="choice", choices=("x", "y"))]
    assert problems_sha256(a) == problems_sha256(b)
    c = [Problem(id="1", question="q", gold="B", answer_type="choice", choices=("y", "x"))]
    assert problems_sha256(a) != problems_sha256(c)


def test_shuffle_options_is_seeded_and_per_item() -> None:
    options = ["right", "w1", "w2", "w3"]
    first = gpqa.shuffle_options(options, 0, "rec1")
    assert first == gpqa.shuffle_options(options, 0, "rec1")
    presented, letter = first
    assert sorted(presented) == sorted(options)
    assert presented["ABCD".index(letter)] == "right"
    golds = Counter(gpqa.shuffle_options(options, 0, f"rec{i}")[1] for i in range(400))
    assert set(golds) == set("ABCD") and min(golds.values()) > 70
    other = [gpqa.shuffle_options(options, 1, f"rec{i}") for i in range(20)]
    assert other != [gpqa.shuffle_options(options, 0, f"rec{i}") for i in range(20)]


def test_format_question() -> None:
    text = gpqa.format_question("Which?", ["a", "b", "c", "d"])
    assert text == "Which?\n\nA) a\nB) b\nC) c\nD) d"


def test_csv_choice_items_read_as_text(tmp_path: Path, cache_dir: str) -> None:
    """CSV cells stay text ("0.50" is not read as 0.5), ids are Record IDs, gold is a letter."""
    header = "Record ID,Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,"
    header += "Incorrect Answer 3,High-level domain\n"
    body = "r1,Pick one.,0.50,1,2,3,Physics\nr2,Again.,x,y,z,w,Chemistry\n"
    path = tmp_path / "g.csv"
    path.write_text(header + body)
    problems, info = load_benchmark(
        benchmark_cfg("gpqa_diamond", source=str(path)), cache_dir=cache_dir
    )
    first = problems[0]
    assert first.id == "r1" and first.subject == "Physics" and first.answer_type == "choice"
    assert first.choices[ord(first.gold) - ord("A")] == "0.50"
    assert first.question.startswith("Pick one.\n\nA) ")
    assert info.extra["shuffle_seed"] == "0" and info.extra["format"] == "csv"
