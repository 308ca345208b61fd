"""Other tools' logs as replay formats: generic JSONL with field mapping, problem-text matching,
lighteval details, format detection and the origin recorded in provenance.

lighteval is not installed here: its 0.13.0 wheel pins latex2sympy2_extended==1.0.6 (math-verify
0.9 needs 1.11.0), nltk==3.9.1 and inspect-ai, so it cannot sit beside our pins. The details
file below is therefore written the way lighteval 0.13.0 writes it
(``EvaluationTracker.save``: ``Dataset.from_list([asdict(detail)])``, columns sorted, ``id``
column dropped, ``to_parquet``), with its ``Doc`` and ``ModelResponse`` fields exactly
(``lighteval/tasks/requests.py``, ``lighteval/models/model_output.py``), through the same
``datasets`` calls.
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


# lighteval 0.13.0 dataclass fields, in declaration order (module docstring).
DOC_FIELDS = dict(
    query="", choices=[], gold_index=0, instruction=None, images=None, specific=None,
    unconditioned_query=None, original_query=None, id="", task_name="", fewshot_samples=[],
    sampling_methods=[], fewshot_sorting_class=None, generation_size=None, stop_sequences=None,
    use_logits=False, num_samples=1, generation_grammar=None,
)  # fmt: skip
RESPONSE_FIELDS = dict(
    input=None, input_tokens=[], text=[], output_tokens=[], text_post_processed=None,
    reasonings=[], logprobs=[], argmax_logits_eq_gold=[], logits=None,
    unconditioned_logprobs=None, truncated_tokens_count=0, padded_tokens_count=0,
)  # fmt: skip
# lighteval/tasks/tasks/math_500.py, MATH_QUERY_TEMPLATE (0.13.0)
QUERY = (
    "Solve the following problem. The final line of your response MUST be of the following "
    'format:\n"ANSWER: $ANSWER" (without quotes) where $ANSWER is the final answer. Think step '
    "by step before answering.\n\n{prompt}"
)


def write_lighteval(root: Path, problems, texts, tokens, size: int) -> Path:
    """A details parquet as lighteval 0.13.0's EvaluationTracker.save writes it."""
    from datasets import Dataset

    date = "2025-02-01T10-00-00.000001"
    folder = root / "details" / "deepseek-ai" / "DeepSeek-R1-Distill-Qwen-1.5B" / date
    folder.mkdir(parents=True)
    details = []
    for i, (p, t, k) in enumerate(zip(problems, texts, tokens, strict=True)):
        doc = {**DOC_FIELDS, "query": QUERY.format(prompt=p.question), "id": str(i)}
        doc.update(task_name="lighteval|math_500|0", choices=[f"ANSWER: {p.gold}"])
        doc.update(generation_size=size, sampling_methods=["GENERATIVE"], num_samples=len(t))
        resp = {**RESPONSE_FIELDS, "input": doc["query"], "text": t, "output_tokens": k}
        details.append({"doc": doc, "model_response": resp, "metric": {"pass@k:k=1&n=1": 0.0}})
    dataset = Dataset.from_list(details)
    columns = [c for c in dataset.column_names if c != "id"]
    dataset = dataset.select_columns(sorted(columns))
    path = folder / f"details_lighteval|math_500|0_{date}.parquet"
    with path.open("wb") as handle:
        dataset.to_parquet(handle)
    results = root / "results" / "deepseek-ai" / "DeepSeek-R1-Distill-Qwen-1.5B"
    results.mkdir(parents=True)
    general = {
        "model_name": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
        "lighteval_sha": "abc123",
        "model_config": {"generation_parameters": {"temperature": 0.6, "top_p": 0.95}},
    }
    (results / f"results_{date}.json").write_text(json.dumps({"config_general": general}))
    return path


def test_lighteval_details_import_with_inferred_truncation(tmp_path):
    cfg, problems = bench(f"benchmark.source={MATH}")
    texts = [[T + f"\\boxed{{{p.gold}}}", "<think>\nstill going"] for p in problems]
    tokens = [[[1] * 12, [2] * 32] for _ in problems]  # the second sample used the whole budget
    path = write_lighteval(tmp_path, problems, texts, tokens, size=32)
    assert detect(path, {})[0] == "lighteval"
    b, out = generate(cfg, problems, path, 2)
    assert [c.problem_id for c in out.completions[::2]] == [p.id for p in problems]
    assert [c.finish_reason for c in out.completions[:2]] == ["stop", "length"]
    assert out.completions[0].prompt.startswith("Solve the following problem.")
    assert "finish reasons inferred" in out.stats["notes"][0]
    facts = b.provenance()
    assert facts["format"] == "lighteval"
    assert facts["origin"]["model"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    assert facts["origin"]["task"] == "lighteval|math_500|0"
    assert facts["origin"]["generation_parameters"] == {"temperature": 0.6, "top_p": 0.95}
    # the query holds lighteval's template around the problem: text matching finds it inside
    _, again = generate(cfg, problems, path, 2, match="problem_text")
    assert [c.problem_id for c in again.completions] == [c.problem_id for c in out.completions]


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
