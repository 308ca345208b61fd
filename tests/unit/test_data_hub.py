"""The hub path, with ``datasets.load_dataset_builder`` replaced by a local fake (no network)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import datasets
import pytest

from harness.data import load_benchmark
from tests.fixtures_data import benchmark_cfg


class FakeBuilder:
    """Stands in for a ``datasets`` builder of one hub config backed by local JSONL files."""

    def __init__(self, files: list[Path], data_files: bool = True) -> None:
        self.files = files
        urls = [f"hf://datasets/x/y@rev/{f.name}" for f in files]
        self.config = type("Cfg", (), {"data_files": {"test": urls} if data_files else None})()
        self.dl_manager = None

    def download_and_prepare(self) -> None:
        files = self.files
        self.dl_manager = type("DL", (), {"download": staticmethod(lambda urls: files)})()

    def as_dataset(self, split: str) -> datasets.Dataset:
        assert split == "test"
        return datasets.load_dataset("json", data_files=[str(f) for f in self.files], split="train")


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    files = {}
    for name, answers in {"AIME2025-I": [70, 588], "AIME2025-II": [336, 293, 237]}.items():
        path = tmp_path / f"{name}.jsonl"
        rows = [
            {"question": f"{name} problem {i}", "answer": str(a)} for i, a in enumerate(answers)
        ]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        files[name] = path
    calls = []

    def fake(hub_id: str, name: str | None = None, revision: str | None = None, **kw):
        calls.append((hub_id, name, revision))
        return FakeBuilder([files[name]], data_files=kw.get("cache_dir") != "no-data-files")

    monkeypatch.setattr(datasets, "load_dataset_builder", fake)
    return {"files": files, "calls": calls}


def test_hub_configs_are_concatenated_in_order(hub: dict) -> None:
    problems, info = load_benchmark(benchmark_cfg("aime25"))
    revision = "a6ad95f611d72cf628a80b58bd0432ef6638f958"
    assert hub["calls"] == [
        ("opencompass/AIME2025", "AIME2025-I", revision),
        ("opencompass/AIME2025", "AIME2025-II", revision),
    ]
    assert [p.gold for p in problems] == ["70", "588", "336", "293", "237"]
    assert [p.id for p in problems] == [f"aime25-{i}" for i in range(5)]
    assert info.source == f"hf://opencompass/AIME2025@{revision}" and info.n_rows == 5
    data = b"".join(hub["files"][n].read_bytes() for n in ("AIME2025-I", "AIME2025-II"))
    assert info.source_sha256 == hashlib.sha256(data).hexdigest()
    assert info.extra["hub_configs"] == "AIME2025-I,AIME2025-II"
    assert info.extra["sha256_of"] == "hub data files" and info.extra["split"] == "test"


def test_hub_without_data_files_hashes_the_arrow_cache(hub: dict) -> None:
    problems, info = load_benchmark(benchmark_cfg("aime25"), limit=1, cache_dir="no-data-files")
    assert [p.gold for p in problems] == ["70"]
    assert info.extra["sha256_of"] == "arrow cache files" and len(info.source_sha256) == 64


def test_unpinned_revision_is_resolved_to_a_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    from harness.data.hub import resolve_revision

    sha = "0123456789abcdef0123456789abcdef01234567"

    class FakeApi:  # the hub is unreachable here; this stands in for its answer
        def dataset_info(self, repo_id: str, revision: str):
            assert (repo_id, revision) == ("math-ai/amc23", "main")
            return type("Info", (), {"sha": sha})()

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    assert resolve_revision("math-ai/amc23", "main") == sha
    assert resolve_revision("x/y", sha) == sha  # already pinned: not asked


def test_unpinned_revision_offline_keeps_the_name() -> None:
    from harness.data.hub import resolve_revision

    assert resolve_revision("math-ai/amc23", "main") is None  # HF_HUB_OFFLINE=1 in tests
