"""NeMo-Skills, evalchemy, MathArena and SkyThought logs (``tests/helpers/tool_logs.py``: written
as each writer's code at a cited commit writes them, since none installs here) imported by the
pipeline grade to exactly the per-sample verdicts of our own replay of the same texts, under both
answer regions, and keep the tool's own verdict beside ours in samples.jsonl.

The 12 runs go through ``harness.pipeline.run`` in this process (the CLI's own call after Hydra's
composition): through the CLI each paid about 45 s of start-up on the loaded 2-core machine (9.4
min in all), in process the first pays the graders' warm-up and the rest about a second each.
``test_one_import_through_the_cli`` keeps one end-to-end CLI run.

Each log has 2 AIME 2024 problems × 3 samples: right after ``</think>``, right only inside the
reasoning, and cut off by the token limit. The tools' graders take the last box of the whole text,
so they call all three right; the R1 rule calls only the first right.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.data.loader import load_benchmark
from harness.models.tiny import bundled_problems_file
from harness.pipeline import run
from tests.conftest import REPO, compose
from tests.helpers import eval_inproc as inproc
from tests.helpers import tool_logs

AIME = bundled_problems_file("aime24")
BASE = ["benchmark=aime24", f"benchmark.source={AIME}", "limit=2", "sampling.n=3",
        "grading.workers=1", "backend=replay"]  # fmt: skip
TOOLS = ("nemo_skills", "evalchemy", "matharena", "skythought")


def harness_eval(results: Path, run_id: str, *extra: str) -> Path:
    """One run of the composed config, as ``harness-eval`` runs it after composing."""
    cfg = compose([*BASE, f"results_dir={results}", f"run_id={run_id}", *extra])
    run(cfg, results / run_id)
    return results / run_id


def rows(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


def verdicts(run: Path) -> list[tuple]:
    return [
        (r["problem_id"], r["sample_index"], r["response"], r["correct"], r["extracted_answer"],
         json.dumps(r["verdicts"], sort_keys=True))
        for r in rows(run)
    ]  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("tools")
    problems, _ = load_benchmark(compose(BASE).benchmark, limit=2)
    logs = {
        "nemo_skills": tool_logs.nemo_skills(problems, tmp / "eval-results" / "aime24"),
        "evalchemy": tool_logs.evalchemy(problems, tmp / "train-00000-of-00001.parquet"),
        "matharena": tool_logs.matharena(problems, tmp / "aime.jsonl"),
        "skythought": tool_logs.skythought(problems, tmp / "sky"),
    }
    ours = tool_logs.ours(problems, tmp / "ours.jsonl")
    blind = tool_logs.ours(problems, tmp / "blind.jsonl", finish=False)  # no finish reasons
    res, out = tmp / "results", {}
    for region in ("after_think", "anywhere"):
        conv = f"grading.answer_region={region}"
        out["ours", region] = harness_eval(res, f"ours_{region}", f"backend.path={ours}", conv)
        out["blind", region] = harness_eval(res, f"blind_{region}", f"backend.path={blind}", conv)
        for tool, path in logs.items():
            out[tool, region] = harness_eval(
                res, f"{tool}_{region}", f"backend.path={path}", "backend.match=problem_text", conv
            )
    return out


@pytest.mark.parametrize("tool", TOOLS)
def test_import_grades_like_our_replay_of_the_same_texts(runs, tool):
    for region in ("after_think", "anywhere"):
        got = verdicts(runs[tool, region])
        assert len(got) == 6
        # evalchemy's and MathArena's rows hold no finish reason: ours without them is the match
        same = "blind" if tool in ("evalchemy", "matharena") else "ours"
        assert got == verdicts(runs[same, region])


def test_r1_rule_and_anywhere_differ_as_expected(runs):
    after = [r["correct"] for r in rows(runs["nemo_skills", "after_think"])]
    anywhere = [r["correct"] for r in rows(runs["nemo_skills", "anywhere"])]
    assert after == [True, False, False] * 2  # only the first is right after </think>
    assert anywhere == [True, True, False] * 2  # the truncated one stays wrong (grading.truncated)
    blind = [r["correct"] for r in rows(runs["matharena", "anywhere"])]
    assert blind == [True, True, True] * 2  # no finish reason: the cut-off box counts


@pytest.mark.parametrize("tool", TOOLS)
def test_tool_verdict_and_origin_reach_the_run(runs, tool):
    got = rows(runs[tool, "after_think"])
    judged = [r.get("tool_verdict") for r in got]
    if tool == "evalchemy":
        assert judged == [None] * 6  # its generation rows hold no verdict
    else:
        assert all(v and v["correct"] is True for v in judged)
    backend = json.loads((runs[tool, "after_think"] / "provenance.json").read_text())["backend"]
    assert backend["format"] == tool and backend["format_chosen_by"].startswith("auto: ")
    assert backend["origin"]["tool"] == tool.replace("_", "-")


def test_one_import_through_the_cli(runs, tmp_path):
    path = runs["nemo_skills", "after_think"]
    log = json.loads((path / "provenance.json").read_text())["backend"]["path"]
    args = [sys.executable, "-m", "harness.cli.eval", *BASE, f"backend.path={log}",
            "backend.match=problem_text", f"results_dir={tmp_path}", "run_id=cli"]  # fmt: skip
    out = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "reading" in out.stderr + out.stdout and "as nemo_skills" in out.stderr + out.stdout
    assert verdicts(tmp_path / "cli") == verdicts(path)


def test_evidence_entry_with_a_local_copy_is_attributed_to_its_model(runs, tmp_path):
    """``evidence=<name> backend.path=FILE``: the way on where the hub is unreachable."""
    log = json.loads((runs["matharena", "anywhere"] / "provenance.json").read_text())["backend"]
    out = inproc.harness_eval(
        "evidence=matharena_r1_distill_qwen_1_5b_aime25", f"benchmark.source={AIME}", "limit=2",
        "sampling.n=3", "grading.workers=1", f"backend.path={log['path']}",
        f"results_dir={tmp_path}", "run_id=ev",
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    facts = json.loads((tmp_path / "ev" / "provenance.json").read_text())
    assert facts["model"]["hub_id"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    assert facts["backend"]["format"] == "matharena" and facts["backend"]["match"] == "problem_text"
    assert "unknown origin" not in out.stdout + out.stderr
