"""The bundled benchmark slices (tests/data) are what their README says and load with the configs.

They carry the loader facts every clone can check: MATH-500 ids and levels, AIME answers without
leading zeros, AMC float answers, GSM8K's ``####`` answers, and GPQA's seeded option shuffle (from
the encrypted ZIP, extracted to a temporary folder; no test prints its rows). The same checks on
the full files are in test_data_full.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from harness.data import load_benchmark
from tests.conftest import BUNDLED, DATA, data_file
from tests.fixtures_data import benchmark_cfg

GPQA_MEMBER_SHA256 = "41d1213cd7a4998605a26c2798500652572007161b3a92817ba46b35befcd305"


def _readme_table() -> dict[str, tuple[int, str, int]]:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| (\d+) \| ([0-9a-f]{64}) \| (\d+) \|", text, re.M)
    return {name: (int(n), sha, int(size)) for name, n, sha, size in rows}


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("ds-cache"))


def _load(name: str, cache_dir: str, limit: int | None = None, source: Path | None = None, **kw):
    cfg = benchmark_cfg(name, source=str(source or data_file(name)), **kw)
    return load_benchmark(cfg, limit=limit, cache_dir=cache_dir)


def _raw(name: str) -> list[dict]:
    # Split on "\n" only: some texts hold U+2028, which str.splitlines() breaks on.
    text = data_file(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def test_readme_lists_every_bundled_file_with_its_bytes_and_sha256() -> None:
    table = _readme_table()
    on_disk = {p.name for p in DATA.iterdir() if p.name != "README.md"}
    assert set(table) == on_disk
    for name, (_, sha, size) in table.items():
        blob = (DATA / name).read_bytes()
        assert (hashlib.sha256(blob).hexdigest(), len(blob)) == (sha, size), name


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_file_loads_with_its_config_and_records_its_sha256(name: str, cache_dir) -> None:
    problems, info = _load(name, cache_dir)
    rows, sha, _ = _readme_table()[BUNDLED[name]]
    assert len(problems) == info.n_rows == rows == len(_raw(name))
    assert info.source_sha256 == sha and info.source == str(data_file(name).resolve())
    assert len({p.id for p in problems}) == rows
    assert all(p.question.strip() and p.gold for p in problems)


def test_math500_ids_answers_and_levels(cache_dir) -> None:
    problems, _ = _load("math500", cache_dir)
    raw = _raw("math500")
    assert [(p.id, p.gold, p.question) for p in problems] == [
        (r["unique_id"], r["answer"], r["problem"]) for r in raw
    ]
    assert problems[0].id == "test/precalculus/807.json"
    assert Counter(p.level for p in problems).keys() == {1, 2, 3, 4, 5}


def test_aime24_answers_lose_their_leading_zeros(cache_dir) -> None:
    problems, _ = _load("aime24", cache_dir)
    assert [p.id for p in problems] == [str(i) for i in range(60, 90)]
    raw = {str(r["id"]): r["answer"] for r in _raw("aime24")}
    by_id = {p.id: p.gold for p in problems}
    assert raw["67"] == "025" and by_id["67"] == "25"
    assert all(by_id[i] == str(int(a)) for i, a in raw.items())
    assert all(p.answer_type == "integer" for p in problems)


def test_amc23_float_answers_become_integers(cache_dir) -> None:
    problems, _ = _load("amc23", cache_dir)
    by_id = {p.id: p.gold for p in problems}
    assert list(by_id) == [str(r["id"]) for r in _raw("amc23")]
    assert by_id["17"] == "-1" and by_id["0"] == "27"
    assert sum(g.startswith("-") for g in by_id.values()) == 1


def test_gsm8k_answer_follows_the_hashes(cache_dir) -> None:
    problems, _ = _load("gsm8k", cache_dir)
    assert [p.id for p in problems[:2]] == ["gsm8k-0", "gsm8k-1"] and problems[0].gold == "18"
    expected = [r["answer"].split("#### ")[-1].strip().replace(",", "") for r in _raw("gsm8k")]
    assert [p.gold for p in problems] == expected


def test_limit_takes_the_first_problems(cache_dir) -> None:
    full, full_info = _load("math500", cache_dir)
    head, info = _load("math500", cache_dir, limit=7)
    assert head == full[:7] and info.n_rows == 100
    assert info.source_sha256 == full_info.source_sha256
    assert info.problems_sha256 != full_info.problems_sha256


# ---- GPQA-Diamond: seeded option shuffle, from the encrypted ZIP ----


def _gpqa(csv_path: Path, cache_dir: str, limit: int | None = None, **fields):
    cfg = benchmark_cfg("gpqa_diamond", source=str(csv_path), **fields)
    return load_benchmark(cfg, limit=limit, cache_dir=cache_dir)


def test_gpqa_member_is_byte_exact(gpqa_csv: Path) -> None:
    assert hashlib.sha256(gpqa_csv.read_bytes()).hexdigest() == GPQA_MEMBER_SHA256


def test_gpqa_loads(gpqa_csv: Path, cache_dir: str) -> None:
    problems, info = _gpqa(gpqa_csv, cache_dir)
    assert len(problems) == info.n_rows == 198 and len({p.id for p in problems}) == 198
    assert info.source_sha256 == GPQA_MEMBER_SHA256 and info.extra["shuffle_seed"] == "0"
    with gpqa_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for p, row in zip(problems, rows, strict=True):
        assert p.id == row["Record ID"] and p.answer_type == "choice" and len(p.choices) == 4
        assert p.choices["ABCD".index(p.gold)] == row["Correct Answer"].strip()
        assert p.question.endswith(
            "\n".join(f"{x}) {c}" for x, c in zip("ABCD", p.choices, strict=True))
        )
    letters = Counter(p.gold for p in problems)
    assert set(letters) == set("ABCD") and all(30 <= n <= 70 for n in letters.values())


def test_gpqa_shuffle_is_stable_under_limit_and_row_order(
    gpqa_csv: Path, cache_dir: str, tmp_path: Path
) -> None:
    full, _ = _gpqa(gpqa_csv, cache_dir)
    again, _ = _gpqa(gpqa_csv, cache_dir)
    head, _ = _gpqa(gpqa_csv, cache_dir, limit=20)
    assert again == full and head == full[:20]
    with gpqa_csv.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header, rows = next(reader), list(reader)
    reversed_csv = tmp_path / "gpqa_reversed.csv"
    with reversed_csv.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *reversed(rows)])
    flipped, _ = _gpqa(reversed_csv, cache_dir)
    reversed_csv.unlink()
    assert sorted(flipped, key=lambda p: p.id) == sorted(full, key=lambda p: p.id)


def test_gpqa_other_seed_changes_the_order(gpqa_csv: Path, cache_dir: str) -> None:
    seed0, info0 = _gpqa(gpqa_csv, cache_dir)
    seed1, info1 = _gpqa(gpqa_csv, cache_dir, shuffle_seed=1)
    assert info1.extra["shuffle_seed"] == "1"
    changed = sum(a.choices != b.choices for a, b in zip(seed0, seed1, strict=True))
    assert changed > 150  # 23 of 24 permutations differ
    assert info0.problems_sha256 != info1.problems_sha256
    assert info0.source_sha256 == info1.source_sha256
