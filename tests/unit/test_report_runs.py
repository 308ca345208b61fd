"""Run discovery and loading: folders, multirun layouts, and the errors that name the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from harness.report.runs import ReportInputError, discover, load_run, load_runs
from harness.store.run_dir import mark_complete


def write_run(
    folder: Path,
    *,
    model: str = "r1_distill_qwen_1_5b",
    benchmark: str = "math500",
    correct: list[list[bool]] | None = None,
    metrics: bool = True,
    temperature: float = 0.6,
    sha: str | None = "b" * 64,
) -> Path:
    """A minimal run directory in harness-eval's format."""
    correct = correct or [[True, False], [True, True], [False, False]]
    folder.mkdir(parents=True)
    config = {
        "run_id": folder.name,
        "model": {"name": model, "dtype": "bfloat16", "revision": "main"},
        "benchmark": {"name": benchmark},
        "sampling": {
            "temperature": temperature,
            "top_p": 0.95,
            "max_new_tokens": 32768,
            "n": len(correct[0]),
            "seed": 0,
        },
        "limit": None,
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    (folder / ".hydra").mkdir()
    (folder / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config))
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(["model=" + model, "limit=3"]))
    rows = []
    for i, row in enumerate(correct):
        for j, ok in enumerate(row):
            answer = "7" if ok else f"wrong{j % 2}"
            rows.append(
                {
                    "problem_id": f"p{i}",
                    "sample_index": j,
                    "response": (folder.name + "x" * 400)[: 100 * (i + 1)],  # name: the samples
                    "finish_reason": "stop",
                    "extracted_answer": answer,
                    "correct": ok,
                    "vote_group": 0 if ok else 1 + j % 2,
                    "verdicts": {
                        "math_verify": {"extracted": answer, "correct": ok, "status": "ok"},
                        "math_normalized": {"extracted": answer, "correct": ok, "status": "ok"},
                    },
                }
            )
    (folder / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    prov = {
        "data": {"problems_sha256": sha, "source_sha256": "a" * 64},
        "backend": {"name": "replay", "sha256": folder.name},
    }
    (folder / "provenance.json").write_text(json.dumps(prov))
    if metrics:
        (folder / "metrics.json").write_text(json.dumps({"metrics": {}, "n_samples": 2}))
        mark_complete(folder)  # written last, as harness-eval does
    return folder


def test_discovers_runs_in_results_and_multirun_folders_but_not_wandb_or_hydra(tmp_path):
    write_run(tmp_path / "results" / "run-a")
    write_run(tmp_path / "results" / "multirun_20261123-130501" / "0_m_b")
    write_run(tmp_path / "results" / "multirun_20261123-130501" / "1_m_b")
    wandb_files = tmp_path / "results" / "wandb" / "offline-run-x" / "files"
    wandb_files.mkdir(parents=True)
    (wandb_files / "config.yaml").write_text("a: 1\n")
    (wandb_files / "metrics.json").write_text("{}")
    found = discover([tmp_path / "results"])
    assert [p.name for p in found] == ["0_m_b", "1_m_b", "run-a"]
    # a run directory itself, and the same run twice, count once
    assert discover([found[0], found[0]]) == [found[0]]


def test_no_run_directories_names_the_folder_and_the_fix(tmp_path):
    with pytest.raises(ReportInputError, match=r"no run directories found in .*run `harness-eval"):
        discover([tmp_path])
    with pytest.raises(ReportInputError, match="is not a directory"):
        discover([tmp_path / "absent"])


def test_a_run_without_metrics_probably_died_and_says_how_to_rerun(tmp_path):
    write_run(tmp_path / "dead", metrics=False)
    with pytest.raises(ReportInputError) as err:
        load_run(tmp_path / "dead")
    text = str(err.value)
    assert "has no metrics.json" in text and "probably died" in text
    assert "harness-eval model=r1_distill_qwen_1_5b limit=3 run_id=dead hydra.run.dir=" in text
    assert "--skip-incomplete" in text


def test_skip_incomplete_leaves_dead_runs_out_with_a_warning(tmp_path):
    write_run(tmp_path / "dead", metrics=False)
    write_run(tmp_path / "alive")
    runs, warnings = load_runs([tmp_path], skip_incomplete=True)
    assert [r.run_id for r in runs] == ["alive"] and "dead" in warnings[0]


def test_loaded_run_has_its_matrix_and_config_names(tmp_path):
    run = load_run(write_run(tmp_path / "r"))
    assert (run.model, run.benchmark, run.temperature, run.n_samples) == (
        "r1_distill_qwen_1_5b",
        "math500",
        0.6,
        2,
    )
    assert run.samples.problem_ids == ("p0", "p1", "p2")
    assert run.samples.correct.tolist() == [[True, False], [True, True], [False, False]]
    assert run.samples.length_unit == "characters" and run.samples.lengths[2, 0] == 300
    assert run.problems_sha256 == "b" * 64


def test_uneven_samples_are_an_error_naming_the_file(tmp_path):
    folder = write_run(tmp_path / "r")
    lines = (folder / "samples.jsonl").read_text().splitlines()
    (folder / "samples.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(ReportInputError, match="samples.jsonl"):
        load_run(folder)


def test_reading_a_wandb_project_offline_fails_with_the_fix(monkeypatch, tmp_path):
    from harness.errors import HarnessError
    from harness.tracking.report_run import download_runs

    monkeypatch.setenv("WANDB_MODE", "offline")
    with pytest.raises(HarnessError, match="WANDB_MODE=offline.*wandb login"):
        download_runs("someone/r1", tmp_path)
