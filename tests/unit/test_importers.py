"""Other tools' logs as replay formats: generic JSONL with field mapping, problem-text matching,
format detection and the origin recorded in provenance.

lighteval's details are tested on a file lighteval 0.13.0 writes itself, in its own venv
(tests/integration/test_lighteval_import.py), no longer on an imitation written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.backends.importers import LogImportError, detect, read_log
from harness.backends.replay import ReplayBackend
from harness.data.loader import load_benchmark
from harness.models.tiny import bundled_problems_file
from tests.conftest import compose

AIME = bundled_problems_file("aime24")  # ids 60..64, answers 204, 113, 371, 385, 110
MATH = bundled_problems_file("math500")
T = "<think>\nWorking.\n</think>\n\n"


def bench(*overrides: str):
    cfg = compose(list(overrides))
    problems, _ = load_benchmark(cfg.benchmark, limit=None)
    return cfg, problems


def backend(cfg, path: Path, **kw) -> ReplayBackend:
    return ReplayBackend(str(path), benchmark=cfg.benchmark, **kw)


def generate(cfg, problems, path: Path, n: int, **kw):
    b = backend(cfg, path, **kw)
    out = b.generate(problems, all_ids={p.id for p in problems}, n=n)
    return b, out


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_generic_per_problem_jsonl_with_a_response_list_and_integer_ids(tmp_path):
    cfg, problems = bench("benchmark=aime24", f"benchmark.source={AIME}")
    rows = [
        {
            "idx": int(p.id),
            "generated_responses": [T + f"\\boxed{{{p.gold}}}", T + "\\boxed{1}", "<think>cut"],
            "finish_reasons": ["stop", "stop", "length"],
            "model": "Qwen/QwQ-32B-Preview",
            "temperature": 0.7,
        }
        for p in reversed(problems)  # file order does not matter
    ]
    path = write_jsonl(tmp_path / "sky.jsonl", rows)
    fields = {"problem_id": "idx", "response": "generated_responses"}
    fields["finish_reason"] = "finish_reasons"
    b, out = generate(cfg, problems, path, 3, format="auto", fields=fields)
    assert out.n_samples == 3
    assert [(c.problem_id, c.sample_index) for c in out.completions[:4]] == [
        ("60", 0), ("60", 1), ("60", 2), ("61", 0),
    ]  # fmt: skip
    assert [c.finish_reason for c in out.completions[:3]] == ["stop", "stop", "length"]
    assert out.completions[0].response.endswith("\\boxed{204}")
    facts = b.provenance()
    assert facts["format"] == "jsonl" and facts["format_chosen_by"] == "auto: backend.fields is set"
    assert facts["origin"]["model"] == "Qwen/QwQ-32B-Preview"
    assert facts["origin"]["temperature"] == 0.7
    assert facts["origin"]["fields"]["response"] == "generated_responses"
    assert len(facts["sha256"]) == 64


def test_generic_rows_for_unknown_problems_are_errors_naming_lines(tmp_path):
    cfg, problems = bench("benchmark=aime24", f"benchmark.source={AIME}")
    rows = [{"idx": int(p.id), "out": [T + "\\boxed{1}"]} for p in problems]
    rows.insert(2, {"idx": 999, "out": ["x"]})
    path = write_jsonl(tmp_path / "r.jsonl", rows)
    with pytest.raises(Exception, match=r"line 3 \('999'\)"):
        generate(cfg, problems, path, 1, fields={"problem_id": "idx", "response": "out"})


def test_problem_text_matching_normalises_and_names_unmatched_lines(tmp_path):
    cfg, problems = bench(f"benchmark.source={MATH}")
    rows = [
        {
            # another harness's prompt: the instruction appended, whitespace and case changed
            "question": "  "
            + p.question.upper().replace(" ", "\n ")
            + "\nPlease reason step by step, and put your final answer within \\boxed{}.",
            "output": T + f"\\boxed{{{p.gold}}}",
        }
        for p in problems
    ]
    path = write_jsonl(tmp_path / "t.jsonl", rows)
    fields = {"problem": "question", "response": "output"}
    _, out = generate(cfg, problems, path, 1, fields=fields, match="problem_text")
    assert [c.problem_id for c in out.completions] == [p.id for p in problems]
    rows.append({"question": "What is the airspeed of an unladen swallow?", "output": "x"})
    with pytest.raises(
        LogImportError, match=r"1 rows match no problem .* \(line 6\); check benchmark"
    ):
        generate(cfg, problems, write_jsonl(path, rows), 1, fields=fields, match="problem_text")


def test_generic_jsonl_spells_finish_reasons_like_other_tools(tmp_path):
    path = write_jsonl(
        tmp_path / "f.jsonl",
        [{"problem_id": "a", "response": "x", "stop": s} for s in ("end_turn", "max_tokens")]
        + [{"problem_id": "a", "response": "x", "stop": "cancelled"}],
    )
    with pytest.raises(LogImportError, match="line 3: finish reason 'cancelled'"):
        read_log(path, "jsonl", {"finish_reason": "stop"})


def test_auto_detection_says_what_it_chose(tmp_path, caplog):
    ours = write_jsonl(tmp_path / "ours.jsonl", [{"problem_id": "a", "response": "x"}])
    lm = write_jsonl(tmp_path / "lm.jsonl", [{"doc_id": 0, "doc": {}, "resps": [["x"]]}])
    other = write_jsonl(tmp_path / "o.jsonl", [{"id": 1, "output": "x"}])
    assert detect(ours, {})[0] == "replay"
    assert detect(lm, {})[0] == "lm_eval"
    with pytest.raises(
        LogImportError,
        match=r"(?s)no known log format.*backend.format=lm_eval.*"
        r"backend.format=jsonl backend.fields.problem_id=",
    ):
        detect(other, {})  # refused with the list of formats and the generic mapping
    assert detect(other, {"response": "output"})[0] == "jsonl"
    with caplog.at_level("INFO"):
        log, chosen = read_log(ours, "auto")
    assert log.format == "replay" and chosen.startswith("auto: ")
    assert "backend.format=auto: reading" in caplog.text and "as replay" in caplog.text
    with pytest.raises(LogImportError, match="backend.format='csv' is not a format"):
        read_log(ours, "csv")


def test_a_run_without_ids_or_indices_is_told_how_to_match(tmp_path):
    cfg, problems = bench(f"benchmark.source={MATH}")
    path = write_jsonl(tmp_path / "x.jsonl", [{"text": "a", "output": "b"}])
    with pytest.raises(
        LogImportError, match=r"line 1.*backend.fields.problem_id=… or backend.match"
    ):
        generate(cfg, problems, path, 1, fields={"response": "output"})


def test_paths_through_lists_read_vllm_and_api_dumps(tmp_path):
    cfg, problems = bench("benchmark=aime24", f"benchmark.source={AIME}")
    vllm_rows = [
        {"request_id": p.id, "outputs": [
            {"index": 0, "text": T + f"\\boxed{{{p.gold}}}", "finish_reason": "stop"},
            {"index": 1, "text": "<think>cut", "finish_reason": "length"}]}
        for p in problems
    ]  # fmt: skip
    path = write_jsonl(tmp_path / "vllm.jsonl", vllm_rows)
    fields = {"problem_id": "request_id", "response": "outputs.text"}
    fields["finish_reason"] = "outputs.finish_reason"
    _, out = generate(cfg, problems, path, 2, fields=fields)
    assert [c.finish_reason for c in out.completions[:2]] == ["stop", "length"]
    api_rows = [
        {"id": p.id, "model": "deepseek-reasoner", "choices": [
            {"message": {"content": T + "\\boxed{1}"}, "finish_reason": "max_tokens"}]}
        for p in problems
    ]  # fmt: skip
    path = write_jsonl(tmp_path / "api.jsonl", api_rows)
    fields = {"problem_id": "id", "response": "choices.0.message.content"}
    fields["finish_reason"] = "choices.0.finish_reason"
    b, out = generate(cfg, problems, path, 1, fields=fields)
    assert {c.finish_reason for c in out.completions} == {"length"}
    assert b.provenance()["origin"]["model"] == "deepseek-reasoner"
