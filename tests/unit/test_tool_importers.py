"""NeMo-Skills, evalchemy, MathArena and SkyThought logs (written as their writer code writes them,
``tests/helpers/tool_logs.py``) import with the tool's origin and own verdicts, and ``auto`` tells
them apart from each other and from lm-eval's, lighteval's and our own files.
"""

from __future__ import annotations

import pytest

from harness.backends.importers import LogImportError, detect, read_log
from harness.backends.replay import ReplayBackend
from harness.data.loader import load_benchmark
from harness.models.tiny import bundled_problems_file
from tests.conftest import compose
from tests.helpers import tool_logs

AIME = bundled_problems_file("aime24")
MATH = bundled_problems_file("math500")


def bench(*overrides: str):
    cfg = compose(list(overrides))
    problems, _ = load_benchmark(cfg.benchmark, limit=2)
    return cfg, problems


def imported(cfg, problems, path, match="id"):
    b = ReplayBackend(str(path), benchmark=cfg.benchmark, match=match)
    out = b.generate(problems, all_ids={p.id for p in problems}, n=3)
    return b.provenance(), out.completions


@pytest.fixture
def aime():
    return bench("benchmark=aime24", f"benchmark.source={AIME}")


def test_nemo_skills_reads_every_seed_file_with_symbolic_correct(tmp_path, aime):
    cfg, problems = aime
    path = tool_logs.nemo_skills(problems, tmp_path / "eval-results" / "aime24")
    facts, got = imported(cfg, problems, path, match="problem_text")
    assert facts["format"] == "nemo_skills" and facts["format_chosen_by"].startswith("auto: ")
    assert facts["origin"]["files"] == ["output-rs0.jsonl", "output-rs1.jsonl", "output-rs2.jsonl"]
    assert facts["origin"]["task"] == "aime24" and facts["origin"]["seeds"] == [0, 1, 2]
    assert facts["origin"]["tool_score"] == {"symbolic_correct": 100.0}
    assert [(c.problem_id, c.sample_index, c.finish_reason) for c in got[:3]] == [
        ("60", 0, "stop"), ("60", 1, "stop"), ("60", 2, "length"),
    ]  # fmt: skip
    assert got[2].n_generated_tokens == tool_logs.MAX_TOKENS
    v = got[1].tool_verdict
    assert (v.tool, v.correct, v.answer, v.metric) == (
        "nemo-skills",
        True,
        "204",
        "symbolic_correct",
    )


def test_nemo_skills_own_aime_ids_are_not_ours_so_ids_are_refused(tmp_path, aime):
    cfg, problems = aime
    path = tool_logs.nemo_skills(problems, tmp_path / "aime24")
    with pytest.raises(Exception, match="aime24-0.*backend.match=problem_text"):
        imported(cfg, problems, path)


def test_nemo_skills_parse_reasoning_keeps_the_full_text_and_matches_math500_ids(tmp_path):
    cfg, problems = bench(f"benchmark.source={MATH}")
    path = tool_logs.nemo_skills(problems, tmp_path / "math", parse_reasoning=True)
    facts, got = imported(cfg, problems, path)
    assert got[0].problem_id == problems[0].id and "</think>" in got[0].response
    assert got[2].response.startswith("<think>")  # generation was "" there: the full text is read
    assert facts["origin"]["parse_reasoning"] is True
    assert "task" not in facts["origin"]  # not under eval-results/<benchmark>/: no task is guessed


def test_evalchemy_parquet_shard_by_problem_text(tmp_path, aime):
    cfg, problems = aime
    path = tool_logs.evalchemy(problems, tmp_path / "train-00000-of-00001.parquet")
    facts, got = imported(cfg, problems, path, match="problem_text")
    assert facts["format"] == "evalchemy"
    assert facts["origin"]["task"] == "AIME24" and facts["origin"]["repeats"] == 3
    assert facts["origin"]["gen_kwargs"]["max_new_tokens"] == tool_logs.MAX_TOKENS
    assert [(c.problem_id, c.sample_index) for c in got[:3]] == [("60", 0), ("60", 1), ("60", 2)]
    assert all(c.tool_verdict is None and c.finish_reason == "unknown" for c in got)
    assert got[2].response == tool_logs.samples(problems[0])[2][0]


def test_evalchemy_rows_match_by_their_text_without_being_told(tmp_path, aime):
    cfg, problems = aime  # its ids (aime24-0, …) are not ours: the problem text decides
    path = tool_logs.evalchemy(problems, tmp_path / "shard.parquet")
    _, got = imported(cfg, problems, path)
    assert [c.problem_id for c in got] == [p.id for p in problems for _ in range(3)]


def test_matharena_rows_with_correct_flags(tmp_path, aime):
    cfg, problems = aime
    path = tool_logs.matharena(problems, tmp_path / "aime.jsonl")
    facts, got = imported(cfg, problems, path, match="problem_text")
    assert facts["format"] == "matharena"
    assert facts["origin"]["model"] == "deepseek/r1-1.5b"
    assert facts["origin"]["tool_score"] == {"correct": 100.0}
    v = got[0].tool_verdict
    assert (v.tool, v.correct, v.answer) == ("matharena", True, "204")
    assert got[2].n_generated_tokens == tool_logs.MAX_TOKENS


def test_matharena_refuses_a_file_of_several_models(tmp_path, aime):
    cfg, problems = aime
    path = tool_logs.matharena(problems, tmp_path / "all.jsonl", models=("a", "b"))
    with pytest.raises(LogImportError, match="holds 2 models"):
        read_log(path, "auto")


def test_skythought_results_with_inferred_truncation_and_ids(tmp_path, aime):
    cfg, problems = aime
    path = tool_logs.skythought(problems, tmp_path / "run")
    facts, got = imported(cfg, problems, path)
    origin = facts["origin"]
    assert facts["format"] == "skythought"
    assert origin["model"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    assert origin["task"] == "aime24" and origin["sampling_params"]["temperature"] == 0.6
    assert origin["tool_score"] == {"accuracy": 1.0, "pass_at_k": {"pass@1": 1.0}}
    assert [c.finish_reason for c in got[:3]] == ["stop", "stop", "length"]
    assert got[0].tool_verdict.tool == "skythought" and got[0].tool_verdict.correct is True


def test_skythought_without_summary_has_unknown_finish(tmp_path, aime):
    _, problems = aime
    log, _ = read_log(tool_logs.skythought(problems, tmp_path / "r", summary=False), "auto")
    assert {r.finish_reason for r in log.rows} == {"unknown"}
    assert any("no finish reason" in n for n in log.notes)


def test_auto_tells_the_four_apart_from_each_other_and_ours(tmp_path, aime):
    _, problems = aime
    files = {
        "nemo_skills": tool_logs.nemo_skills(problems, tmp_path / "n"),
        "evalchemy": tool_logs.evalchemy(problems, tmp_path / "e.parquet"),
        "matharena": tool_logs.matharena(problems, tmp_path / "m.jsonl"),
        "skythought": tool_logs.skythought(problems, tmp_path / "s"),
        "replay": tool_logs.ours(problems, tmp_path / "ours.jsonl"),
    }
    for name, path in files.items():
        assert detect(path, {})[0] == name, name
    (tmp_path / "other.json").write_text('{"a": {"b": 1}}')
    with pytest.raises(LogImportError, match="backend.format=skythought"):
        detect(tmp_path / "other.json", {})
