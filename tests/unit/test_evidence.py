"""``evidence=<name>``: each entry composes into a replay run attributed to its model and
benchmark, its selection and format read a small file in the entry's schema (written as the
writer's code writes it: ``tests/helpers/tool_logs.py``, and lighteval's details as in
``tests/unit/test_importers.py``), and an unreachable hub stops the run with one line.

No entry's data set is downloaded here (no network); the schema each test file follows is the
writer's code at the commit its entry names (``evidence.schema_from``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends.evidence import EvidenceError, local_file, select_rows
from harness.backends.replay import ReplayBackend
from harness.data.loader import load_benchmark
from harness.models.tiny import bundled_problems_file
from tests.conftest import REPO, compose
from tests.helpers import tool_logs

AIME = bundled_problems_file("aime24")
ENTRIES = sorted(p.stem for p in (REPO / "configs" / "evidence").glob("*.yaml"))


def entry_run(name: str):
    cfg = compose([f"evidence={name}", f"benchmark.source={AIME}", "limit=2"])
    problems, _ = load_benchmark(cfg.benchmark, limit=2)
    return cfg, problems


def replay(cfg, problems, path: Path, n: int):
    b = ReplayBackend(str(path), benchmark=cfg.benchmark, **_backend_args(cfg))
    out = b.generate(problems, all_ids={p.id for p in problems}, n=n)
    return b.provenance(), out.completions


def _backend_args(cfg) -> dict:
    return {"format": cfg.backend.format, "match": cfg.backend.match}


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_composes_into_a_replay_run_of_its_model(name):
    cfg = compose([f"evidence={name}"])
    ev = cfg.evidence
    assert cfg.backend.name == "replay" and cfg.backend.format == ev.format
    assert cfg.model.name == ev.model and cfg.benchmark.name == ev.benchmark
    assert ev.hub_id and ev.revision and ev.schema_from and ev.verified
    assert cfg.sampling.n == ev.protocol["n"]
    assert compose([]).evidence is None  # the group is optional


def test_matharena_entry_selects_its_model_rows(tmp_path):
    cfg, problems = entry_run("matharena_r1_distill_qwen_1_5b_aime25")
    hub = tool_logs.matharena(
        problems, tmp_path / "hub.jsonl", models=("deepseek_distill_1.5b", "deepseek_distill_14b")
    )
    path = select_rows([hub], dict(cfg.evidence.select), tmp_path / "kept.jsonl")
    facts, got = replay(cfg, problems, path, 3)
    assert facts["origin"]["model"] == cfg.evidence.select.model_config
    assert len(got) == 6 and all(c.tool_verdict.tool == "matharena" for c in got)


def test_evalchemy_entry_selects_its_task_rows(tmp_path):
    cfg, problems = entry_run("evalchemy_r1_distill_qwen_1_5b_aime24")
    a = tool_logs.evalchemy(problems, tmp_path / "train-00000-of-00002.parquet", task="AIME24")
    b = tool_logs.evalchemy(problems, tmp_path / "train-00001-of-00002.parquet", task="AIME25")
    path = select_rows([a, b], dict(cfg.evidence.select), tmp_path / "kept.jsonl")
    facts, got = replay(cfg, problems, path, 3)
    assert facts["origin"]["task"] == "AIME24" and len(got) == 6


def test_openr1_entry_reads_lighteval_details(tmp_path):
    cfg, problems = entry_run("openr1_r1_distill_qwen_1_5b_aime24")
    texts = [[f"<think>\nx\n</think>\n\\boxed{{{p.gold}}}"] for p in problems]
    path = tool_logs.lighteval_details(tmp_path, problems, texts, task="lighteval|aime24|0")
    facts, got = replay(cfg, problems, path, 1)
    assert facts["format"] == "lighteval" and [c.problem_id for c in got] == ["60", "61"]


def test_select_with_no_rows_names_the_selection(tmp_path):
    _, problems = entry_run("matharena_r1_distill_qwen_1_5b_aime25")
    hub = tool_logs.matharena(problems, tmp_path / "hub.jsonl", models=("other",))
    with pytest.raises(EvidenceError, match="no row has"):
        select_rows([hub], {"model_config": "deepseek/deepseek_distill_1.5b"}, tmp_path / "k.jsonl")


def test_unreachable_hub_is_one_line_naming_the_entry_and_backend_path(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    cfg = compose(["evidence=matharena_r1_distill_qwen_1_5b_aime25"])
    with pytest.raises(EvidenceError) as info:
        local_file(cfg.evidence, str(tmp_path))
    message = str(info.value)
    assert "\n" not in message
    assert "evidence=matharena_r1_distill_qwen_1_5b_aime25" in message
    assert "backend.path=" in message
