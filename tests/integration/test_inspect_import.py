"""inspect-ai's own log, written in the test by inspect-ai 0.3.285 (its own venv), imported.

inspect-ai runs inspect_evals' AIME solver and scorer on the first 3 bundled AIME 2024 problems,
2 epochs, with its mock model answering fixed texts (tests/integration/tools/run_inspect.py):
one stopped by the token limit, one whose answer sits inside an unclosed reasoning block, one
that ends after its box so inspect's last-line "ANSWER:" scorer finds nothing. The ``.eval`` log
and its ``.json`` form (``inspect log convert``) are imported with ``backend=replay`` (format
detected); our verdicts equal our replay of the same texts under both conventions, the origin is
what the log says, and the run's notes and ``harness-compare`` say where inspect graded
differently and why. Skipped without ``.venv-tools/inspect`` (``scripts/setup_tool_venvs.sh``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.tool_venv import (
    CONVENTIONS,
    DATA,
    N_PROBLEMS,
    TOOLS,
    compare,
    grade_both,
    harness_eval,
    rows,
    run,
    tool_venv,
    verdicts,
)

pytestmark = pytest.mark.slow
VENV = tool_venv("inspect")


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("inspect_log")
    script = TOOLS / "run_inspect.py"
    out = run([VENV / "bin" / "python", script, DATA, tmp / "logs", str(N_PROBLEMS)])
    eval_log = Path(out.stdout.strip().splitlines()[-1])
    run([VENV / "bin" / "inspect", "log", "convert", "--to", "json", "--output-dir",
         tmp / "json", eval_log])  # fmt: skip
    (json_log,) = (tmp / "json").glob("*.json")
    return {"tmp": tmp, "eval": eval_log, "json": json_log, "doc": json.loads(json_log.read_text())}


@pytest.fixture(scope="module")
def graded(logged) -> dict:
    tmp, doc = logged["tmp"], logged["doc"]
    # Our own replay format, from the same texts (read here from inspect's JSON form,
    # independently of the importer: output.completion, epoch, stop_reason).
    stop = {"stop": "stop", "max_tokens": "length"}
    ours = [
        {"problem_id": str(s["id"]), "sample_index": s["epoch"] - 1,
         "response": s["output"]["completion"],
         "finish_reason": stop[s["output"]["choices"][0]["stop_reason"]]}
        for s in doc["samples"]
    ]  # fmt: skip
    out = grade_both(tmp, logged["eval"], ours, prefix="eval")
    out["json_r1"] = harness_eval(
        tmp / "results", "json_r1", f"backend.path={logged['json']}", *CONVENTIONS["r1"]
    )
    return out


def test_import_grades_like_our_replay_of_the_same_texts(graded):
    for name in CONVENTIONS:
        got = verdicts(graded[f"eval_{name}"])
        assert len(got) == 2 * N_PROBLEMS
        assert got == verdicts(graded[f"replay_{name}"])
    assert verdicts(graded["json_r1"]) == verdicts(graded["eval_r1"])
    # epochs became samples 0 and 1; the limit-stopped one is "length"
    assert {(r["problem_id"], r["sample_index"]) for r in rows(graded["eval_r1"])} == {
        (p, j) for p in ("60", "61", "62") for j in (0, 1)
    }
    assert sum(r["finish_reason"] == "length" for r in rows(graded["eval_r1"])) == 1


def test_tool_verdicts_are_the_logs_own(graded, logged):
    scores = {
        (str(s["id"]), s["epoch"] - 1): s["scores"]["aime_scorer"] for s in logged["doc"]["samples"]
    }
    for r in rows(graded["eval_r1"]):
        tv, score = r["tool_verdict"], scores[(r["problem_id"], r["sample_index"])]
        assert tv["tool"] == "inspect-ai" and tv["metric"] == "aime_scorer"
        assert tv["correct"] == (score["value"] == "C") and tv["answer"] == score["answer"]


def test_origin_is_what_the_log_says(graded, logged):
    for run_id, how in (("eval_r1", "a .eval zip"), ("json_r1", "a JSON document")):
        backend = json.loads((graded[run_id] / "provenance.json").read_text())["backend"]
        assert backend["format"] == "inspect" and backend["format_chosen_by"].startswith(
            f"auto: {how}"
        )
        origin = backend["origin"]
        assert origin["tool"] == "inspect-ai" and origin["version"] == "0.3.285"
        assert origin["task"] == "aime2024" and origin["model"] == "mockllm/model"
        assert origin["epochs"] == 2
        assert origin["sampling"] == {"temperature": 0.6, "top_p": 0.95, "max_tokens": 64}
        assert origin["score"]["metric"] == "accuracy"
        assert origin["score"]["value"] == pytest.approx(4 / 6)


def test_notes_say_where_inspect_graded_differently_and_why(graded):
    r1 = json.loads((graded["eval_r1"] / "metrics.json").read_text())
    summary = r1["tool_agreement"]
    assert summary["n_with_verdict"] == 6 and summary["n_differ"] == 3
    assert {c: n for c, n in summary["categories"].items() if n} == {
        "truncated": 1, "answer_in_think": 1, "extraction": 1,
    }  # fmt: skip
    assert summary["pass@1"]["tool"] == pytest.approx(100 * 4 / 6)
    assert summary["pass@1"]["tool"] == pytest.approx(100 * summary["tool_reported"]["value"])
    assert any(n.startswith("inspect-ai graded 3 of 6 samples differently") for n in r1["notes"])
    lenient = json.loads((graded["eval_lenient"] / "metrics.json").read_text())["tool_agreement"]
    assert lenient["n_differ"] == 1 and lenient["categories"]["extraction"] == 1


def test_compare_against_the_tools_own_score(graded, tmp_path):
    a, b = graded["eval_r1"], graded["eval_lenient"]
    out = compare(a, b, tmp_path)
    result = json.loads((tmp_path / "compare.json").read_text())
    assert result["categories"]["truncated"] == 1 and result["categories"]["answer_in_think"] == 1
    assert result["tool"]["a"]["n_differ"] == 3 and result["tool"]["b"]["n_differ"] == 1
    assert "A: inspect-ai's own verdicts vs ours, on 6 samples" in out.stdout
    assert "aime_scorer accuracy = 0.6667" in out.stdout
