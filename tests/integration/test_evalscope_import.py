"""evalscope's own review file, written in the test by evalscope 1.14.1 (its own venv), imported.

evalscope runs its ``aime24`` benchmark (prompt, answer extraction, ``acc``) on the first 3
bundled AIME 2024 problems, 2 repeats, with its ``mock_llm`` model serving fixed texts
(tests/integration/tools/run_evalscope.py): one stopped by ``max_tokens``, one whose answer sits
inside an unclosed reasoning block. The review file is imported with ``backend=replay`` (format
detected); our verdicts equal our replay of the same texts under both conventions, finish reasons
come from evalscope's predictions file, the origin and the tool's own verdicts are evalscope's,
and the notes say where it graded differently. Skipped without ``.venv-tools/evalscope``
(``scripts/setup_tool_venvs.sh evalscope``).
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
    grade_both,
    rows,
    run,
    tool_venv,
    verdicts,
)

pytestmark = pytest.mark.slow
VENV = tool_venv("evalscope")


def joined(content) -> str:
    """An assistant message's text, its reasoning part put back inside <think>…</think>."""
    if isinstance(content, str):
        return content
    kinds = {p["type"]: p for p in content}
    text = kinds.get("text", {}).get("text", "")
    return (
        f"<think>{kinds['reasoning']['reasoning']}</think>{text}" if "reasoning" in kinds else text
    )


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("evalscope_log")
    script = TOOLS / "run_evalscope.py"
    out = run([VENV / "bin" / "python", script, DATA, tmp / "work", str(N_PROBLEMS)])
    (reviews,) = json.loads(out.stdout.strip().splitlines()[-1])
    return {"tmp": tmp, "reviews": Path(reviews)}


@pytest.fixture(scope="module")
def graded(logged) -> dict:
    tmp, reviews = logged["tmp"], logged["reviews"]
    ids = [json.loads(line)["id"] for line in DATA.read_text().split("\n")[:N_PROBLEMS]]
    predictions = Path(str(reviews).replace("/reviews/", "/predictions/"))
    stops = {
        json.loads(line)["index"]: json.loads(line)["model_output"]["choices"][0]["stop_reason"]
        for line in predictions.read_text().splitlines()
    }
    ours = []  # our replay format from the same texts, read here independently of the importer
    for line in reviews.read_text().splitlines():
        rec = json.loads(line)
        s = rec["sample_score"]
        cut = stops[rec["index"]] == "max_tokens"
        ours.append({"problem_id": str(ids[s["group_id"]]), "sample_index": s["generation_index"],
                     "response": joined(rec["messages"][-1]["content"]),
                     "finish_reason": "length" if cut else "stop"})  # fmt: skip
    return grade_both(tmp, reviews, ours)


def test_import_grades_like_our_replay_of_the_same_texts(graded):
    for name in CONVENTIONS:
        got = verdicts(graded[f"import_{name}"])
        assert len(got) == 2 * N_PROBLEMS
        assert got == verdicts(graded[f"replay_{name}"])
    r1 = rows(graded["import_r1"])
    assert sum(r["finish_reason"] == "length" for r in r1) == 1


def test_origin_tool_verdicts_and_notes_are_evalscopes(graded):
    backend = json.loads((graded["import_r1"] / "provenance.json").read_text())["backend"]
    assert backend["format"] == "evalscope" and backend["format_chosen_by"].startswith("auto: ")
    origin = backend["origin"]
    assert origin["tool"] == "evalscope" and origin["version"] == "1.14.1"
    assert origin["task"] == "aime24" and origin["model"] == "mock-model" and origin["repeats"] == 2
    assert origin["sampling"]["max_tokens"] == 64 and origin["sampling"]["temperature"] == 0.6
    assert origin["score"] == {
        "metric": "accuracy",
        "value": pytest.approx(5 / 6, abs=1e-4),
        "n": 6,
    }
    tvs = [r["tool_verdict"] for r in rows(graded["import_r1"])]
    assert all(t["tool"] == "evalscope" and t["metric"] == "acc" for t in tvs)
    assert sum(t["correct"] for t in tvs) == 5
    metrics = json.loads((graded["import_r1"] / "metrics.json").read_text())
    summary = metrics["tool_agreement"]
    assert summary["n_differ"] == 2
    assert {c: n for c, n in summary["categories"].items() if n} == {
        "truncated": 1, "answer_in_think": 1,
    }  # fmt: skip
    assert any(
        n.startswith("evalscope graded 2 of 6 samples differently") for n in metrics["notes"]
    )
    lenient = json.loads((graded["import_lenient"] / "metrics.json").read_text())
    assert lenient["tool_agreement"]["n_differ"] == 0
