"""Every model config composes against the schema and its architecture facts hang together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

from harness.config.schema import ModelConfig

MODEL_DIR = Path(__file__).resolve().parents[2] / "configs" / "model"
FILES = sorted(MODEL_DIR.glob("*.yaml"))
HEADER = ["/schema/model/model@_here_", "_self_"]
ARCH_KEYS = (
    "num_hidden_layers",
    "hidden_size",
    "num_attention_heads",
    "num_key_value_heads",
    "intermediate_size",
    "vocab_size",
    "max_position_embeddings",
    "n_params",
)
EXPECTED = {
    "r1_distill_qwen_1_5b", "r1_distill_qwen_7b", "r1_distill_qwen_14b", "r1_distill_qwen_32b",
    "r1_distill_llama_8b", "r1_distill_llama_70b", "qwq_32b_preview",
    "qwen2_5_math_1_5b_instruct", "qwen2_5_math_7b_instruct", "qwen2_5_32b_instruct",
    "llama_3_1_8b_instruct", "llama_3_3_70b_instruct", "gpt_4o_0513", "o1_mini",
    "deepseek_reasoner", "claude_3_5_sonnet_1022", "local_vllm_serve", "deepseek_r1", "o1_1217",
}  # fmt: skip


def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _config(path: Path) -> ModelConfig:
    raw = _raw(path)
    raw.pop("defaults")
    merged = OmegaConf.merge(OmegaConf.structured(ModelConfig), raw)
    # Interpolations into the root config (tiny_random_qwen2's path under ${results_dir})
    # resolve against the root's default.
    root = OmegaConf.create({"results_dir": "results", "model": merged})
    return OmegaConf.to_object(root.model)


def test_zoo_is_complete() -> None:
    assert {p.stem for p in FILES} >= EXPECTED


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_composes_against_schema(path: Path) -> None:
    assert _raw(path)["defaults"] == HEADER
    cfg = _config(path)
    assert cfg.name == path.stem
    assert cfg.hub_id


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_secrets(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"\b(sk-[A-Za-z0-9_-]{10,}|sk-ant-[A-Za-z0-9_-]+)", text)
    assert not re.search(r"^\s*(api_key|token|password|secret)\s*:", text, re.M)
    extra = _config(path).extra
    if "api_base" in extra:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*_API_KEY", extra["api_key_env"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_revision_pinned_or_marked(path: Path) -> None:
    cfg = _config(path)
    if cfg.family == "api" or cfg.hub_id.startswith("local:"):  # built on the fly, no hub repo
        return
    pinned = cfg.revision is not None and re.fullmatch(r"[0-9a-f]{40}", cfg.revision)
    assert pinned or "TODO(pin)" in path.read_text()


def _dense_params(x: dict) -> int:
    h, heads, kv = x["hidden_size"], x["num_attention_heads"], x["num_key_value_heads"]
    kv_dim = kv * (h // heads)
    bias = (h + 2 * kv_dim) if x["family"] == "qwen2" else 0  # Qwen2 has q/k/v biases
    layer = 2 * h * h + 2 * h * kv_dim + bias + 3 * h * x["intermediate_size"] + 2 * h
    embeddings = x["vocab_size"] * h * (1 if x["tie_word_embeddings"] else 2)
    return x["num_hidden_layers"] * layer + embeddings + h


@pytest.mark.parametrize(
    "path", [p for p in FILES if _raw(p)["family"] != "api"], ids=lambda p: p.stem
)
def test_architecture_consistent(path: Path) -> None:
    cfg = _config(path)
    x = cfg.extra
    for key in ARCH_KEYS:
        assert isinstance(x[key], int) and x[key] > 0, key
    assert x["hidden_size"] % x["num_attention_heads"] == 0
    assert x["num_attention_heads"] % x["num_key_value_heads"] == 0
    assert cfg.context_length <= x["max_position_embeddings"]
    if cfg.family in ("qwen2", "llama"):
        assert x["n_params"] == _dense_params({**x, "family": cfg.family})


def test_reasoning_flags() -> None:
    reasoning = {p.stem for p in FILES if _config(p).reasoning}
    assert {f.stem for f in FILES if f.stem.startswith("r1_distill")} <= reasoning
    assert {"deepseek_r1", "qwq_32b_preview"} <= reasoning
    assert not reasoning & {"o1_mini", "o1_1217", "gpt_4o_0513", "claude_3_5_sonnet_1022"}
