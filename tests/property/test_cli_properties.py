"""Damaged logs through ``harness-eval`` itself (in process), and a finished run re-run.

The importer properties (``test_importer_properties.py``) call the replay stage directly; these
run the whole command, so an error raised after reading (while grading or scoring) is seen too.
Oracle: exit 0 with every sample where the log put it, graded as our own replay of the same
texts grades it; or exit 2 with an ``error:`` line naming the log. Never a traceback (exit 1),
and never a change to a finished run that a command is pointed at.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from tests.helpers import tool_logs
from tests.helpers.eval_inproc import Result, harness_eval
from tests.property import logs
from tests.property.conftest import RUN_ARGS, examples, tree_hashes
from tests.property.test_importer_properties import base, check_damaged, damage, problems

STATS = ("stats.bootstrap_resamples=200", "grading.workers=1")


def fixed(benchmark: str) -> dict[str, list[logs.Sample]]:
    """The three R1-shaped samples of ``tool_logs`` for each problem (right, inside, cut)."""
    return {p.id: tool_logs.samples(p) for p in problems(benchmark)}


def evaluate(fmt: logs.Format, path: Path, results: Path) -> Result:
    args = [*base(fmt.benchmark), f"backend.path={path}", *fmt.overrides, *STATS]
    return harness_eval(*args, f"results_dir={results}", "run_id=case")


def rows(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


@functools.cache
def reference(benchmark: str, finish: bool) -> tuple[tuple, ...]:
    """``(problem, sample, response, finish reason, correct)`` of our replay of the fixed texts."""
    where = Path(tempfile.mkdtemp(prefix="props-ref-"))
    path = logs.ours(problems(benchmark), fixed(benchmark), where, finish=finish)
    fmt = logs.Format("replay", benchmark, logs.ours)
    out = evaluate(fmt, path, where / "results")
    assert out.returncode == 0, out.stderr[-3000:]
    got = tuple(
        (r["problem_id"], r["sample_index"], r["response"], r["finish_reason"], r["correct"])
        for r in rows(where / "results" / "case")
    )
    shutil.rmtree(where, ignore_errors=True)
    return got


@settings(max_examples=examples(8))
@given(fmt=st.sampled_from(logs.FORMATS), data=st.data())
def test_a_damaged_log_through_the_cli_is_graded_right_or_refused(fmt, data):
    where = Path(tempfile.mkdtemp(prefix="props-cli-"))
    try:
        path = fmt.write(problems(fmt.benchmark), fixed(fmt.benchmark), where / "log")
        raw = path.read_bytes()
        binary = raw.startswith(b"PAR1")
        what, new = data.draw(damage(raw, text_file=not binary, none=True))
        note(f"{fmt.name}: {what}")
        event(what.split("@")[0].split(" ")[0])
        path.write_bytes(new)
        out = evaluate(fmt, path, where / "results")
        assert out.returncode in (0, 2), f"exit {out.returncode}:\n{out.stderr[-3000:]}"
        assert "Traceback" not in out.stderr, out.stderr[-3000:]
        ref = reference(fmt.benchmark, fmt.finish)
        if what == "no change":  # a valid log: graded exactly as our replay of its texts
            assert out.returncode == 0, out.stderr[-3000:]
        if out.returncode == 2:
            errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
            assert errors, out.stderr[-2000:]
            error = errors[0].removeprefix("error: ")
            check_damaged([r[:4] for r in ref], None, path, error)
            return
        got = rows(where / "results" / "case")
        completions = [
            SimpleNamespace(problem_id=r["problem_id"], sample_index=r["sample_index"],
                            response=r["response"], finish_reason=r["finish_reason"],
                            n_generated_tokens=r.get("n_generated_tokens"))
            for r in got
        ]  # fmt: skip
        check_damaged([r[:4] for r in ref], completions, path, None, binary=binary)
        same = {r[:4]: r[4] for r in ref}
        for r in got:  # an unchanged sample is graded as our replay grades it
            k = (r["problem_id"], r["sample_index"], r["response"], r["finish_reason"])
            assert k not in same or same[k] == r["correct"], r
    finally:
        shutil.rmtree(where, ignore_errors=True)


@settings(max_examples=4)
@given(change=st.sampled_from([(), ("grading.answer_region=anywhere",),
                               ("grading.answer_region=anywhere", "grading.truncated=grade"),
                               ("stats.bootstrap_resamples=300",)]))  # fmt: skip
def test_re_running_a_finished_run_never_changes_it(finished_run, run_copy, change):
    """The issue's case 7: the same command, or one with another convention, on a finished run."""
    run = run_copy()
    before = tree_hashes(run)
    provenance = json.loads((run / "provenance.json").read_text())
    replay = provenance["backend"]["path"]
    out = harness_eval(*RUN_ARGS, f"backend.path={replay}", f"results_dir={run.parent}",
                       f"run_id={run.name}", *change)  # fmt: skip
    assert out.returncode in (0, 2) and "Traceback" not in out.stderr, out.stderr[-3000:]
    assert tree_hashes(run) == before, f"{change}: the finished run changed"
