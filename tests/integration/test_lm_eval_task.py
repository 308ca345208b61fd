"""``benchmark=lm_eval_task``: a custom lm-eval task YAML run by lm-eval's evaluator, offline."""

from __future__ import annotations

import json

import pytest
from omegaconf import OmegaConf
from omegaconf.errors import MissingMandatoryValue

pytest.importorskip("torch")
pytest.importorskip("lm_eval")

from tests.conftest import compose, data_file
from tests.helpers import eval_inproc as inproc

TASK = "r1_harness_gsm8k_test"
TASK_YAML = """\
task: {task}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: generate_until
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_target: "{{{{answer.split('####')[-1].strip()}}}}"
filter_list:
  - name: strict-match
    filter:
      - function: regex
        regex_pattern: "#### (\\\\-?[0-9\\\\.\\\\,]+)"
      - function: take_first
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
"""


def test_task_is_required():
    cfg = compose(["benchmark=lm_eval_task"])
    with pytest.raises(MissingMandatoryValue, match="task"):
        OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)


def test_task_manager_indexes_only_the_include_path(tmp_path):
    from harness.backends.lm_eval.task import task_manager

    (tmp_path / "t.yaml").write_text(TASK_YAML.format(task=TASK, data="x.jsonl"))
    assert task_manager(TASK, str(tmp_path)).all_tasks == [TASK]


def test_custom_task_runs_through_lm_eval(tmp_path):
    data = data_file("gsm8k")
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "gsm8k_test.yaml").write_text(TASK_YAML.format(task=TASK, data=data))
    out = inproc.harness_eval(
        "experiment=dryrun", "benchmark=lm_eval_task", f"benchmark.task={TASK}",
        f"benchmark.include_path={tasks}", "limit=3", "sampling.max_new_tokens=16",
        f"results_dir={tmp_path}", "run_id=lmt",
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    run = tmp_path / "lmt"
    own = json.loads((run / "lm_eval_results.json").read_text())
    assert own["n-samples"][TASK]["effective"] == 3
    metrics = json.loads((run / "metrics.json").read_text())
    entry = metrics["metrics"]["exact_match,strict-match"]
    assert entry["value"] == 0.0 and len(entry["ci95"]) == 2 and "1.96" in entry["estimator"]
    assert (metrics["n_problems"], metrics["n_samples"]) == (3, 1)
    assert metrics["source"].startswith("lm-eval 0.4")
    assert any("RANDOMLY INITIALISED" in note for note in metrics["notes"])
    rows = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    assert [r["problem_id"] for r in rows] == ["0", "1", "2"]
    assert [r["target"] for r in rows] == ["18", "3", "70000"]
    for row in rows:
        assert {"sample_index", "finish_reason", "extracted_answer", "correct", "response"} <= set(
            row
        )
        assert row["n_generated_tokens"] <= 16 and row["finish_reason"] in {"stop", "length"}
        assert set(row["metrics"]) == {"exact_match,strict-match"}
    prov = json.loads((run / "provenance.json").read_text())
    assert prov["data"]["task_config"]["task"] == TASK
    assert prov["backend"]["name"] == "lm_eval"
