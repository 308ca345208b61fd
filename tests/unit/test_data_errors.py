"""Bad benchmark data fails with one error class whose message names the file, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.data import BenchmarkDataError, load_benchmark
from tests.fixtures_data import benchmark_cfg, write_jsonl


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("ds-cache"))


def _load(path: Path, cache_dir: str, name: str = "aime24", **fields):
    return load_benchmark(benchmark_cfg(name, source=str(path), **fields), cache_dir=cache_dir)


def test_missing_file(tmp_path: Path, cache_dir: str) -> None:
    path = tmp_path / "nope.jsonl"
    with pytest.raises(BenchmarkDataError, match="does not exist") as err:
        _load(path, cache_dir)
    assert str(path) in str(err.value) and "benchmark.source" in str(err.value)


@pytest.mark.parametrize("content", ["", "\n  \n"])
def test_empty_file(tmp_path: Path, cache_dir: str, content: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content)
    with pytest.raises(BenchmarkDataError, match="is empty") as err:
        _load(path, cache_dir)
    assert str(path) in str(err.value)


def test_wrong_extension(tmp_path: Path, cache_dir: str) -> None:
    path = tmp_path / "data.txt"
    path.write_text('{"problem": "1+1", "answer": "2"}\n')
    with pytest.raises(BenchmarkDataError, match=r"not a \.jsonl, \.json or \.csv") as err:
        _load(path, cache_dir)
    assert str(path) in str(err.value)


def test_unparsable_jsonl(tmp_path: Path, cache_dir: str) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": 1, "problem": "1+1", "answer": "2"}\n{"id": 2, "problem": \n')
    with pytest.raises(BenchmarkDataError, match="could not be parsed as JSON") as err:
        _load(path, cache_dir)
    assert str(path) in str(err.value)


def test_jsonl_without_answer_field_lists_fields(tmp_path: Path, cache_dir: str) -> None:
    path = write_jsonl(tmp_path / "q.jsonl", [{"id": 1, "problem": "1+1", "solution": "2"}])
    with pytest.raises(BenchmarkDataError, match="no answer field") as err:
        _load(path, cache_dir)
    msg = str(err.value)
    assert str(path) in msg and "['answer']" in msg
    assert "id, problem, solution" in msg and "benchmark.answer_fields" in msg


def test_csv_without_answer_field(tmp_path: Path, cache_dir: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text("id,problem,hint\n1,1+1,small\n")
    with pytest.raises(BenchmarkDataError, match="no answer field") as err:
        _load(path, cache_dir)
    assert str(path) in str(err.value) and "id, problem, hint" in str(err.value)


def test_without_problem_field(tmp_path: Path, cache_dir: str) -> None:
    path = write_jsonl(tmp_path / "q.jsonl", [{"id": 1, "text": "1+1", "answer": "2"}])
    with pytest.raises(BenchmarkDataError, match="no problem field") as err:
        _load(path, cache_dir)
    assert "benchmark.problem_fields" in str(err.value)


def test_without_configured_id_field(tmp_path: Path, cache_dir: str) -> None:
    path = write_jsonl(tmp_path / "q.jsonl", [{"problem": "1+1", "answer": "2"}])
    with pytest.raises(BenchmarkDataError, match="'id' \\(id_field\\)") as err:
        _load(path, cache_dir)
    assert "or to null" in str(err.value)


def test_duplicate_ids(tmp_path: Path, cache_dir: str) -> None:
    rows = [{"id": 7, "problem": f"p{i}", "answer": "1"} for i in range(3)]
    with pytest.raises(BenchmarkDataError, match="duplicate ids") as err:
        _load(write_jsonl(tmp_path / "dup.jsonl", rows), cache_dir)
    assert "'id'" in str(err.value) and "['7']" in str(err.value)


def test_non_integer_answer_for_integer_type(tmp_path: Path, cache_dir: str) -> None:
    rows = [{"id": 1, "problem": "p", "answer": "\\frac{1}{2}"}]
    with pytest.raises(BenchmarkDataError, match="not an integer") as err:
        _load(write_jsonl(tmp_path / "q.jsonl", rows), cache_dir)
    assert "row 0" in str(err.value) and "'answer'" in str(err.value)


def test_empty_answer(tmp_path: Path, cache_dir: str) -> None:
    rows = [{"id": 1, "problem": "p", "answer": ""}]
    with pytest.raises(BenchmarkDataError, match="answer is empty"):
        _load(write_jsonl(tmp_path / "q.jsonl", rows), cache_dir)


def test_gsm8k_answer_without_hash(tmp_path: Path, cache_dir: str) -> None:
    rows = [{"question": "q", "answer": "It is 4."}]
    with pytest.raises(BenchmarkDataError, match="'#### '"):
        _load(write_jsonl(tmp_path / "q.jsonl", rows), cache_dir, name="gsm8k")


def test_csv_header_only(tmp_path: Path, cache_dir: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text("id,problem,answer\n")
    with pytest.raises(BenchmarkDataError, match="no rows"):
        _load(path, cache_dir)


def test_hub_unreachable_says_to_set_source(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'HuggingFaceH4/aime_2024' on the Hub")

    monkeypatch.setattr(datasets, "load_dataset_builder", offline)
    with pytest.raises(BenchmarkDataError) as err:
        load_benchmark(benchmark_cfg("aime24"))
    msg = str(err.value)
    assert "HuggingFaceH4/aime_2024@2fe88a2f" in msg
    assert "benchmark.source=/path/to/file" in msg and "HF_HUB_OFFLINE" in msg


def test_hub_offline_mode_for_real(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With datasets in offline mode and an empty cache, the same error comes back quickly."""
    import datasets

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    with pytest.raises(BenchmarkDataError, match="benchmark.source="):
        load_benchmark(benchmark_cfg("gsm8k"), cache_dir=str(tmp_path))


def test_bad_answer_type_and_negative_limit(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkDataError, match="answer_type 'number'"):
        load_benchmark(benchmark_cfg("aime24", answer_type="number"))
    with pytest.raises(ValueError, match="limit"):
        load_benchmark(benchmark_cfg("aime24"), limit=-1)
