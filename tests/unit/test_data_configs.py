"""Every benchmark YAML composes through its schema and states a pinned, documented protocol."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf

from harness.config.schema import BenchmarkConfig, register
from harness.data import GPQA_INSTRUCTION, MATH_INSTRUCTION
from tests.fixtures_data import BENCHMARKS, CONFIG_DIR, benchmark_cfg

SHA = re.compile(r"[0-9a-f]{40}")


def test_every_benchmark_file_is_listed() -> None:
    # lm_eval_task is no data benchmark: the lm-eval task's own config says where its data live.
    # probes_* are bundled behaviour probes, no hub data (tests/unit/test_probe_sets.py).
    files = {p.stem for p in (CONFIG_DIR / "benchmark").glob("*.yaml")} - {"lm_eval_task"}
    files = {f for f in files if not f.startswith("probes_")}
    assert sorted(files) == sorted(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_composes_through_schema(name: str) -> None:
    cfg = benchmark_cfg(name)
    assert OmegaConf.get_type(cfg) is BenchmarkConfig
    assert cfg.name == name and cfg.source is None
    assert cfg.answer_type in {"math", "integer", "choice"}
    assert cfg.answer_format in {"plain", "gsm8k_hash"}
    assert OmegaConf.missing_keys(cfg) == set()


@pytest.mark.parametrize("name", BENCHMARKS)
def test_composes_from_root_config(name: str) -> None:
    compose = pytest.importorskip("harness.cli.compose")
    cfg = compose.compose_config([f"benchmark={name}"])
    assert cfg.benchmark.name == name


@pytest.mark.parametrize("name", BENCHMARKS)
def test_revision_is_pinned_or_marked(name: str) -> None:
    text = (CONFIG_DIR / "benchmark" / f"{name}.yaml").read_text()
    revision = benchmark_cfg(name).revision
    assert SHA.fullmatch(revision) or (revision == "main" and "TODO(pin)" in text)


def test_samples_per_problem_follow_r1_protocol() -> None:
    n = {name: benchmark_cfg(name).n_samples for name in BENCHMARKS}
    assert n == {
        "math500": 4,
        "aime24": 64,
        "aime25": 64,
        "amc23": 64,
        "gpqa_diamond": 4,
        "gsm8k": 4,
    }


def test_typo_in_a_benchmark_file_fails_at_compose_time(tmp_path: Path) -> None:
    from hydra import compose, initialize_config_dir

    text = (CONFIG_DIR / "benchmark" / "aime24.yaml").read_text() + "n_sampels: 3\n"
    (tmp_path / "benchmark").mkdir()
    (tmp_path / "benchmark" / "typo.yaml").write_text(text)
    register()
    with (
        initialize_config_dir(config_dir=str(tmp_path), version_base="1.3"),
        pytest.raises(ConfigCompositionException, match="n_sampels"),
    ):
        compose(config_name=None, overrides=["+benchmark=typo"])


def test_wrong_type_fails_on_assignment() -> None:
    cfg = benchmark_cfg("aime24")
    with pytest.raises(Exception, match="n_samples"):
        cfg.n_samples = "many"


def test_instructions() -> None:
    assert (
        MATH_INSTRUCTION
        == "Please reason step by step, and put your final answer within \\boxed{}."
    )
    assert "letter" in GPQA_INSTRUCTION and "\\boxed{}" in GPQA_INSTRUCTION
    assert benchmark_cfg("aime25").strip_suffix == "\n" + MATH_INSTRUCTION
