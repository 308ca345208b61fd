"""GPU discovery on NVIDIA and AMD (fake driver tools on PATH, as the vLLM tests fake nvidia-smi),
visibility variables, the catalogue's new entries, and a GPU the catalogue does not know."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.backends.vllm.layout import resolve_layout, visible_gpus
from harness.plan.discover import discover, parse_amd_smi, parse_rocm_smi
from harness.plan.hardware import (
    UNKNOWN_GPU_NOTE,
    Gpu,
    detect_gpus,
    detected_entry,
    load_hardware,
    match_hardware,
    price_table,
)
from tests.conftest import REPO, compose

MI300X_MB = 196608  # amd-smi reports VRAM in MB (MiB): 192 GiB


def amd_smi_json(n: int, name: str = "AMD Instinct MI300X") -> str:
    return json.dumps(
        [
            {"gpu": i, "asic": {"market_name": name, "asic_serial": f"0x{i:04x}"},
             "vram": {"type": "HBM", "size": {"value": MI300X_MB, "unit": "MB"}}}
            for i in range(n)
        ]
    )  # fmt: skip


def rocm_smi_json(n: int) -> str:
    card = {"Card series": "AMD Instinct MI300X", "VRAM Total Memory (B)": str(192 * 2**30)}
    return json.dumps({f"card{i}": card for i in range(n)})


def fake_tools(folder: Path, **outputs: str) -> dict[str, str]:
    """Scripts named like the driver tools that print ``outputs[tool]``; the environment."""
    folder.mkdir(parents=True, exist_ok=True)
    for tool, text in outputs.items():
        (folder / f"{tool}.out").write_text(text)
        script = folder / tool.replace("_", "-")
        script.write_text(f"#!/bin/sh\ncat '{folder / f'{tool}.out'}'\n")
        script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}/usr/bin{os.pathsep}/bin"}


def test_amd_smi_and_rocm_smi_outputs_parse():
    gpus = parse_amd_smi(amd_smi_json(2))
    assert [(g.id, g.name, g.memory_gib, g.vendor) for g in gpus] == [
        ("0", "AMD Instinct MI300X", 192.0, "amd"), ("1", "AMD Instinct MI300X", 192.0, "amd"),
    ]  # fmt: skip
    assert parse_amd_smi(json.dumps({"gpu_data": json.loads(amd_smi_json(1))}))[0].id == "0"
    rocm = parse_rocm_smi(rocm_smi_json(3))
    assert [g.id for g in rocm] == ["0", "1", "2"] and rocm[0].memory_gib == 192.0
    assert parse_amd_smi("not json") == [] and parse_rocm_smi("[]") == []


def test_hip_visible_devices_filters_amd_gpus_and_cuda_ones_are_left_alone():
    text = amd_smi_json(8)

    def run(argv):
        return text if argv[0] == "amd-smi" else None

    assert len(discover(run, env={}, use_torch=False)) == 8
    seen = discover(run, env={"HIP_VISIBLE_DEVICES": "6,7"}, use_torch=False)
    assert [g.id for g in seen] == ["6", "7"]
    # ROCm also honours CUDA_VISIBLE_DEVICES when HIP_VISIBLE_DEVICES is unset
    assert [g.id for g in discover(run, env={"CUDA_VISIBLE_DEVICES": "3"}, use_torch=False)] == [
        "3"
    ]
    both = {"HIP_VISIBLE_DEVICES": "1", "CUDA_VISIBLE_DEVICES": "2,3"}  # HIP's wins
    assert [g.id for g in discover(run, env=both, use_torch=False)] == ["1"]


def test_fake_amd_smi_on_path_drives_the_fit(tmp_path, monkeypatch):
    env = fake_tools(tmp_path / "bin", amd_smi=amd_smi_json(8))
    monkeypatch.setenv("PATH", env["PATH"])
    monkeypatch.setenv("HIP_VISIBLE_DEVICES", "0,1,2,3")
    assert detect_gpus() == [Gpu("AMD Instinct MI300X", 192.0)] * 4
    gpus = visible_gpus()
    assert [i for i, _ in gpus] == ["0", "1", "2", "3"]
    cfg = compose(["model=r1_distill_qwen_32b", "backend=vllm"])
    settings = {
        "tensor_parallel_size": None, "pipeline_parallel_size": 1, "data_parallel_size": None,
        "distributed_executor_backend": None, "gpu_memory_utilization": 0.9,
        "enforce_eager": False, "max_num_seqs": None,
    }  # fmt: skip
    layout = resolve_layout(cfg.model, settings, max_model_len=34816, gpus=gpus)
    assert (layout.tp, layout.replicas) == (1, 4)  # a 32B distill fits one 192 GiB MI300X
    assert layout.replica_devices() == ["0", "1", "2", "3"]


def test_rocm_smi_is_the_fallback(tmp_path, monkeypatch):
    env = fake_tools(tmp_path / "bin", rocm_smi=rocm_smi_json(2))
    monkeypatch.setenv("PATH", env["PATH"])
    monkeypatch.delenv("HIP_VISIBLE_DEVICES", raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert [g.name for g in detect_gpus()] == ["AMD Instinct MI300X"] * 2


def harness_plan(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "harness.cli.plan", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120, env=env)


def test_the_plan_uses_the_detected_amd_gpus_and_prices_them(tmp_path):
    env = fake_tools(tmp_path / "bin", amd_smi=amd_smi_json(8))
    out = harness_plan(env, "model=r1_distill_llama_70b", "benchmark=aime24", "--hardware",
                       "detected", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    (row,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert row["hardware"] == "mi300x_192gb" and row["tp"] == 1  # 70B bf16 fits 192 GiB
    assert row["cost_usd"] == pytest.approx(row["gpu_hours"] * 3.00, rel=1e-3)


def test_an_unknown_gpu_still_plans_from_its_reported_memory(tmp_path):
    env = fake_tools(tmp_path / "bin", amd_smi=amd_smi_json(2, name="AMD Instinct MI999"))
    out = harness_plan(env, "model=r1_distill_qwen_7b", "benchmark=aime24", "--hardware",
                       "detected", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    (row,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert row["hardware"] == "detected" and row["cost_usd"] == 0.0 and row["tp"] == 1
    entry = detected_entry([Gpu("AMD Instinct MI999", 192.0)], price_table())
    assert entry["price_source"] == UNKNOWN_GPU_NOTE and entry["memory_gib"] == 192.0
    none = fake_tools(tmp_path / "empty")
    out = harness_plan(none, "model=r1_distill_qwen_7b", "--hardware", "detected")
    assert out.returncode == 2 and "no GPU found" in out.stderr and "Traceback" not in out.stderr


NEW = ["mi300x_192gb", "l40s_48gb", "a10g_24gb", "t4_16gb", "rtx4090_24gb", "rtx3090_24gb"]


@pytest.mark.parametrize("name", NEW)
def test_new_entries_plan_and_price(name):
    entry = load_hardware(name)
    assert entry["memory_bandwidth_gb_s"] > 0 and entry["price_per_gpu_hour"] > 0
    assert "estimate" in entry["price_source"] and "estimate" in entry["throughput_source"]
    out = harness_plan(dict(os.environ), "model=r1_distill_qwen_1_5b", "benchmark=aime24",
                       "--hardware", name, "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    (row,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert row["hardware"] == name and row["tp"] == 1
    assert row["cost_usd"] == pytest.approx(
        row["gpu_hours"] * entry["price_per_gpu_hour"], rel=1e-2
    )


def test_driver_names_match_the_most_specific_entry():
    table = price_table()
    names = {
        "NVIDIA L40S": "l40s_48gb", "NVIDIA L4": "l4_24gb", "NVIDIA A10G": "a10g_24gb",
        "Tesla T4": "t4_16gb", "NVIDIA GeForce RTX 4090": "rtx4090_24gb",
        "NVIDIA GeForce RTX 3090": "rtx3090_24gb", "AMD Instinct MI300X": "mi300x_192gb",
        "NVIDIA H100 80GB HBM3": "h100_80gb", "NVIDIA A100-SXM4-80GB": "a100_80gb",
    }  # fmt: skip
    for driver_name, entry in names.items():
        assert match_hardware(driver_name, table)["name"] == entry, driver_name


def test_consumer_card_fits_what_the_measured_table_says():
    env = dict(os.environ)
    fits = {}
    for model in ("r1_distill_qwen_7b", "r1_distill_qwen_14b"):
        out = harness_plan(env, f"model={model}", "benchmark=aime24", "--hardware",
                           "rtx4090_24gb", "--gpus", "1", "--json")  # fmt: skip
        assert out.returncode == 0, out.stderr
        (row,) = [json.loads(line) for line in out.stdout.splitlines()]
        fits[model] = row["tp"]
        if not row["tp"]:
            assert "REFUSED" in row["note"] and "TP=2" in row["note"], row["note"]
    # measured on an H200 (README): 7B 18.0 GiB fits one 24 GiB card; 14B (35.9 GiB) does not
    assert fits == {"r1_distill_qwen_7b": 1, "r1_distill_qwen_14b": 0}
