"""A run's budget curve finds out that its tokenizer is not on disk without importing
transformers (and torch): a replay run pays nothing for a tokenizer it cannot have."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO

PROBE = """
import json, sys
from types import SimpleNamespace
from harness.analysis.budget_run import load_run_tokenizer

model = SimpleNamespace(path=sys.argv[1] or None, hub_id=sys.argv[2], revision=None,
                        tokenizer_revision=None)
tok, label = load_run_tokenizer(model)
print(json.dumps([tok is None, label, "transformers" in sys.modules]))
"""


def probe(tmp_path, path: str, hub_id: str) -> list:
    env = {**os.environ, "HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", PROBE, path, hub_id], capture_output=True,
                         text=True, cwd=REPO, env=env, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_hub_model_absent_from_the_cache(tmp_path):
    absent, label, imported = probe(tmp_path, "", "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B")
    assert absent and not imported
    assert label.startswith("none: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B is not available")


def test_missing_model_directory(tmp_path):
    absent, label, imported = probe(tmp_path, str(tmp_path / "no-such-model"), "local:tiny")
    assert absent and not imported and "not available locally" in label
