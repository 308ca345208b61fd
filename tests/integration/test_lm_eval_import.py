"""lm-eval's own ``--log_samples`` output, written in the test by lm-eval's CLI running the tiny
model trained on 5 MATH-500 problems, imported with ``backend=replay`` (format detected).

The imported run grades to the same per-sample verdicts as our replay of the same texts, under
both answer regions. It also shows a real trap: lm-eval's HF decode skips special tokens, and
``</think>`` is one in the tiny model's tokenizer (as in any that marks it special), so lm-eval's
log has no ``</think>``: every response is wrong under the R1 rule and right when read
``anywhere``; our own lm_eval backend keeps ``</think>``, so ``harness-compare`` finds the texts
themselves differ.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("lm_eval")

from harness.data.loader import load_benchmark
from harness.models.cache import cached_trained_tiny_model
from harness.models.tiny import bundled_problems_file
from tests.conftest import compose
from tests.helpers import eval_inproc as inproc
from tests.helpers.tool_venv import compare, run

pytestmark = pytest.mark.slow
DATA = bundled_problems_file("math500")  # the first 5 MATH-500 test problems, byte-exact
TASK = "r1_math500_first5"


def task_yaml(data: Path) -> str:
    """generate_until with the R1 instruction under the model's chat template, greedy, 2 repeats."""
    import yaml

    from harness.data.prompts import MATH_INSTRUCTION

    task = {
        "task": TASK,
        "dataset_path": "json",
        "dataset_kwargs": {"data_files": {"test": str(data)}},
        "test_split": "test",
        "output_type": "generate_until",
        "doc_to_text": "{{problem}}\n" + MATH_INSTRUCTION,
        "doc_to_target": "{{answer}}",
        "generation_kwargs": {"until": [], "do_sample": False, "max_gen_toks": 48},
        "repeats": 2,
        "metric_list": [{"metric": "exact_match", "aggregation": "mean", "higher_is_better": True}],
    }
    return yaml.safe_dump(task)


def harness_eval(results: Path, run_id: str, *extra: str) -> Path:
    """``harness-eval`` in this process (``tests/helpers/eval_inproc.py``)."""
    out = inproc.harness_eval(
        f"benchmark.source={DATA}", "sampling=greedy", "sampling.n=2", "grading.workers=1",
        f"results_dir={results}", f"run_id={run_id}", *extra,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return results / run_id


def rows(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def logged(tmp_path_factory, tiny_cache) -> dict:
    tmp = tmp_path_factory.mktemp("lm_eval_log")
    problems, _ = load_benchmark(compose([f"benchmark.source={DATA}"]).benchmark)
    model, report = cached_trained_tiny_model(tiny_cache, problems, contrast=False)
    assert report.reproduced == report.total == 5, report
    (tmp / "tasks").mkdir()
    (tmp / "tasks" / "t.yaml").write_text(task_yaml(DATA))
    run([sys.executable, "-m", "lm_eval", "--model", "hf",
         "--model_args", f"pretrained={model},dtype=float32", "--device", "cpu",
         "--tasks", TASK, "--include_path", str(tmp / "tasks"), "--apply_chat_template",
         "--log_samples", "--output_path", str(tmp / "out"), "--batch_size", "5"],
        timeout=300)  # fmt: skip
    (samples,) = (tmp / "out").rglob(f"samples_{TASK}_*.jsonl")
    return {"tmp": tmp, "model": model, "samples": samples, "problems": problems}


@pytest.fixture(scope="module")
def graded(logged) -> dict:
    tmp, samples = logged["tmp"], logged["samples"]
    # Our own replay format, from the same texts (read here, independently of the importer).
    ours = []
    for line in samples.read_text().splitlines():
        rec = json.loads(line)
        for j, text in enumerate(rec["resps"][0]):
            pid = rec["doc"]["unique_id"]
            ours.append({"problem_id": pid, "sample_index": j, "response": text})
    (tmp / "ours.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ours))
    res = tmp / "results"
    out = {}
    for region in ("after_think", "anywhere"):
        conv = f"grading.answer_region={region}"
        out[f"import_{region}"] = harness_eval(
            res, f"import_{region}", "backend=replay", f"backend.path={samples}", conv
        )
        out[f"replay_{region}"] = harness_eval(
            res, f"replay_{region}", "backend=replay", f"backend.path={tmp / 'ours.jsonl'}",
            "backend.format=replay", conv,
        )  # fmt: skip
    return out


def verdicts(run_dir: Path) -> list[tuple]:
    return [
        (r["problem_id"], r["sample_index"], r["response"], r["correct"], r["extracted_answer"],
         json.dumps(r["verdicts"], sort_keys=True))
        for r in rows(run_dir)
    ]  # fmt: skip


def test_import_grades_like_our_replay_of_the_same_texts(graded):
    for region in ("after_think", "anywhere"):
        got = verdicts(graded[f"import_{region}"])
        assert len(got) == 10
        assert got == verdicts(graded[f"replay_{region}"])


def test_lm_eval_dropped_think_end_so_the_answer_region_decides(graded):
    r1 = rows(graded["import_after_think"])
    assert all("</think>" not in r["response"] for r in r1)  # lm-eval skipped the special token
    assert {r["verdicts"]["math_verify"]["status"] for r in r1} == {"unclosed_think"}
    anywhere = json.loads((graded["import_anywhere"] / "metrics.json").read_text())
    assert anywhere["metrics"]["pass@1"]["value"] == 100.0
    assert anywhere["grading_convention"]["answer_region"] == "anywhere"
    assert any("no finish reason" in note for note in anywhere["notes"])


def test_origin_is_what_the_log_says(graded, logged):
    backend = json.loads((graded["import_anywhere"] / "provenance.json").read_text())["backend"]
    assert backend["format"] == "lm_eval" and backend["format_chosen_by"].startswith("auto: ")
    origin = backend["origin"]
    assert origin["tool"] == "lm-eval" and origin["task"] == TASK
    assert origin["lm_eval_version"] == "0.4.13"
    assert origin["model_args"]["pretrained"] == str(logged["model"])
    assert origin["generation_kwargs"]["max_gen_toks"] == 48 and origin["repeats"] == 2


def test_compare_two_conventions_and_two_harnesses(graded, logged, tmp_path):
    a, b, tmp = graded["import_after_think"], graded["import_anywhere"], tmp_path
    compare(a, b, tmp / "c1")
    result = json.loads((tmp / "c1" / "compare.json").read_text())
    assert result["categories"]["answer_in_think"] == 10 and len(result["items"]) == 10
    assert result["diff"]["pass@1"] == pytest.approx(-100.0)
    # Our own harness on the same model keeps </think>: the texts differ from lm-eval's log.
    own = harness_eval(
        tmp / "res", "own", "model=tiny_random_qwen2", f"model.path={logged['model']}",
        "model.extra.build=null", "model.extra.random_weights=false", "backend=lm_eval",
        "backend.device=cpu", "backend.batch_size=5", "sampling.max_new_tokens=48",
    )  # fmt: skip
    compare(own, a, tmp / "c2")
    result = json.loads((tmp / "c2" / "compare.json").read_text())
    assert result["categories"]["different_response"] == 10
    assert result["diff"]["pass@1"] == pytest.approx(100.0)
    assert sum(result["effects"].values()) == pytest.approx(100.0)
