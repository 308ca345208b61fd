"""The full benchmark files load with their configs, and every copy has its recorded checksum.

Runs when ``R1_BENCHMARKS_DIR`` names the folder of full files (layout in tests/data/README.md);
deselected otherwise. The facts checked (row counts, sha256, answers the copies agree on) are
those of docs/data.md. The bundled slices in tests/data must be byte-exact prefixes or copies of
these files. GPQA is covered by tests/integration/test_data_bundled.py (the bundled encrypted
ZIP); here only its checksum is compared.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from harness.data import MATH_INSTRUCTION, load_benchmark
from harness.types import Problem
from tests.conftest import BUNDLED, DATA, extract_gpqa, full_data_dir
from tests.fixtures_data import benchmark_cfg

SHARED = full_data_dir("benchmarks") or Path("R1_BENCHMARKS_DIR unset")

pytestmark = pytest.mark.full_data("benchmarks")

# path → (rows, sha256), as docs/data.md records them (the GPQA sha256 is the extracted member's).
FILES = {
    "math500/test.jsonl": (500, "35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132"),
    "aime24/test.jsonl": (30, "af2b8bd2aa911b6333ad0df32f3ca05c7ae8ed10f1731f4372c8ae26990bf7ac"),
    "aime24/alt/evalchemy_aime24.json": (
        30,
        "2dfe4f134aee7989cd9978218ca914b3c3db4685ea06d841560ec1391ba0a409",
    ),
    "aime24/alt/rllm_aime.json": (
        30,
        "03fd341fee10fb71cf906be4eb3042081f314c4d16077489e41f9375085d20d2",
    ),
    "aime24/alt/qwq_aime24.jsonl": (
        30,
        "5a7a817807c8c2b6b541631deaa6d8c2eb7f0420e0f2373a25878921e920b6da",
    ),
    "aime25/test.jsonl": (30, "9da60057135388687f3c594476b211538d0be8e7f3b2de6e680513281412c0ec"),
    "aime25/alt/evalchemy_aime25.json": (
        30,
        "3505b87e8597a1b96821eef78f426382b7bff86c6a4a4cf19b57b24b968adfdb",
    ),
    "aime25/alt/gkv_aime25.jsonl": (
        30,
        "6caa6dcafd9a6ba06babe30e43e9a76a8272c12d2a84e479601754c1c701742c",
    ),
    "aime25/alt/areal_mathai_aime25.jsonl": (
        30,
        "b4e273c02d3e7fe1b74b59eae768fc8230bfb0f79539890cb56f4361caac0331",
    ),
    "amc23/test.jsonl": (40, "43707e1ca784602d8479de24ee8ce36609dbebc46dd152b0b12a46611aa898a4"),
    "amc23/alt/evalchemy_amc23.json": (
        40,
        "02ae54425741562778916b5fa8f6ff07749689cfcd7a53e65e1d88a89e5065f9",
    ),
    "gsm8k/test.jsonl": (1319, "3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14"),
}
GPQA_SHA256 = "41d1213cd7a4998605a26c2798500652572007161b3a92817ba46b35befcd305"
MAIN = {
    "math500": "math500/test.jsonl",
    "aime24": "aime24/test.jsonl",
    "aime25": "aime25/test.jsonl",
    "amc23": "amc23/test.jsonl",
    "gsm8k": "gsm8k/test.jsonl",
}
# SOURCES.md, AIME 2025 "Comparison": the 30 answers all four copies agree on.
_AIME25 = (
    "70 588 16 117 279 504 821 77 62 81 259 510 204 60 735 468 49 82 106 336 293 237 610 149 "
    "907 113 19 248 104 240"
)
AIME25_ANSWERS = _AIME25.split()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("ds-cache"))


def _load(name: str, rel: str, cache_dir: str, limit: int | None = None, **fields):
    cfg = benchmark_cfg(name, source=str(SHARED / rel), **fields)
    return load_benchmark(cfg, limit=limit, cache_dir=cache_dir)


def _raw_jsonl(rel: str) -> list[dict]:
    # Split on "\n" only: some texts hold U+2028, which str.splitlines() breaks on.
    text = (SHARED / rel).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def _golds(problems: list[Problem]) -> list[str]:
    return [p.gold for p in problems]


def test_checksum_table_matches_docs_data_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "data.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `([^`]+)` \| (\d+) \| ([0-9a-f]{64}) \|", doc, re.M)
    parsed = {path: (int(rows), sha) for path, rows, sha in table}
    assert parsed.pop("gpqa_diamond/gpqa_diamond.zip → gpqa_diamond.csv") == (198, GPQA_SHA256)
    assert parsed == FILES


@pytest.mark.parametrize("rel", sorted(FILES))
def test_file_bytes_match_the_recorded_sha256(rel: str) -> None:
    assert hashlib.sha256((SHARED / rel).read_bytes()).hexdigest() == FILES[rel][1]


def test_gpqa_member_matches_the_recorded_sha256(tmp_path: Path) -> None:
    csv_path = extract_gpqa(SHARED / "gpqa_diamond" / "gpqa_diamond.zip", tmp_path)
    digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()
    csv_path.unlink()
    assert digest == GPQA_SHA256


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_slices_are_byte_exact_prefixes(name: str) -> None:
    bundled = (DATA / BUNDLED[name]).read_bytes()
    full = (SHARED / name / "test.jsonl").read_bytes()
    assert bundled.endswith(b"\n") and full.startswith(bundled)


def test_bundled_gpqa_zip_is_the_same_archive() -> None:
    full = (SHARED / "gpqa_diamond" / "gpqa_diamond.zip").read_bytes()
    assert (DATA / "gpqa_diamond.zip").read_bytes() == full


@pytest.mark.parametrize("name", sorted(MAIN))
def test_main_file_loads_and_records_its_sha256(name: str, cache_dir: str) -> None:
    rel = MAIN[name]
    problems, info = _load(name, rel, cache_dir)
    rows, sha = FILES[rel]
    assert len(problems) == info.n_rows == rows
    assert info.source_sha256 == sha and info.source == str((SHARED / rel).resolve())
    assert info.benchmark == name and len({p.id for p in problems}) == rows
    assert all(p.question.strip() and p.gold for p in problems)


def test_math500(cache_dir: str) -> None:
    problems, _ = _load("math500", MAIN["math500"], cache_dir)
    raw = _raw_jsonl(MAIN["math500"])
    assert [p.id for p in problems] == [r["unique_id"] for r in raw]
    assert [p.gold for p in problems] == [r["answer"] for r in raw]
    assert [p.question for p in problems] == [r["problem"] for r in raw]
    levels = Counter(p.level for p in problems)
    assert [levels[i] for i in range(1, 6)] == [43, 90, 105, 128, 134]
    subjects = Counter(p.subject for p in problems)
    assert subjects["Algebra"] == 124 and subjects["Counting & Probability"] == 38


def test_aime24(cache_dir: str) -> None:
    problems, _ = _load("aime24", MAIN["aime24"], cache_dir)
    assert [p.id for p in problems] == [str(i) for i in range(60, 90)]
    raw = {str(r["id"]): r["answer"] for r in _raw_jsonl(MAIN["aime24"])}
    by_id = {p.id: p.gold for p in problems}
    assert raw["67"] == "025" and by_id["67"] == "25"
    assert all(by_id[i] == str(int(a)) for i, a in raw.items())
    assert all(p.answer_type == "integer" and not p.gold.startswith("0") for p in problems)


def test_aime25(cache_dir: str) -> None:
    problems, info = _load("aime25", MAIN["aime25"], cache_dir)
    assert _golds(problems) == AIME25_ANSWERS
    assert [p.id for p in problems] == [f"aime25-{i}" for i in range(30)]
    assert info.extra["suffix_stripped_rows"] == "30"
    assert not any(MATH_INSTRUCTION in p.question for p in problems)
    raw = _raw_jsonl(MAIN["aime25"])
    assert [p.question + "\n" + MATH_INSTRUCTION for p in problems] == [r["prompt"] for r in raw]


def test_amc23(cache_dir: str) -> None:
    problems, _ = _load("amc23", MAIN["amc23"], cache_dir)
    by_id = {p.id: p.gold for p in problems}
    # The ids run 0-49 with gaps (SOURCES.md's "0-39" is the row range); they are the file's own.
    assert list(by_id) == [str(r["id"]) for r in _raw_jsonl(MAIN["amc23"])]
    assert by_id["17"] == "-1" and by_id["0"] == "27"
    assert sum(g.startswith("-") for g in by_id.values()) == 1


def test_gsm8k(cache_dir: str) -> None:
    problems, _ = _load("gsm8k", MAIN["gsm8k"], cache_dir)
    assert [p.id for p in problems[:2]] == ["gsm8k-0", "gsm8k-1"] and problems[
        -1
    ].id == "gsm8k-1318"
    assert problems[0].gold == "18"
    raw = _raw_jsonl(MAIN["gsm8k"])
    assert [p.gold for p in problems] == [
        r["answer"].split("#### ")[-1].strip().replace(",", "") for r in raw
    ]
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", p.gold) for p in problems)


def test_limit_takes_the_first_problems(cache_dir: str) -> None:
    full, full_info = _load("math500", MAIN["math500"], cache_dir)
    head, info = _load("math500", MAIN["math500"], cache_dir, limit=7)
    assert head == full[:7] and info.n_rows == 500
    assert info.source_sha256 == full_info.source_sha256
    assert info.problems_sha256 != full_info.problems_sha256


# ---- alternative copies: same answers where SOURCES.md says the copies agree ----


def test_aime24_qwq_copy_same_order(cache_dir: str) -> None:
    main, _ = _load("aime24", MAIN["aime24"], cache_dir)
    alt, info = _load(
        "aime24",
        "aime24/alt/qwq_aime24.jsonl",
        cache_dir,
        problem_fields=["prompt"],
        id_field=None,
        strip_suffix="\n" + MATH_INSTRUCTION,
    )
    assert _golds(alt) == _golds(main) and info.extra["suffix_stripped_rows"] == "30"
    differ = [m.id for m, a in zip(main, alt, strict=True) if m.question != a.question]
    assert differ == ["81", "88"]  # SOURCES.md: these two lack the [asy] block


def test_aime24_evalchemy_copy_jsonl_with_json_extension(cache_dir: str) -> None:
    main, _ = _load("aime24", MAIN["aime24"], cache_dir)
    alt, info = _load(
        "aime24", "aime24/alt/evalchemy_aime24.json", cache_dir, answer_fields=["expected_answer"]
    )
    assert info.extra["format"] == "json" and alt[0].id == "aime24-0"
    assert sorted(_golds(alt)) == sorted(_golds(main))  # rows are in another order


def test_aime24_rllm_json_array_matches_problem_by_problem(cache_dir: str) -> None:
    main, _ = _load("aime24", MAIN["aime24"], cache_dir)
    alt, _ = _load("aime24", "aime24/alt/rllm_aime.json", cache_dir, id_field=None)
    urls = [r["url"] for r in _raw_jsonl(MAIN["aime24"])]
    key_main = {
        re.search(r"AIME_(I+)_Problems/Problem_(\d+)", u).groups(): p.gold
        for u, p in zip(urls, main, strict=True)
    }
    raw = json.loads((SHARED / "aime24/alt/rllm_aime.json").read_text(encoding="utf-8"))
    # rllm numbers problem 15 of each exam as 0.
    key_alt = {
        ("I" * r["aime_number"], str(r["problem_number"] or 15)): p.gold
        for r, p in zip(raw, alt, strict=True)
    }
    assert len(key_alt) == 30 and key_alt == key_main


@pytest.mark.parametrize(
    ("rel", "fields"),
    [
        ("aime25/alt/evalchemy_aime25.json", {"id_field": "id"}),
        ("aime25/alt/gkv_aime25.jsonl", {}),
        ("aime25/alt/areal_mathai_aime25.jsonl", {"id_field": "id"}),
    ],
)
def test_aime25_alt_copies_agree(rel: str, fields: dict, cache_dir: str) -> None:
    alt, info = _load("aime25", rel, cache_dir, **fields)
    assert _golds(alt) == AIME25_ANSWERS and info.source_sha256 == FILES[rel][1]


def test_amc23_evalchemy_copy_agrees(cache_dir: str) -> None:
    main, _ = _load("amc23", MAIN["amc23"], cache_dir)
    alt, _ = _load("amc23", "amc23/alt/evalchemy_amc23.json", cache_dir)
    assert [(p.id, p.gold, p.question) for p in alt] == [(p.id, p.gold, p.question) for p in main]
