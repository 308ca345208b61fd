"""Shared fixtures: the ../shared benchmark files, Hydra composition, an offline environment."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "benchmarks"
GPQA_PASSWORD = b"deserted-untie-orchid"  # ../shared/benchmarks/SOURCES.md


def shared_file(*parts: str) -> Path:
    """Path of a file under ../shared/benchmarks; skips the test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} not present (../shared is only beside the project's own checkout)")
    return path


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test may reach a network: hub and W&B stay offline."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path_factory.getbasetemp() / "hf-datasets"))


@pytest.fixture(scope="session")
def gpqa_csv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """GPQA Diamond extracted to a temporary folder for the session; never into the repo."""
    archive = SHARED / "gpqa_diamond" / "gpqa_diamond.zip"
    if not archive.is_file():
        pytest.skip(f"{archive} not present")
    out = tmp_path_factory.mktemp("gpqa")
    with zipfile.ZipFile(archive) as zf:
        zf.extract("gpqa_diamond.csv", path=out, pwd=GPQA_PASSWORD)
    yield out / "gpqa_diamond.csv"
    (out / "gpqa_diamond.csv").unlink(missing_ok=True)


def compose(overrides: list[str] | None = None):
    """Compose the root config with Hydra's compose API, as ``harness-eval`` would."""
    from harness.cli.compose import compose_config

    return compose_config(overrides or [])


os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
