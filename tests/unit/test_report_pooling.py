"""Pooling runs of one cell, protocol checks against the claims registry, and table formatting."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness.claims import load_claims, load_groups, load_margins, load_protocols
from harness.config.paths import repo_root
from harness.report.build import build_report
from harness.report.markdown import md_table
from harness.report.pooling import build_cells, pool_samples
from harness.report.runs import load_run
from harness.report.tables import MISSING, provenance_rows
from harness.report.verdicts import Settings, judge_all
from harness.store.run_dir import mark_complete
from tests.unit.test_report_runs import write_run

SEEDS = repo_root() / "seeds"
STATS = {"resamples": 200, "seed": 0, "confidence": 0.95}


def cells_of(*runs):
    return build_cells(list(runs), **STATS)


def test_two_runs_with_one_protocol_pool_so_n_adds_up(tmp_path):
    a = load_run(write_run(tmp_path / "a", correct=[[True, False], [True, True], [False, False]]))
    b = load_run(write_run(tmp_path / "b", correct=[[True, True], [False, True], [False, False]]))
    (cell,) = cells_of(a, b)
    assert cell.n_samples == 4 and cell.n_problems == 3 and len(cell.runs) == 2
    assert cell.summary["metrics"]["pass@1"]["value"] == pytest.approx(100 * 6 / 12, abs=0.01)
    assert set(cell.summary["metrics"]) == {"pass@1", "pass@2", "pass@4", "cons@4"}
    assert cell.run_pass1() == [50.0, 50.0]


def test_pooled_vote_classes_merge_correct_answers_and_equal_texts_across_runs(tmp_path):
    a = load_run(write_run(tmp_path / "a", correct=[[True, False]]))
    b = load_run(write_run(tmp_path / "b", correct=[[False, True]]))
    pooled = pool_samples([a.samples, b.samples])
    groups = pooled.groups[0].tolist()
    assert groups[0] == groups[3]  # both correct → one class
    assert groups[1] != groups[0] and groups[2] != groups[0]
    assert pooled.extracted[0] == ("7", "wrong1", "wrong0", "7")


def test_different_sampling_is_not_pooled_and_says_why(tmp_path):
    a = load_run(write_run(tmp_path / "a"))
    b = load_run(write_run(tmp_path / "b", temperature=0.0))
    cells = cells_of(a, b)
    assert len(cells) == 2
    notes = {c.runs[0].run_id: c.notes for c in cells}
    assert notes["a"] == ("not pooled with b: temperature 0.6 vs 0.0",)
    assert notes["b"] == ("not pooled with a: temperature 0.0 vs 0.6",)


def test_different_problem_sets_are_not_pooled(tmp_path):
    a = load_run(write_run(tmp_path / "a"))
    b = load_run(write_run(tmp_path / "b", sha="c" * 64))
    assert all("different problems" in c.notes[0] for c in cells_of(a, b))


def test_the_same_replayed_file_counts_once(tmp_path):
    a = load_run(write_run(tmp_path / "x" / "same"))
    b = load_run(write_run(tmp_path / "y" / "same"))
    (cell,) = cells_of(a, b)
    assert cell.n_samples == 2 and "same samples counted once: all its 6 samples" in cell.notes[0]


def _big_run(tmp_path, name, share, **kw):
    # all 500 MATH-500 problems (a partial set is "not measured", report/coverage.py)
    correct = [[True, True]] * int(500 * share) + [[False, False]] * (500 - int(500 * share))
    return load_run(write_run(tmp_path / name, correct=correct, **kw))


def _verdicts(cells, strict=False):
    claims = load_claims(SEEDS)
    rows = judge_all(
        cells,
        claims,
        load_protocols(SEEDS),
        Settings(resamples=300, strict_protocol=strict),
        load_margins(SEEDS),
        load_groups(SEEDS, claims),
    )
    return {r.claim_id: r for r in rows}


CLAIM = "paper.t5.r1_distill_qwen_1_5b.math500.pass@1"  # 83.9 in Table 5


def test_value_claim_with_matching_protocol_flags_only_n(tmp_path):
    rows = _verdicts(cells_of(_big_run(tmp_path, "r", 0.84)))
    row = rows[CLAIM]
    # n = 2 < 8: the p̃ floor gives SE_D ≈ 1.4 > δ/2.926, so D ≈ 0 is underpowered, not capped
    assert row.verdict == "underpowered" and "would be" not in row.reason, row.reason
    assert "protocol differs: n=2 vs 4–64" in row.reason and row.protocol_differences == (
        "n=2 vs 4–64",
    )
    strict = _verdicts(cells_of(_big_run(tmp_path, "s", 0.84)), strict=True)[CLAIM]
    assert strict.verdict == "inconclusive" and "would be underpowered" in strict.reason


def test_a_temperature_difference_caps_the_verdict_and_is_visible(tmp_path):
    row = _verdicts(cells_of(_big_run(tmp_path, "g", 0.5, temperature=0.0)))[CLAIM]
    assert row.verdict == "inconclusive"
    assert "would be refuted" in row.reason and "temperature 0.0 vs 0.6" in row.reason


def test_best_cell_is_the_one_matching_the_protocol(tmp_path):
    greedy = _big_run(tmp_path, "g", 0.5, temperature=0.0, sha="d" * 64)
    sampled = _big_run(tmp_path, "s", 0.84)
    row = _verdicts(cells_of(greedy, sampled))[CLAIM]
    assert row.verdict == "underpowered" and row.runs == ("s",), row.reason


def test_comparison_with_no_run_is_decided_on_the_cited_numbers(tmp_path):
    rows = _verdicts(cells_of(_big_run(tmp_path, "r", 0.84)))
    # R1 79.8 (n_pub 64) vs o1-1217 79.2 (n not stated: 1) on 30 AIME problems: the o1 number's
    # own sampling noise (SE ≤ 7.4 points) cannot show equivalence within 3.33
    row = rows["art.000.r1_comparable_o1.aime24.pass@1"]
    assert row.verdict == "underpowered" and "neither side was run" in row.reason
    assert row.d == pytest.approx(0.6) and row.n_pub is not None
    # R1 beats GPT-4o on MATH-500, 97.3 vs 74.6: the cited numbers alone settle it
    beats = rows["art.001.r1_beats_gpt4o.math500.pass@1"]
    assert beats.verdict == "consistent with the cited numbers", beats.reason
    group = rows["art.001.r1_beats_gpt4o"]
    assert group.kind == "group" and group.verdict == "consistent with the cited numbers"
    assert set(group.members) == {
        "art.001.r1_beats_gpt4o.aime24.pass@1",
        "art.001.r1_beats_gpt4o.math500.pass@1",
    }


def test_runs_with_the_same_seed_stream_count_once(tmp_path):
    a = load_run(write_run(tmp_path / "a", sha=None))
    b = load_run(write_run(tmp_path / "b", sha=None))
    for run in (a, b):  # generating runs: no replay file, same sampling.seed
        (run.path / "provenance.json").write_text(json.dumps({"backend": {"name": "vllm"}}))
        mark_complete(run.path)
    a, b = load_run(a.path), load_run(b.path)
    (cell,) = cells_of(a, b)
    assert cell.n_samples == 2 and "same seed stream (seed 0)" in cell.notes[0]


def test_pooling_key_includes_revisions_prompts_and_graders(tmp_path):
    a = load_run(write_run(tmp_path / "a"))
    b = load_run(write_run(tmp_path / "b"))
    prov = json.loads((b.path / "provenance.json").read_text())
    prov["graders"] = {"math_verify": "0.9.0"}
    (b.path / "provenance.json").write_text(json.dumps(prov))
    mark_complete(b.path)
    cells = cells_of(a, load_run(b.path))
    assert len(cells) == 2 and "graders" in cells[0].notes[0]


def test_md_table_escapes_pipes_and_newlines():
    text = md_table(["a", "b|c"], [["x|y", "line\nbreak"]])
    assert text.splitlines() == ["| a | b\\|c |", "|---|---|", "| x\\|y | line break |"]


def test_provenance_shows_missing_keys_as_dashes(tmp_path):
    run = load_run(write_run(tmp_path / "r"))
    (row,) = provenance_rows([run])
    assert row[3] == "main" and row[9] == "bfloat16"
    assert row[4] == MISSING and row[8] == MISSING and row[11] == MISSING  # tokenizer, TP, git


def test_build_report_without_plots_writes_json_and_markdown(tmp_path):
    write_run(tmp_path / "res" / "r", correct=[[True, True]] * 10 + [[False, True]] * 10)
    report = build_report([tmp_path / "res"], tmp_path / "out", plots=False)
    payload = json.loads((tmp_path / "out" / "verdicts.json").read_text())
    assert "max_ci_width" not in payload["settings"]  # the width gate is gone
    assert payload["settings"]["fixed_set"]["confidence"] == {"support": 0.90, "refute": 0.95}
    assert len(payload["verdicts"]) == len(report.rows) > 100
    md = (tmp_path / "out" / "report.md").read_text()
    assert "75.0 [" in md and "(P=20, n=2, k=1)" in md
    assert not list((tmp_path / "out").glob("*.png"))
    assert np.isfinite(report.cells[0].summary["metrics"]["pass@1"]["value"])


def test_samples_are_deduplicated_by_their_content_not_by_file_or_seed(tmp_path):
    """Issue 19: a replay of a file the cell generated, and a byte-different copy of the same
    samples, were both pooled as new samples."""
    made = write_run(tmp_path / "gen" / "same")
    prov = json.loads((made / "provenance.json").read_text())
    prov["backend"] = {"name": "vllm"}  # generated: no replay file
    (made / "provenance.json").write_text(json.dumps(prov))
    mark_complete(made)
    replayed = write_run(tmp_path / "rep" / "same")  # a replay: its own file sha256, no seed
    copy = write_run(tmp_path / "copy" / "same")
    rows = [json.loads(line) for line in (copy / "samples.jsonl").read_text().splitlines()]
    text = "".join(json.dumps(r, indent=None, sort_keys=True) + "\n" for r in reversed(rows))
    (copy / "samples.jsonl").write_text(text)  # other bytes, other order: the same samples
    prov = json.loads((copy / "provenance.json").read_text())
    prov["backend"]["sha256"] = "another file"
    (copy / "provenance.json").write_text(json.dumps(prov))
    mark_complete(copy)
    (cell,) = cells_of(load_run(made), load_run(replayed), load_run(copy))
    assert cell.n_samples == 2 and len(cell.runs) == 1
    assert len(cell.notes) == 2 and all("same samples counted once" in n for n in cell.notes)


def test_a_few_identical_texts_do_not_make_two_runs_one(tmp_path):
    a = write_run(tmp_path / "a")
    b = write_run(tmp_path / "b")
    rows_a = (a / "samples.jsonl").read_text().splitlines(keepends=True)
    rows_b = (b / "samples.jsonl").read_text().splitlines(keepends=True)
    (b / "samples.jsonl").write_text(rows_a[0] + "".join(rows_b[1:]))  # one identical sample
    mark_complete(b)
    (cell,) = cells_of(load_run(a), load_run(b))
    assert cell.n_samples == 4 and len(cell.runs) == 2


def test_replays_of_unknown_origin_are_never_pooled(tmp_path):
    """Issue 19: two such replays (74.25 and 17.75) became one "unknown × math500" cell."""
    a = load_run(write_run(tmp_path / "a", model="unknown", correct=[[True, True]] * 3))
    b = load_run(write_run(tmp_path / "b", model="unknown", correct=[[False, False]] * 3))
    cells = cells_of(a, b)
    assert [c.model for c in cells] == ["origin unknown (a)", "origin unknown (b)"]
    assert [c.n_samples for c in cells] == [2, 2]
    assert [c.summary["metrics"]["pass@1"]["value"] for c in cells] == [100.0, 0.0]
