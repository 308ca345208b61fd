"""Imported logs are verified, never trusted (issue 19, "What to build" 1): each case reproduces a
log that once gave a wrong number with exit code 0, or a traceback, and checks what happens now.

Every check sits in the shared path (``importers/lines.py``, ``verify.py``, ``match.py``,
``read_log``), so every format gets it; the logs here are written the way each tool writes them
(lm-eval ``--log_samples`` lines; lighteval's details columns through pyarrow).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from harness.backends.importers import LogImportError, read_log
from harness.backends.importers.verify import catalogue, task_match
from harness.backends.replay import ReplayBackend, ReplayError
from harness.data.loader import load_benchmark
from harness.errors import HarnessError
from tests.conftest import compose, data_file

T = "<think>\nWorking.\n</think>\n\n"
LM_DATE = "2025-01-01T00-00-00.000000"


@pytest.fixture(scope="module")
def math():
    cfg = compose([f"benchmark.source={data_file('math500')}"])
    problems, _ = load_benchmark(cfg.benchmark, limit=None)
    return cfg, problems


@pytest.fixture(scope="module")
def raw_math() -> list[dict]:
    text = data_file("math500").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def generate(cfg, problems, path: Path, n: int = 1, **kw):
    b = ReplayBackend(str(path), benchmark=cfg.benchmark, **kw)
    return b, b.generate(problems, all_ids={p.id for p in problems}, n=n)


def ours(problems, **extra) -> list[dict]:
    return [
        {"problem_id": p.id, "sample_index": 0, "response": T + f"\\boxed{{{p.gold}}}", **extra}
        for p in problems
    ]


def lm_eval_line(doc_id: int, doc: dict, prompt: str | None, response: str) -> dict:
    """One line of lm-eval 0.4's --log_samples output (``lm_eval/evaluator.py``)."""
    line = {"doc_id": doc_id, "doc": doc, "target": "", "resps": [[response]]}
    if prompt is not None:
        line["arguments"] = {"gen_args_0": {"arg_0": prompt, "arg_1": {"until": []}}}
    return {**line, "filtered_resps": [response], "filter": "none", "metrics": ["exact_match"]}


# --- 1. the problem text a log carries is checked against the benchmark's ------------------


def test_a_problem_text_that_is_not_the_rows_problem_is_refused_showing_both(tmp_path, math):
    cfg, problems = math
    rows = ours(problems)
    for i, row in enumerate(rows):  # the ids are shifted by one against the texts
        row["problem"] = problems[(i + 1) % len(problems)].question
    path = write_jsonl(tmp_path / "shifted.jsonl", rows)
    with pytest.raises(LogImportError) as err:
        generate(cfg, problems, path, fields={"problem": "problem"})
    msg = str(err.value)
    assert "100 rows carry a problem text that is not their problem's (line 1, line 2" in msg
    flat = [" ".join(p.question.split())[:30] for p in problems[:2]]
    assert f'whose text starts "{flat[0]}' in msg
    assert f"the log's text starts \"{flat[1]}" in msg
    assert "\n" not in msg


def test_a_prompt_template_around_the_problem_text_is_allowed(tmp_path, math):
    cfg, problems = math
    rows = ours(problems)
    for row, p in zip(rows, problems, strict=True):
        row["problem"] = f"Solve this.\n\n{p.question.upper()}\nPlease reason step by step, and "
        row["problem"] += "put your final answer within \\boxed{}."
    _, out = generate(cfg, problems, write_jsonl(tmp_path / "ok.jsonl", rows))
    assert [c.problem_id for c in out.completions] == [p.id for p in problems]


# --- 2. a log of another benchmark is refused by its task name -------------------------------


def test_an_lm_eval_gsm8k_log_replayed_as_math500_is_refused_naming_the_task(tmp_path, math):
    """Once: pass@1 0.00 with no warning (gsm8k documents matched to MATH-500 rows by doc_id)."""
    cfg, problems = math
    text = data_file("gsm8k").read_text(encoding="utf-8")
    gsm = [json.loads(line) for line in text.split("\n") if line.strip()]
    lines = [
        lm_eval_line(i, g, f"Question: {g['question']}\nAnswer:", T + "\\boxed{1}")
        for i, g in enumerate(gsm)
    ]
    path = write_jsonl(tmp_path / f"samples_gsm8k_{LM_DATE}.jsonl", lines)
    with pytest.raises(
        LogImportError,
        match=r"the log's task 'gsm8k' \(lm-eval\) is gsm8k, not benchmark=math500: replay it "
        r"with benchmark=gsm8k",
    ):
        generate(cfg, problems[:20], path)
    # The same log under a task name no config knows is still refused: its texts are not MATH's.
    renamed = path.rename(tmp_path / f"samples_my_task_{LM_DATE}.jsonl")
    with pytest.raises(LogImportError, match=r"20 rows match no problem of this benchmark"):
        generate(cfg, problems[:20], renamed)


def test_task_names_say_same_other_or_unknown_for_every_tool(math):
    cfg, _ = math
    known = catalogue()
    assert task_match("lm-eval", "minerva_math500", cfg.benchmark, known).verdict == "same"
    assert task_match("lighteval", "lighteval|math_500|0", cfg.benchmark, known).verdict == "same"
    assert task_match("evalscope", "math_500", cfg.benchmark, known).verdict == "same"
    other = task_match("inspect_ai", "inspect_evals/aime2024", cfg.benchmark, known)
    assert other.verdict == "other" and other.benchmarks == ("aime24",)  # tool names loosely
    assert task_match("lighteval", "lighteval|gsm8k|5", cfg.benchmark, known).benchmarks == (
        "gsm8k",
    )
    assert task_match("lm-eval", "r1_math500_first5", cfg.benchmark, known).verdict == "unknown"
    assert task_match("newtool", "gsm8k", cfg.benchmark, known).verdict == "unknown"


def test_an_unknown_task_is_allowed_with_a_note(tmp_path, math, raw_math):
    cfg, problems = math
    lines = [
        lm_eval_line(i, doc, None, T + f"\\boxed{{{doc['answer']}}}")
        for i, doc in enumerate(raw_math)
    ]
    path = write_jsonl(tmp_path / f"samples_r1_math_{LM_DATE}.jsonl", lines)
    _, out = generate(cfg, problems, path)
    assert any(
        "task 'r1_math' (lm-eval) is not a name known for math500" in n for n in out.stats["notes"]
    )


# --- 3. position only when the log has neither ids nor text ----------------------------------


def test_lm_eval_math_documents_without_ids_in_another_order_match_by_their_text(
    tmp_path, math, raw_math
):
    """Once: every response graded against the wrong problem (doc_id taken as the row index)."""
    cfg, problems = math
    order = list(range(len(raw_math)))
    random.Random(0).shuffle(order)
    lines = []
    for k, i in enumerate(order):
        doc = {key: v for key, v in raw_math[i].items() if key != "unique_id"}
        lines.append(lm_eval_line(k, doc, doc["problem"], T + f"\\boxed{{{doc['answer']}}}"))
    path = write_jsonl(tmp_path / f"samples_minerva_math500_{LM_DATE}.jsonl", lines)
    b, out = generate(cfg, problems, path)
    by_id = {c.problem_id: c.response for c in out.completions}
    assert all(by_id[p.id].endswith(f"\\boxed{{{p.gold}}}") for p in problems)
    assert not any("position" in note for note in b.notes)


def test_matching_by_position_alone_is_said_in_the_notes(tmp_path, math):
    cfg, problems = math
    lines = [lm_eval_line(i, {}, None, T + f"\\boxed{{{p.gold}}}") for i, p in enumerate(problems)]
    path = write_jsonl(tmp_path / f"samples_minerva_math500_{LM_DATE}.jsonl", lines)
    _, out = generate(cfg, problems, path)
    assert [c.problem_id for c in out.completions] == [p.id for p in problems]
    (note,) = [n for n in out.stats["notes"] if "position" in n]
    assert note.startswith("100 responses were matched to problems by their position")
    assert "nothing checks that its row i is this benchmark's problem i" in note


# --- 4. token counts and finish reasons, checked while reading -------------------------------


@pytest.mark.parametrize("bad", [-5, "lots", 2.5, True])
def test_token_counts_must_be_non_negative_integers(tmp_path, math, bad):
    """Once: -5 gave rc 0 and "mean length -5 tokens"; "lots" a ValueError after grading."""
    cfg, problems = math
    rows = ours(problems[:5], n_generated_tokens=12)
    rows[3]["n_generated_tokens"] = bad
    path = write_jsonl(tmp_path / "tokens.jsonl", rows)
    with pytest.raises(
        LogImportError,
        match=rf"tokens.jsonl: 1 rows hold values that cannot be used \(line 4: "
        rf"n_generated_tokens={bad!r}\)\. Token counts must be non-negative integers",
    ):
        generate(cfg, problems[:5], path)


def test_an_unknown_finish_reason_says_what_is_read_and_how_to_fix(tmp_path):
    path = write_jsonl(tmp_path / "f.jsonl", [{"problem_id": "a", "response": "x", "why": "abort"}])
    with pytest.raises(LogImportError) as err:
        read_log(path, "jsonl", {"finish_reason": "why"})
    msg = str(err.value)
    assert msg.startswith(f"{path}: line 1: finish reason 'abort' is not one this harness reads")
    assert "length (or max_tokens, max_length)" in msg and "Rewrite the log's values" in msg
    assert "backend.fields.finish_reason" not in msg  # the key names a field, maps no values


# --- 5. every read error names the file, the line and the format -----------------------------


@pytest.mark.parametrize("fmt", ["auto", "replay", "jsonl"])
def test_a_non_utf8_byte_names_the_line_and_the_format(tmp_path, math, fmt):
    cfg, problems = math
    path = write_jsonl(tmp_path / "latin.jsonl", ours(problems[:3]))
    data = bytearray(path.read_bytes())
    data[data.index(b"\n") + 30] = 0xFF  # inside line 2
    path.write_bytes(bytes(data))
    expect = "replay" if fmt == "auto" else fmt
    with pytest.raises(
        HarnessError,
        match=rf"latin.jsonl:2: not UTF-8 text \(byte 0xff at byte 30 of the line\); "
        rf"backend.format={expect} reads UTF-8 JSON Lines",
    ):
        generate(cfg, problems[:3], path, format=fmt)


def write_details(path: Path, docs: list, problems) -> Path:
    """Rows in lighteval 0.13's details columns (doc, model_response, metric)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    resp = [
        {"text": [T + f"\\boxed{{{p.gold}}}"], "output_tokens": [[1] * 5], "input": p.question}
        for p in problems
    ]
    table = [
        {"doc": d, "model_response": r, "metric": {"m": 0.0}}
        for d, r in zip(docs, resp, strict=True)
    ]
    pq.write_table(pa.Table.from_pylist(table), path)
    return path


def test_lighteval_files_of_the_wrong_shape_are_errors_not_tracebacks(tmp_path, math):
    cfg, problems = math
    few = problems[:3]
    strdoc = write_details(tmp_path / "strdoc.parquet", [p.question for p in few], few)
    with pytest.raises(
        LogImportError,
        match=r"strdoc.parquet: row 1: column 'doc' holds a str; lighteval 0.13 writes it as a "
        r"struct",
    ):
        generate(cfg, few, strdoc)
    fake = write_jsonl(tmp_path / "fake.parquet", ours(few))  # JSON Lines named .parquet
    with pytest.raises(
        LogImportError, match=r"fake.parquet is not a parquet file \(it starts with b'\{\"pr'\)"
    ):
        generate(cfg, few, fake)
    docs = [{"query": p.question, "id": str(i)} for i, p in enumerate(few)]
    real = write_details(tmp_path / "real.parquet", docs, few)
    with pytest.raises(
        LogImportError, match=r"real.parquet is a parquet file .*backend.format=jsonl reads one"
    ):
        generate(cfg, few, real, format="jsonl")


def test_lighteval_doc_id_zero_is_an_id(tmp_path, math):
    """Once: ``str(doc.get("id") or "")`` read an integer id 0 as missing."""
    cfg, problems = math
    docs = [{"id": i, "generation_size": 100} for i in range(len(problems))]  # no query
    path = write_details(tmp_path / "ids.parquet", docs, problems)
    log, _ = read_log(path, "lighteval")
    assert [r.problem_index for r in log.rows][:3] == [0, 1, 2]
    _, out = generate(cfg, problems, path)
    assert out.completions[0].problem_id == problems[0].id


def test_a_reader_meeting_an_unexpected_shape_names_file_and_format(tmp_path):
    path = write_jsonl(
        tmp_path / "x.jsonl",
        [{"doc_id": 0, "doc": {}, "resps": [["x"]], "arguments": {"gen_args_0": {"arg_0": 3}}}],
    )
    log, _ = read_log(path, "lm_eval")  # a non-string prompt is no prompt
    assert log.rows[0].prompt is None
    bad = write_jsonl(tmp_path / "y.jsonl", [{"doc_id": [1], "doc": {}, "resps": [["x"]]}])
    with pytest.raises(LogImportError, match=r"y.jsonl:1: 'doc_id' \[1\] must be an integer"):
        read_log(bad, "lm_eval")
    chars = write_jsonl(tmp_path / "z.jsonl", [{"doc_id": 0, "doc": {}, "resps": "abc"}])
    with pytest.raises(LogImportError, match=r"z.jsonl:1: 'resps' must be a list"):
        read_log(chars, "lm_eval")  # once: three one-character samples


# --- 6. plain aliases are accepted and logged -------------------------------------------------


def test_max_tokens_a_bom_and_crlf_are_read_and_logged(tmp_path, math, caplog):
    cfg, problems = math
    rows = ours(problems[:4], finish_reason="stop")
    rows[1]["finish_reason"] = rows[3]["finish_reason"] = "MAX_TOKENS"
    path = write_jsonl(tmp_path / "aliases.jsonl", rows)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    with caplog.at_level("INFO"):
        _, out = generate(cfg, problems[:4], path)
    assert [c.finish_reason for c in out.completions] == ["stop", "length", "stop", "length"]
    assert "finish_reason 'MAX_TOKENS' read as 'length' (2 rows: lines 2, 4)" in caplog.text
    assert "starts with a UTF-8 byte-order mark; read without it" in caplog.text
    assert "4 lines end in CRLF" in caplog.text


# --- 7. messages that once blamed the wrong thing ----------------------------------------------


def test_an_ambiguous_text_names_the_line_and_both_problems(tmp_path, math):
    """Once: the longest text won, and the error blamed another problem's missing samples."""
    cfg, problems = math
    a, b = problems[0], problems[1]
    rows = [{"problem": p.question, "response": "x"} for p in problems[2:6]]
    rows.insert(1, {"problem": f"{a.question}\n\n{b.question}", "response": "x"})
    path = write_jsonl(tmp_path / "two.jsonl", rows)
    with pytest.raises(
        LogImportError,
        match=rf"1 rows hold the text of more than one problem of this benchmark \(line 2 "
        rf"\({a.id!r} or {b.id!r}\)\)",
    ):
        generate(cfg, problems, path, match="problem_text")


def test_a_list_response_in_a_replay_row_is_named_not_a_duplicate(tmp_path, math):
    cfg, problems = math
    rows = ours(problems[:2])
    rows.append({**rows[0], "sample_index": 1})
    for row in rows:
        row["response"] = [row["response"]]
    path = write_jsonl(tmp_path / "lists.jsonl", rows)
    with pytest.raises(
        LogImportError,
        match=r"lists.jsonl: line 1: field 'response' is a list of 1 responses and 'sample_index' "
        r"is 0",
    ):
        generate(cfg, problems[:2], path)  # auto: the generic reader (a list response)
    with pytest.raises(ReplayError, match=r"lists.jsonl:1: field 'response' is a list"):
        generate(cfg, problems[:2], path, format="replay")
    for row in rows:
        del row["sample_index"]
    with pytest.raises(
        LogImportError, match=r"lines 1 and 3 both hold a list of responses for problem"
    ):
        generate(cfg, problems[:2], write_jsonl(path, rows))
