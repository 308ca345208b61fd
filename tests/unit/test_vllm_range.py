"""The supported vLLM range: refused at start outside it, with both versions named."""

from __future__ import annotations

import tomllib

import pytest

from harness.backends.vllm.runtime import SUPPORTED_VLLM, check_vllm_version
from harness.backends.vllm.sampling import VllmConfigError
from tests.conftest import REPO


@pytest.mark.parametrize("ok", ["0.25.1", "0.26.0", "0.32.0+cpu", "0.32.0", "0.33.0", "0.33.2"])
def test_versions_in_the_range_start(ok):
    check_vllm_version(ok)


@pytest.mark.parametrize("bad", ["0.24.0", "0.25.0", "0.34.0", "1.0.0", "garbage"])
def test_versions_outside_it_are_refused_naming_both(bad):
    with pytest.raises(VllmConfigError) as info:
        check_vllm_version(bad)
    text = str(info.value)
    assert bad in text and ">= 0.25.1, < 0.34" in text and "Nothing was loaded" in text


def test_the_extra_states_the_same_range():
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    lo, hi = SUPPORTED_VLLM
    assert f"vllm>={lo},<{hi}" in extra["vllm"]
    assert not any(dep.startswith("torch") for dep in extra["vllm"])  # each vLLM pins its own
