"""Fixtures shared by the integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.vllm_env import tiny_model, vllm_python


@pytest.fixture(scope="session")
def model_dir(tiny_cache) -> Path:
    """The tiny trained R1-style model for the vLLM tests (skips without .venv-vllm)."""
    vllm_python()
    return tiny_model(tiny_cache)
