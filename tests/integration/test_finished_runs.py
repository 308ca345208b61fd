"""Issue 19: a finished run never changes, a failed start leaves nothing, sweep jobs are
distinct, replays of unknown origin are attributed to nothing, and readers verify what they read.

Every command runs in this process (``tests/helpers/eval_inproc.py``) on the 5 bundled MATH-500
problems: ~1 s a call once the first has imported everything.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from harness.data.loader import load_benchmark
from harness.store.run_dir import COMPLETE, mark_complete
from tests.conftest import compose
from tests.helpers.eval_inproc import (
    SOURCE,
    harness_eval,
    harness_report,
    replay_args,
)

LENIENT = ("grading.answer_region=anywhere", "grading.truncated=grade")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def pass1(run: Path) -> float:
    return json.loads((run / "metrics.json").read_text())["metrics"]["pass@1"]["value"]


@pytest.fixture(scope="module")
def replays(tmp_path_factory) -> dict[str, Path]:
    """Two replay files: one whose score depends on the grading convention, one mostly wrong."""
    tmp = tmp_path_factory.mktemp("replays")
    problems, _ = load_benchmark(compose([f"benchmark.source={SOURCE}"]).benchmark)
    rows, wrong = [], []
    for p in problems:
        texts = [
            ("stop", f"<think>\nok\n</think>\n\n$\\boxed{{{p.gold}}}$"),
            ("stop", "<think>\nok\n</think>\n\n$\\boxed{1234567}$"),
            ("stop", f"<think>\nIt is \\boxed{{{p.gold}}}.\n</think>\n"),  # right only anywhere
            ("length", f"<think>\nok\n</think>\n\n\\boxed{{{p.gold}}} because"),  # cut
        ]
        for j, (finish, text) in enumerate(texts):
            rows.append({"problem_id": p.id, "sample_index": j, "response": text,
                         "finish_reason": finish})  # fmt: skip
            right = j == 0 and p is problems[0]
            wrong.append({"problem_id": p.id, "sample_index": j, "finish_reason": "stop",
                          "response": texts[0][1] if right else texts[1][1]})  # fmt: skip
    out = {}
    for name, data in (("mixed", rows), ("wrong", wrong)):
        out[name] = tmp / f"{name}.jsonl"
        out[name].write_text("".join(json.dumps(r) + "\n" for r in data))
    return out


def test_a_finished_run_is_never_changed_and_a_regrade_is_a_new_replay(replays, tmp_path):
    results = tmp_path / "results"
    args = replay_args(replays["mixed"], results, "run_id=r")
    first = harness_eval(*args)
    assert first.returncode == 0, first.stderr[-3000:]
    run = results / "r"
    before = snapshot(run)
    # the same command again: complete, nothing written, exit 0
    again = harness_eval(*args)
    assert again.returncode == 0 and f"{run} is complete; nothing was changed" in again.stdout
    assert snapshot(run) == before
    # another grading convention (issue 19: it rewrote five files in place, pass@1 65 → 75)
    regrade = harness_eval(*args, *LENIENT)
    assert regrade.returncode == 2 and "Traceback" not in regrade.stderr
    assert "holds a finished run (complete.json), which is never changed" in regrade.stderr
    assert "grading.answer_region: 'after_think' → 'anywhere'" in regrade.stderr
    assert snapshot(run) == before
    command = regrade.stderr.split("nothing is generated again): ")[1].splitlines()[0]
    assert f"backend=replay backend.path={run / 'samples.jsonl'} run_id=r_regrade" in command
    # the printed command writes a NEW run from the finished run's samples.jsonl
    new = harness_eval(*shlex.split(command)[1:])
    assert new.returncode == 0, new.stderr[-3000:]
    assert snapshot(run) == before
    assert pass1(results / "r_regrade") > pass1(run)
    config = yaml.safe_load((results / "r_regrade" / "config.yaml").read_text())
    assert config["grading"]["answer_region"] == "anywhere"
    # a change to what the responses are (another model) cannot be a re-grade
    other = harness_eval(*args, "model=r1_distill_qwen_7b")
    assert other.returncode == 2 and "Choose a new run_id=…" in other.stderr
    assert snapshot(run) == before


def test_a_failed_start_leaves_no_folder_that_the_report_stumbles_on(replays, tmp_path):
    results = tmp_path / "results"
    done = harness_eval(*replay_args(replays["mixed"], results, "run_id=good"))
    assert done.returncode == 0, done.stderr[-3000:]
    refused = harness_eval(*replay_args(tmp_path / "absent.jsonl", results, "run_id=bad"))
    assert refused.returncode == 2 and "does not exist" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (results / "bad").exists()
    report = harness_report(str(results), "--out", str(tmp_path / "rep"), "--no-plots")
    assert report.returncode == 0, report.stderr


def test_unknown_origin_replays_are_never_pooled_nor_given_a_budget_curve(replays, tmp_path):
    results = tmp_path / "results"
    for name in ("mixed", "wrong"):  # two replays, no model=: one "unknown × math500" cell
        out = harness_eval(*replay_args(replays[name], results, f"run_id={name}"))
        assert out.returncode == 0, out.stderr[-3000:]
        curve = json.loads((results / name / "metrics.json").read_text())["budget_curve"]
        assert "unknown origin" in curve["refused"] and "DeepSeek" not in json.dumps(curve)
    report = harness_report(str(results), "--out", str(tmp_path / "rep"), "--no-plots")
    assert report.returncode == 0, report.stderr
    assert "2 runs, 2 cells" in report.stdout
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "origin unknown (mixed)" in md and "origin unknown (wrong)" in md
    assert "(P=5, n=8" not in md  # never one pooled row


def test_sweep_jobs_get_distinct_run_ids_and_honest_folder_names(replays, tmp_path):
    results = tmp_path / "results"
    out = harness_eval(
        "-m", *replay_args(replays["mixed"], results, "grading.truncated=wrong,grade")
    )
    assert out.returncode == 0, out.stderr[-3000:]
    jobs = sorted(results.glob("multirun_*/*_math500"))
    assert [j.name for j in jobs] == ["0_unknown_math500", "1_unknown_math500"]
    ids = [yaml.safe_load((j / "config.yaml").read_text())["run_id"] for j in jobs]
    assert len(set(ids)) == 2 and ids[0].split("_")[0].endswith("-j0")


def test_readers_verify_what_complete_json_recorded(replays, tmp_path):
    results = tmp_path / "results"
    out = harness_eval(*replay_args(replays["mixed"], results, "run_id=r"))
    assert out.returncode == 0, out.stderr[-3000:]
    run = results / "r"
    samples = run / "samples.jsonl"
    lines = samples.read_text().splitlines(keepends=True)
    samples.write_text("".join(lines[:-4]))  # cut at a line boundary: a valid, smaller run
    rep = tmp_path / "rep"
    refused = harness_report(str(results), "--out", str(rep), "--no-plots")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"{samples}: its sha256 differs from the one" in refused.stderr
    harness_eval(*replay_args(replays["wrong"], results, "run_id=other"))
    skipped = harness_report(str(results), "--out", str(rep), "--no-plots", "--skip-incomplete")
    assert skipped.returncode == 0 and f"warning: {samples}: its sha256 differs" in skipped.stderr
    assert "1 runs, 1 cells" in skipped.stdout
    # damaged files that complete.json vouches for still get one line naming them
    samples.write_text("".join(lines))
    for name, data in (("metrics.json", b"[]\n"), ("metrics.json", b'{"a": "\xff"}')):
        (run / name).write_bytes(data)
        mark_complete(run)
        bad = harness_report(str(run), "--out", str(rep), "--no-plots")
        assert bad.returncode == 2 and f"error: {run / name}" in bad.stderr
        assert "Traceback" not in bad.stderr and len(bad.stderr.splitlines()) == 1
    (run / COMPLETE).unlink()
    gone = harness_report(str(run), "--out", str(rep), "--no-plots")
    assert gone.returncode == 2 and "has no complete.json" in gone.stderr


def test_the_report_never_replaces_nor_writes_into_a_run_directory(replays, tmp_path):
    """Found by tests/property: ``--out RUN`` swapped the run directory for the report folder
    (the atomic publish replaced it whole, deleting every file of the finished run)."""
    results = tmp_path / "results"
    assert harness_eval(*replay_args(replays["mixed"], results, "run_id=r")).returncode == 0
    run = results / "r"
    before = snapshot(run)
    for out in (run, run / "report", results):  # the run, inside it, a folder holding it
        refused = harness_report(str(run), "--out", str(out), "--no-plots")
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
        assert f"--out {out} is, lies inside or holds the run directory {run}" in refused.stderr
        assert snapshot(run) == before
    # without --out, a run directory given first gets its report beside it, not inside
    made = harness_report(str(run), "--no-plots")
    assert made.returncode == 0, made.stderr[-2000:]
    assert (results / "report" / "verdicts.json").is_file() and snapshot(run) == before
