"""``harness-eval experiment=dryrun``: the whole pipeline on CPU, no download, under two minutes."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

pytest.importorskip("torch")
pytest.importorskip("lm_eval")

from tests.conftest import REPO, compose

pytestmark = pytest.mark.slow


def test_dryrun_composes():
    cfg = compose(["experiment=dryrun"])
    assert cfg.model.name == "tiny_random_qwen2" and cfg.backend.name == "lm_eval"
    assert cfg.benchmark.source.endswith(".jsonl") and cfg.limit == 5


def test_dryrun_runs_and_says_the_model_is_random(tmp_path):
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "harness.cli.eval", "experiment=dryrun",
         f"results_dir={tmp_path}", "run_id=dry"],
        capture_output=True, text=True, cwd=REPO, timeout=180,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert elapsed < 120, f"dryrun took {elapsed:.0f} s"
    assert "MODEL IS RANDOMLY INITIALISED: scores mean nothing" in out.stdout
    run = tmp_path / "dry"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["n_problems"] == 5 and metrics["n_samples"] == 2
    assert any("RANDOMLY INITIALISED" in note for note in metrics["notes"])
    rows = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 10 and all(r["prompt"].endswith("<think>\n") for r in rows)
    assert (tmp_path / "_models" / "tiny_random_qwen2" / "config.json").is_file()
