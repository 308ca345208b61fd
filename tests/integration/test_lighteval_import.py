"""lighteval's own details parquet, written in the test by lighteval 0.13.0 (own venv), imported.

lighteval's ``custom`` entry point runs its own AIME 2024 task (prompt, ``pass@k`` math metric,
n=2 samples) on the first 3 bundled AIME 2024 problems with a custom model that answers fixed
texts (tests/integration/tools/lighteval_model.py): one cut at the task's generation size, one
whose answer sits inside an unclosed reasoning block. The details file is imported with
``backend=replay`` (format detected); our verdicts equal our replay of the same texts under both
conventions, truncation is inferred from the output tokens, and lighteval's per-document score
is kept. Skipped without ``.venv-tools/lighteval`` (``scripts/setup_tool_venvs.sh lighteval``).
"""

from __future__ import annotations

import json
import os

import pytest

from tests.helpers.tool_venv import (
    CONVENTIONS,
    DATA,
    N_PROBLEMS,
    TOOLS,
    grade_both,
    rows,
    run,
    tool_venv,
    verdicts,
)

pytestmark = pytest.mark.slow
VENV = tool_venv("lighteval", "lighteval")


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> dict:
    from harness.models.tiny import build_tiny_tokenizer

    tmp = tmp_path_factory.mktemp("lighteval_log")
    (tmp / "data").mkdir()
    lines = DATA.read_text().split("\n")[:N_PROBLEMS]
    (tmp / "data" / "train.jsonl").write_text("\n".join(lines) + "\n")
    build_tiny_tokenizer().save_pretrained(tmp / "tok")
    env = {**os.environ, "LIGHTEVAL_DATA": str(tmp / "data"),
           "LIGHTEVAL_TOKENIZER": str(tmp / "tok"), "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_OFFLINE": "1"}  # fmt: skip
    run([VENV / "bin" / "lighteval", "custom", "fixed-texts", TOOLS / "lighteval_model.py",
         "aime24_local|0", "--custom-tasks", TOOLS / "lighteval_tasks.py",
         "--output-dir", tmp / "out", "--save-details"], env=env)  # fmt: skip
    (details,) = (tmp / "out" / "details").rglob("details_*.parquet")
    return {"tmp": tmp, "details": details}


@pytest.fixture(scope="module")
def graded(logged) -> dict:
    import pyarrow.parquet as pq

    tmp = logged["tmp"]
    problems = [json.loads(line) for line in DATA.read_text().split("\n")[:N_PROBLEMS]]
    # Our own replay format from the same texts, read here from the parquet (independently of
    # the importer): doc.id is the row index, model_response.text the samples.
    ours = []
    for rec in pq.read_table(logged["details"]).to_pylist():
        pid = str(problems[int(rec["doc"]["id"])]["id"])
        for j, text in enumerate(rec["model_response"]["text"]):
            cut = len(rec["model_response"]["output_tokens"][j]) >= rec["doc"]["generation_size"]
            ours.append({"problem_id": pid, "sample_index": j, "response": text,
                         "finish_reason": "length" if cut else "stop"})  # fmt: skip
    return grade_both(tmp, logged["details"], ours)


def test_import_grades_like_our_replay_of_the_same_texts(graded):
    for name in CONVENTIONS:
        got = verdicts(graded[f"import_{name}"])
        assert len(got) == 2 * N_PROBLEMS
        assert got == verdicts(graded[f"replay_{name}"])
    r1 = rows(graded["import_r1"])
    assert sum(r["finish_reason"] == "length" for r in r1) == 1  # cut at generation_size
    assert {r["verdicts"]["math_verify"]["status"] for r in r1} >= {"truncated", "unclosed_think"}


def test_tool_verdict_and_origin_are_lightevals(graded):
    r1 = rows(graded["import_r1"])
    by_problem: dict[str, list] = {}
    for r in r1:
        by_problem.setdefault(r["problem_id"], []).append(r["tool_verdict"])
    for tvs in by_problem.values():  # one per-document value, the same on both samples
        assert len({json.dumps(t, sort_keys=True) for t in tvs}) == 1
        assert tvs[0]["tool"] == "lighteval" and tvs[0]["metric"].startswith("pass@k")
    backend = json.loads((graded["import_r1"] / "provenance.json").read_text())["backend"]
    assert backend["format"] == "lighteval" and backend["format_chosen_by"].startswith("auto: ")
    origin = backend["origin"]
    assert origin["tool"] == "lighteval" and origin["task"].startswith("aime24_local")
    assert origin["model"] == "fixed-texts"
    assert origin["score"] == {"metric": "pass@k:k=1&n=2", "value": pytest.approx(2 / 3)}
    summary = json.loads((graded["import_r1"] / "metrics.json").read_text())["tool_agreement"]
    assert summary["n_with_verdict"] == 2  # only the document whose samples lighteval agreed on


def test_problem_text_matching_finds_the_problem_inside_lightevals_query(logged):
    from harness.backends.replay import ReplayBackend
    from harness.data.loader import load_benchmark
    from tests.conftest import compose

    cfg = compose(["benchmark=aime24", f"benchmark.source={DATA}"])
    problems, _ = load_benchmark(cfg.benchmark, limit=N_PROBLEMS)
    ids = {p.id for p in problems}
    by_index = ReplayBackend(str(logged["details"]), benchmark=cfg.benchmark)
    by_text = ReplayBackend(str(logged["details"]), benchmark=cfg.benchmark, match="problem_text")
    a = by_index.generate(problems, all_ids=ids, n=2).completions
    b = by_text.generate(problems, all_ids=ids, n=2).completions
    assert [(c.problem_id, c.response) for c in a] == [(c.problem_id, c.response) for c in b]
