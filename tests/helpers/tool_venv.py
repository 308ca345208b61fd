"""What the tests of other tools' own logs share (inspect-ai, lighteval, evalscope).

Each tool runs in its own venv under ``.venv-tools/`` (``scripts/setup_tool_venvs.sh``) and writes
its log of the first 3 bundled AIME 2024 problems, 2 samples each; the log is then imported with
``harness-eval backend=replay`` (in this process: ``tests/helpers/eval_inproc.py``) and compared
with our own replay of the same texts under two grading conventions.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers import eval_inproc

DATA = REPO / "tests" / "data" / "aime24.jsonl"
TOOLS = REPO / "tests" / "integration" / "tools"
N_PROBLEMS = 3
CONVENTIONS = {
    "r1": ("grading.answer_region=after_think", "grading.truncated=wrong"),
    "lenient": ("grading.answer_region=anywhere", "grading.truncated=grade"),
}


def tool_venv(name: str, exe: str = "python") -> Path:
    """``.venv-tools/NAME``; skips the calling module when its ``bin/EXE`` is absent."""
    venv = REPO / ".venv-tools" / name
    if not (venv / "bin" / exe).is_file():
        pytest.skip(
            f"{venv} is absent: run `bash scripts/setup_tool_venvs.sh {name}`",
            allow_module_level=True,
        )
    return venv


def run(args: list, timeout: int = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    """A tool's own command (a subprocess in its venv), which must succeed."""
    out = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=timeout, env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out


def harness_eval(results: Path, run_id: str, *extra: str) -> Path:
    """``harness-eval`` on the 3 problems, n=2, ``backend=replay``; its run directory."""
    out = eval_inproc.harness_eval(
        "benchmark=aime24", f"benchmark.source={DATA}", f"limit={N_PROBLEMS}", "sampling.n=2",
        "grading.workers=1", f"results_dir={results}", f"run_id={run_id}", "backend=replay",
        *extra,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return results / run_id


def grade_both(tmp: Path, log: Path, ours: list[dict], prefix: str = "import") -> dict[str, Path]:
    """The tool's log and ``ours`` (our replay rows of the same texts), each graded under both
    conventions: run directories ``{prefix}_{name}`` and ``replay_{name}``."""
    (tmp / "ours.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ours))
    res, out = tmp / "results", {}
    for name, conv in CONVENTIONS.items():
        out[f"{prefix}_{name}"] = harness_eval(
            res, f"{prefix}_{name}", f"backend.path={log}", *conv
        )
        out[f"replay_{name}"] = harness_eval(
            res, f"replay_{name}", f"backend.path={tmp / 'ours.jsonl'}", "backend.format=replay",
            *conv,
        )  # fmt: skip
    return out


def rows(run_dir: Path) -> list[dict]:
    """A run's ``samples.jsonl``."""
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]


def verdicts(run_dir: Path) -> list[tuple]:
    """Every sample's text, finish reason and verdicts, sorted: equal lists mean equal grading."""
    return sorted(
        (r["problem_id"], r["sample_index"], r["response"], r["finish_reason"], r["correct"],
         r["extracted_answer"], json.dumps(r["verdicts"], sort_keys=True))
        for r in rows(run_dir)
    )  # fmt: skip


def compare(a: Path, b: Path, out: Path) -> eval_inproc.Result:
    """``harness-compare A B --out OUT`` in this process, which must succeed."""
    result = eval_inproc.harness_compare(str(a), str(b), "--out", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result
