"""The vLLM backend's layout at run time: GPUs read, TP and replicas chosen or refused, no weights.

The same real model configs and machines as test_fit.py, seen the way ``VllmBackend`` sees them:
``nvidia-smi`` output filtered by ``CUDA_VISIBLE_DEVICES``, and the backend's own settings.
"""

from __future__ import annotations

import pytest

from harness.backends.vllm.layout import Layout, context_length, resolve_layout, visible_gpus
from harness.backends.vllm.replicas import cpu_slice, merge_stats, shard, wholly_in_process
from harness.backends.vllm.sampling import VllmConfigError
from tests.conftest import compose
from tests.unit.test_fit import DISTILLS, EXPECTED

R1_LEN = 32768 + 2048  # max new tokens + the prompt budget (vllm.layout.context_length)


def smi(count: int, mib: int, name: str = "NVIDIA A100-SXM4-80GB") -> str:
    return "".join(f"{i}, GPU-{i:04d}aaaa, {name}, {mib}\n" for i in range(count))


def gpus(count: int, gib: float) -> list:
    return visible_gpus(lambda: smi(count, int(gib * 1024)), env={})


def layout(model: str, machine: list, *overrides: str, max_len: int = R1_LEN) -> Layout:
    cfg = compose(["backend=vllm", f"model={model}", *overrides])
    from harness.backends.base import build_backend

    backend = build_backend(cfg)
    return resolve_layout(cfg.model, backend.settings, max_model_len=max_len, gpus=machine)


def test_visible_gpus_follow_cuda_visible_devices():
    text = smi(4, 81920)
    assert [i for i, _ in visible_gpus(lambda: text, env={})] == ["0", "1", "2", "3"]
    assert [i for i, _ in visible_gpus(lambda: text, env={"CUDA_VISIBLE_DEVICES": "2,0"})] == [
        "2",
        "0",
    ]
    by_uuid = visible_gpus(lambda: text, env={"CUDA_VISIBLE_DEVICES": "GPU-0003"})
    assert [i for i, _ in by_uuid] == ["GPU-0003"] and by_uuid[0][1].memory_gib == 80.0
    # CUDA stops at the first id it cannot use; "" and -1 hide every GPU
    assert len(visible_gpus(lambda: text, env={"CUDA_VISIBLE_DEVICES": "1,7,2"})) == 1
    assert visible_gpus(lambda: text, env={"CUDA_VISIBLE_DEVICES": ""}) == []
    assert visible_gpus(lambda: text, env={"CUDA_VISIBLE_DEVICES": "-1"}) == []
    assert visible_gpus(lambda: None, env={}) == []


@pytest.mark.parametrize("model", DISTILLS)
def test_auto_layout_matches_the_plan_for_all_six_distills(model):
    for (count, gib), want in zip(
        [(1, 24), (1, 80), (2, 80), (8, 80)], EXPECTED[model], strict=True
    ):
        if want is None:
            with pytest.raises(VllmConfigError, match="Nothing was loaded"):
                layout(model, gpus(count, gib))
            continue
        got = layout(model, gpus(count, gib))
        assert (got.tp, got.replicas, got.decided_by) == (*want, "fit")
        assert got.fit["kv_cache"] > 0 and got.devices == tuple(str(i) for i in range(count))


def test_replicas_get_disjoint_device_slices():
    got = layout("r1_distill_qwen_32b", gpus(8, 80))
    assert (got.tp, got.replicas) == (2, 4)
    assert got.replica_devices() == ["0,1", "2,3", "4,5", "6,7"]
    got = layout("r1_distill_qwen_1_5b", gpus(8, 80), "backend.data_parallel_size=3")
    assert got.replicas == 3 and got.replica_devices() == ["0", "1", "2"]


def test_refusals_name_the_numbers_and_the_fix():
    with pytest.raises(VllmConfigError, match=r"needs ≥ 131\.4 GiB.*Nothing was loaded"):
        layout("r1_distill_llama_70b", gpus(1, 80))
    # a set TP that does not divide the heads (Qwen 32B: 40 heads, 8 KV heads)
    with pytest.raises(VllmConfigError, match=r"tensor_parallel_size=3 does not divide"):
        layout("r1_distill_qwen_32b", gpus(4, 80), "backend.tensor_parallel_size=3")
    # a set TP that divides the heads but leaves no KV cache: the message says what fits
    with pytest.raises(
        VllmConfigError, match=r"TP=1, PP=1 .* one 34,816-token sequence.*TP=2 fits"
    ):
        layout("r1_distill_qwen_32b", gpus(2, 80), "backend.tensor_parallel_size=1")
    with pytest.raises(VllmConfigError, match=r"needs 4 GPUs, but 2 are visible \(0,1\)"):
        layout("r1_distill_qwen_7b", gpus(2, 80), "backend.tensor_parallel_size=4")
    with pytest.raises(VllmConfigError, match=r"data_parallel_size=0: use 1 or more, or null"):
        layout("r1_distill_qwen_7b", gpus(2, 80), "backend.data_parallel_size=0")
    with pytest.raises(VllmConfigError, match=r"at most 2 replicas fit"):
        layout("r1_distill_qwen_7b", gpus(2, 80), "backend.data_parallel_size=3")


def test_longer_context_needs_more_gpus():
    # 7B on two 24 GB GPUs: the R1 budget fits one engine per GPU; the model's own 131,072-token
    # context needs 7 GiB of KV cache per sequence at TP=1, so both GPUs go to one engine
    short = layout("r1_distill_qwen_7b", gpus(2, 24))
    assert (short.tp, short.replicas) == (1, 2)
    got = layout("r1_distill_qwen_7b", gpus(2, 24), max_len=131072)
    assert (got.tp, got.replicas) == (2, 1)


def test_set_tp_is_checked_and_kept():
    got = layout("r1_distill_qwen_1_5b", gpus(2, 80), "backend.tensor_parallel_size=2")
    assert (got.tp, got.replicas, got.decided_by) == (2, 1, "set")


def test_ray_runs_one_replica_and_refuses_more():
    cfg = compose(["backend=vllm", "model=r1_distill_llama_70b"])
    from harness.backends.base import build_backend

    settings = {**build_backend(cfg).settings, "distributed_executor_backend": "ray"}
    settings["pipeline_parallel_size"] = 2  # stages on other nodes: only TP is local
    got = resolve_layout(cfg.model, settings, max_model_len=R1_LEN, gpus=gpus(8, 80))
    assert (got.tp, got.pp, got.replicas) == (2, 2, 1)
    with pytest.raises(VllmConfigError, match="run one job per replica"):
        resolve_layout(
            cfg.model, {**settings, "data_parallel_size": 2}, max_model_len=R1_LEN, gpus=[]
        )
    # vLLM's CPU build refuses Ray only after start-up: refused here first
    with pytest.raises(VllmConfigError, match="CPU build does not support the Ray executor"):
        resolve_layout(cfg.model, settings, max_model_len=R1_LEN, gpus=[])


def test_uni_executor_keeps_one_device_per_replica():
    uni = "backend.distributed_executor_backend=uni"
    got = layout("r1_distill_qwen_1_5b", gpus(8, 80), uni)
    assert (got.tp, got.replicas) == (1, 8)  # one engine, one worker per GPU
    with pytest.raises(VllmConfigError, match="uni runs one worker on one device.*needs 2"):
        layout("r1_distill_qwen_1_5b", gpus(2, 80), uni, "backend.tensor_parallel_size=2")
    with pytest.raises(VllmConfigError, match="needs 2: use mp.*Nothing was loaded"):
        layout("r1_distill_qwen_1_5b", [], uni, "backend.tensor_parallel_size=2")
    # the 70B needs four 80 GB GPUs: the fit does not choose TP=4 for one worker
    assert layout("r1_distill_llama_70b", gpus(8, 80)).tp == 4
    with pytest.raises(VllmConfigError, match="uni runs one worker.*tensor_parallel_size=4"):
        layout("r1_distill_llama_70b", gpus(8, 80), uni)


def test_without_gpus_nothing_is_fitted():
    got = layout("r1_distill_llama_70b", [], "backend.data_parallel_size=2", max_len=4096)
    assert (got.tp, got.pp, got.replicas, got.devices) == (1, 1, 2, None)
    assert got.decided_by == "no GPU visible" and got.replica_devices() == [None, None]


def test_api_model_without_architecture_facts_defaults_to_tp_1():
    got = layout("gpt_4o_0513", gpus(2, 80))
    assert got.tp == 1 and got.replicas == 2 and got.decided_by.startswith("default 1")


def test_context_length_budget():
    assert context_length(None, 131072, 300, 32768) == (
        34816,
        "sampling.max_new_tokens + max(longest prompt, 2048)",
    )
    assert context_length(None, 131072, 5000, 32768)[0] == 37768
    assert context_length(None, 4096, 300, 32768) == (4096, "the model's own context length")
    assert context_length(256, 131072, 300, 32768) == (256, "backend.max_model_len")


def test_sharding_and_cpu_binding():
    assert shard([4, 0, 2, 1, 3], 2) == [[0, 2, 4], [1, 3]]
    assert shard([0], 3) == [[0], [], []]
    assert [cpu_slice(r, 2, [0, 1, 2, 3]) for r in range(2)] == ["0,1", "2,3"]
    assert [cpu_slice(r, 2, [0, 1]) for r in range(2)] == ["0", "1"]
    assert cpu_slice(2, 3, [0]) == "0" and cpu_slice(0, 3, [0]) == "nobind"


def test_replica_stats_add_up():
    one = {"requests": 2, "prompt_tokens": 20, "generated_tokens": 100, "load_time_s": 3.0,
           "num_gpus": 1, "peak_accelerator_memory_bytes": 5}  # fmt: skip
    two = {**one, "generated_tokens": 60, "load_time_s": 5.0, "peak_accelerator_memory_bytes": 9}
    got = merge_stats([one, two], wall_s=13.0)
    assert (got["requests"], got["generated_tokens"], got["num_gpus"], got["replicas"]) == (
        4,
        160,
        2,
        2,
    )
    assert got["tokens_per_s"] == 20.0 and got["peak_accelerator_memory_bytes"] == 9
    assert (
        merge_stats([one, {**two, "peak_accelerator_memory_bytes": None}], 13.0)[
            "peak_accelerator_memory_bytes"
        ]
        is None
    )


def test_only_an_engine_without_processes_of_its_own_runs_in_the_run_process(monkeypatch):
    uni, default = {"distributed_executor_backend": "uni"}, {"distributed_executor_backend": None}
    monkeypatch.delenv("VLLM_ENABLE_V1_MULTIPROCESSING", raising=False)
    assert not wholly_in_process(uni, {})  # vLLM's default: an engine-core process
    monkeypatch.setenv("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
    assert wholly_in_process(uni, {})
    assert not wholly_in_process(default, {})  # mp executor: a worker process
    assert not wholly_in_process({"distributed_executor_backend": "mp"}, {})
    assert not wholly_in_process(uni, {"CUDA_VISIBLE_DEVICES": "3"})  # needs its own devices
    monkeypatch.setenv("VLLM_ENABLE_V1_MULTIPROCESSING", "1")
    assert not wholly_in_process(uni, {})
