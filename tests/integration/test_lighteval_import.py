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
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow
VENV = REPO / ".venv-tools" / "lighteval"
TOOLS = REPO / "tests" / "integration" / "tools"
DATA = REPO / "tests" / "data" / "aime24.jsonl"
N_PROBLEMS = 3
CONVENTIONS = {
    "r1": ("grading.answer_region=after_think", "grading.truncated=wrong"),
    "lenient": ("grading.answer_region=anywhere", "grading.truncated=grade"),
}
if not (VENV / "bin" / "lighteval").is_file():
    pytest.skip(
        f"{VENV} is absent: run `bash scripts/setup_tool_venvs.sh lighteval`",
        allow_module_level=True,
    )


def run(args: list, timeout: int = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    out = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=timeout, env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out


def harness_eval(results: Path, run_id: str, *extra: str) -> Path:
    run([sys.executable, "-m", "harness.cli.eval", "benchmark=aime24", f"benchmark.source={DATA}",
         f"limit={N_PROBLEMS}", "sampling.n=2", "grading.workers=1", f"results_dir={results}",
         f"run_id={run_id}", "backend=replay", *extra])  # fmt: skip
    return results / run_id


def rows(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]


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
    (tmp / "ours.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ours))
    res, out = tmp / "results", {}
    for name, conv in CONVENTIONS.items():
        log = f"backend.path={logged['details']}"
        out[f"import_{name}"] = harness_eval(res, f"import_{name}", log, *conv)
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
