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
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow
VENV = REPO / ".venv-tools" / "evalscope"
DATA = REPO / "tests" / "data" / "aime24.jsonl"
N_PROBLEMS = 3
CONVENTIONS = {
    "r1": ("grading.answer_region=after_think", "grading.truncated=wrong"),
    "lenient": ("grading.answer_region=anywhere", "grading.truncated=grade"),
}
if not (VENV / "bin" / "python").is_file():
    pytest.skip(
        f"{VENV} is absent: run `bash scripts/setup_tool_venvs.sh evalscope`",
        allow_module_level=True,
    )


def run(args: list, timeout: int = 300) -> subprocess.CompletedProcess:
    out = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=timeout)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out


def harness_eval(results: Path, run_id: str, *extra: str) -> Path:
    run([sys.executable, "-m", "harness.cli.eval", "benchmark=aime24", f"benchmark.source={DATA}",
         f"limit={N_PROBLEMS}", "sampling.n=2", "grading.workers=1", f"results_dir={results}",
         f"run_id={run_id}", "backend=replay", *extra])  # fmt: skip
    return results / run_id


def rows(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]


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
    script = REPO / "tests" / "integration" / "tools" / "run_evalscope.py"
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
    (tmp / "ours.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ours))
    res, out = tmp / "results", {}
    for name, conv in CONVENTIONS.items():
        out[f"import_{name}"] = harness_eval(
            res, f"import_{name}", f"backend.path={reviews}", *conv
        )
        out[f"replay_{name}"] = harness_eval(
            res, f"replay_{name}", f"backend.path={tmp / 'ours.jsonl'}", "backend.format=replay",
            *conv,
        )  # fmt: skip
    return out


def verdicts(run_dir: Path) -> list[tuple]:
    return sorted(
        (r["problem_id"], r["sample_index"], r["response"], r["finish_reason"], r["correct"],
         r["extracted_answer"], json.dumps(r["verdicts"], sort_keys=True))
        for r in rows(run_dir)
    )  # fmt: skip


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
