"""Fit decisions for the real model configs (no weights), on 24 GB and 80 GB machines."""

from __future__ import annotations

import pytest

from harness.plan.arch import NotPlannable, architecture
from harness.plan.fit import FitSettings, fit, tp_allowed
from harness.plan.hardware import Machine, detect_gpus, machine_from_gpus, parse_nvidia_smi
from tests.conftest import compose

DISTILLS = [
    "r1_distill_qwen_1_5b",
    "r1_distill_qwen_7b",
    "r1_distill_llama_8b",
    "r1_distill_qwen_14b",
    "r1_distill_qwen_32b",
    "r1_distill_llama_70b",
]
ONE_24 = Machine("24 GB GPU", 24.0, 1)
ONE_80 = Machine("A100 80GB", 80.0, 1)
TWO_80 = Machine("A100 80GB", 80.0, 2)
EIGHT_80 = Machine("A100 80GB", 80.0, 8)
MACHINES = [ONE_24, ONE_80, TWO_80, EIGHT_80]

# (tp, replicas) or None for a refusal, per machine above. 32B on one 80 GB GPU: the weights
# (61 GiB) fit but leave < 8.5 GiB, less than one 34,816-token sequence of KV cache; DeepSeek's
# own serving example uses TP=2 for it (NOTES §5).
EXPECTED = {
    "r1_distill_qwen_1_5b": [(1, 1), (1, 1), (1, 2), (1, 8)],
    "r1_distill_qwen_7b": [(1, 1), (1, 1), (1, 2), (1, 8)],
    "r1_distill_llama_8b": [None, (1, 1), (1, 2), (1, 8)],
    "r1_distill_qwen_14b": [None, (1, 1), (1, 2), (1, 8)],
    "r1_distill_qwen_32b": [None, None, (2, 1), (2, 4)],
    "r1_distill_llama_70b": [None, None, None, (4, 2)],
}


def arch(name: str):
    return architecture(compose([f"model={name}"]).model)


@pytest.mark.parametrize("model", DISTILLS)
def test_fit_decisions_for_every_distill(model):
    a = arch(model)
    for machine, expected in zip(MACHINES, EXPECTED[model], strict=True):
        f = fit(a, machine)
        got = (f.tp, f.replicas) if f.ok else None
        assert got == expected, (model, machine.describe(), f.reason)
        if f.ok:
            assert a.num_heads % f.tp == 0 and tp_allowed(a, f.tp)
            assert f.max_concurrent_sequences >= 1
            assert f.per_gpu["kv_cache"] >= f.kv_gib_per_sequence
            assert f.max_model_len == 32768 + 2048
        else:
            assert f.reason and "Use " in f.reason


def test_32b_on_24gb_is_refused_for_its_weights():
    f = fit(arch("r1_distill_qwen_32b"), ONE_24)
    assert not f.ok
    assert "needs ≥ 61.0 GiB (66 GB) for bfloat16 weights" in f.reason
    assert "24 GiB" in f.reason and "quantised" in f.reason


def test_70b_needs_four_80gb_gpus():
    a = arch("r1_distill_llama_70b")
    one = fit(a, ONE_24)
    assert "131.4 GiB (141 GB)" in one.reason
    two = fit(a, TWO_80)
    assert not two.ok and two.gpus_needed == 4 and "KV cache" in two.reason
    assert "Use 4 GPUs of 80 GiB (TP=4" in two.reason
    eight = fit(a, EIGHT_80)
    assert (
        eight.ok
        and eight.tp == 4
        and eight.backend_settings()
        == {
            "tensor_parallel_size": 4,
            "pipeline_parallel_size": 1,
            "data_parallel_size": 2,
            "distributed_executor_backend": "mp",
            "max_model_len": 34816,
        }
    )


def test_model_beyond_one_node_uses_ray_pipeline_parallel():
    a = arch("deepseek_r1")  # 671B FP8, MLA
    assert not fit(a, EIGHT_80).ok
    f = fit(a, Machine("H100", 79.6, 8, nodes=2))
    assert f.ok and (f.tp, f.pp) == (8, 2)
    assert f.backend_settings()["distributed_executor_backend"] == "ray"


def test_max_model_len_must_fit_the_context():
    a = arch("qwen2_5_math_7b_instruct")  # 4,096-token context
    f = fit(a, EIGHT_80)
    assert not f.ok and "exceeds the model's context of 4,096" in f.reason
    assert fit(a, EIGHT_80, FitSettings(max_model_len=4096)).ok


def test_tp_must_divide_heads_and_respect_kv_heads():
    a = arch("r1_distill_qwen_7b")  # 28 heads, 4 KV heads
    assert [t for t in (1, 2, 3, 4, 7, 8) if tp_allowed(a, t)] == [1, 2, 4]
    b = arch("r1_distill_qwen_1_5b")  # 12 heads, 2 KV heads: TP=3 divides heads, not KV
    assert not tp_allowed(b, 3) and tp_allowed(b, 4) and not tp_allowed(b, 8)


def test_kv_cache_per_token_matches_the_formula():
    a = arch("r1_distill_llama_70b")
    assert a.head_dim == 128
    assert a.kv_bytes_per_token(1) == 2 * 80 * 8 * 128 * 2
    assert a.kv_bytes_per_token(16) == 2 * 80 * 1 * 128 * 2  # KV heads replicated past 8


def test_api_models_are_not_plannable():
    with pytest.raises(NotPlannable):
        architecture(compose(["model=o1_mini"]).model)


def test_gpu_detection_is_injectable():
    smi = "NVIDIA H100 80GB HBM3, 81559\nNVIDIA H100 80GB HBM3, 81559\n"
    gpus = detect_gpus(lambda: smi)
    assert gpus == parse_nvidia_smi(smi) and len(gpus) == 2 and gpus[0].memory_gib == 79.6
    machine = machine_from_gpus(gpus)
    assert machine.gpus_per_node == 2 and fit(arch("r1_distill_qwen_32b"), machine).tp == 2
    assert detect_gpus(lambda: None) == [] and machine_from_gpus([]) is None
