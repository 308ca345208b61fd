"""The CPU vLLM environment (.venv-vllm, made by scripts/setup_vllm_cpu.sh) as tests see it.

Tests that need vLLM run their commands with that environment's Python, as subprocesses, and
skip with the reason when it is absent. The tiny model is built in that environment too.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("R1_VLLM_VENV", REPO / ".venv-vllm"))
PY = VENV / "bin" / "python"


def vllm_python() -> Path:
    """The vllm-cpu venv's interpreter; skips the test when the venv is absent."""
    if not PY.is_file():
        pytest.skip(
            f"{VENV} is absent: run `bash scripts/setup_vllm_cpu.sh` to create the CPU vLLM "
            "environment these tests run in (or set R1_VLLM_VENV=DIR to use one elsewhere)"
        )
    return PY


def vllm_env(**extra: str) -> dict[str, str]:
    """Environment for the subprocesses: offline, small CPU KV cache, no GPU."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "WANDB_MODE": "offline",
        "VLLM_CPU_KVCACHE_SPACE": "1",
        "VLLM_NO_USAGE_STATS": "1",
        "DO_NOT_TRACK": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONPATH": str(REPO),
    }
    env.pop("VIRTUAL_ENV", None)
    env.update(extra)
    return env


def run_py(args: list[str], *, timeout: int = 600, env: dict | None = None):
    """Run ``.venv-vllm/bin/python ARGS`` in the repository; return the completed process."""
    return subprocess.run(
        [str(vllm_python()), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        env=env or vllm_env(),
    )


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tiny_model(cache_dir: Path) -> Path:
    """The tiny trained R1-style model, from the model cache ``cache_dir`` (built there once)."""
    done = run_py(["-m", "tests.helpers.vllm_tiny", str(cache_dir)], timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return Path(done.stdout.strip().splitlines()[-1])


def write_problems(path: Path, pairs: list[tuple[int, int]]) -> Path:
    """A MATH-500-shaped JSONL of "What is a+b?" problems (the tiny model's training format)."""
    import json

    rows = [
        {
            "problem": f"What is {a}+{b}?",
            "answer": str(a + b),
            "unique_id": f"add/{a}_{b}",
            "level": 1,
            "subject": "arithmetic",
        }
        for a, b in pairs
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
