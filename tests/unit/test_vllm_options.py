"""The vLLM backend's multi-node options compose and are checked before anything loads."""

import importlib.util

import pytest

from harness.backends.base import build_backend
from harness.backends.vllm.sampling import VllmConfigError
from tests.conftest import compose


def backend(*overrides: str):
    return build_backend(compose(["backend=vllm", *overrides]))


def test_pipeline_and_executor_are_recorded():
    b = backend("backend.pipeline_parallel_size=2", "backend.distributed_executor_backend=mp")
    assert b.settings["pipeline_parallel_size"] == 2
    assert b.settings["distributed_executor_backend"] == "mp"


def test_unknown_executor_is_refused():
    with pytest.raises(VllmConfigError, match="use mp, ray, uni or null"):
        backend("backend.distributed_executor_backend=slurm")


@pytest.mark.skipif(importlib.util.find_spec("ray") is not None, reason="ray is installed here")
def test_ray_without_ray_names_the_install():
    with pytest.raises(VllmConfigError, match=r"pip install 'ray\[default\]'"):
        backend("backend.distributed_executor_backend=ray")
