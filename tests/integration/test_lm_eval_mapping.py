"""The one sampling → lm-eval gen_kwargs mapping, the preflight messages, the tiny builder."""

from __future__ import annotations

import json

import pytest
from omegaconf import OmegaConf

from harness.backends.lm_eval.sampling import gen_kwargs, sample_seed
from harness.backends.preflight import PreflightError, check_accelerator, model_location

R1 = OmegaConf.create({"temperature": 0.6, "top_p": 0.95, "max_new_tokens": 32768, "seed": 0})
GREEDY = OmegaConf.create({"temperature": 0.0, "top_p": 1.0, "max_new_tokens": 100, "seed": 0})


def test_hf_r1_protocol():
    assert gen_kwargs(R1, "hf") == {
        "until": [], "max_gen_toks": 32768, "do_sample": True, "temperature": 0.6,
        "top_p": 0.95, "top_k": 0,
    }  # fmt: skip


def test_greedy():
    assert gen_kwargs(GREEDY, "hf") == {
        "until": [], "max_gen_toks": 100, "do_sample": False, "temperature": 0.0,
    }  # fmt: skip


def test_vllm_keeps_special_tokens():
    kw = gen_kwargs(R1, "vllm")
    assert kw["skip_special_tokens"] is False and kw["top_k"] == -1 and kw["until"] == []


def test_api_seeds_differ_per_sample():
    seeds = {
        gen_kwargs(R1, "local-chat-completions", seed=sample_seed(0, p, s))["seed"]
        for p in range(3)
        for s in range(4)
    }
    assert len(seeds) == 12
    assert "seed" not in gen_kwargs(R1, "hf", seed=5)  # HF batches: one global seed


def _model(**kw):
    base = {"hub_id": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "revision": None,
            "path": None, "extra": {}}  # fmt: skip
    return OmegaConf.create(base | kw)


def test_offline_hub_model_says_what_to_set(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(PreflightError) as info:
        model_location(_model())
    message = str(info.value)
    for hint in ("model.path=", "backend=lm_eval", "limit=", "experiment=dryrun"):
        assert hint in message


def test_bad_local_path(tmp_path):
    with pytest.raises(PreflightError, match="not a model directory"):
        model_location(_model(path=str(tmp_path / "nope")))


def test_cuda_requested_without_gpu():
    from harness.backends.preflight import cuda_available

    if cuda_available():
        pytest.skip("a GPU is visible")
    with pytest.raises(PreflightError, match="no GPU"):
        check_accelerator("lm_eval", "cuda")
    assert check_accelerator("lm_eval", None) == "cpu"


def test_tiny_build_is_deterministic_and_never_clobbers(tmp_path):
    pytest.importorskip("torch")
    from harness.models.tiny import TinySpec, build_tiny_model, ensure_tiny_model

    a = build_tiny_model(tmp_path / "a", TinySpec())
    b = build_tiny_model(tmp_path / "b", TinySpec())
    for name in ("model.safetensors", "tokenizer.json", "tokenizer_config.json", "config.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    cfg = json.loads((a / "tokenizer_config.json").read_text())
    assert cfg["chat_template"].endswith("{{'<｜Assistant｜><think>\\n'}}{% endif %}")
    other = tmp_path / "user_model"
    other.mkdir()
    (other / "config.json").write_text("{}")
    ensure_tiny_model(other, TinySpec())
    assert (other / "config.json").read_text() == "{}"  # not ours: left alone
