"""The replay backend reads recorded responses and reports every bad row by line number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.backends.replay import ReplayBackend, ReplayError, replay
from harness.types import Problem

PROBLEMS = [
    Problem(id=f"p{i}", question=f"q{i}", gold=str(i), answer_type="integer") for i in range(4)
]
ALL_IDS = {p.id for p in PROBLEMS} | {"p9"}


def write(tmp_path: Path, rows: list, name: str = "r.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def rows_for(ids, n, **extra):
    return [
        {"problem_id": pid, "sample_index": j, "response": f"</think> \\boxed{{{j}}}", **extra}
        for pid in ids
        for j in range(n)
    ]


def test_reads_rows_in_problem_then_sample_order(tmp_path):
    rows = list(reversed(rows_for(["p0", "p1", "p2", "p3"], 3, finish_reason="stop")))
    result = replay(write(tmp_path, rows), PROBLEMS, ALL_IDS)
    assert result.n_samples == 3
    assert [(c.problem_id, c.sample_index) for c in result.completions][:4] == [
        ("p0", 0),
        ("p0", 1),
        ("p0", 2),
        ("p1", 0),
    ]
    assert {c.finish_reason for c in result.completions} == {"stop"}


def test_sample_index_is_optional_and_follows_file_order(tmp_path):
    rows = [{"problem_id": pid, "response": f"r{pid}{j}"} for j in range(2) for pid in ["p0", "p1"]]
    result = replay(write(tmp_path, rows), PROBLEMS[:2], ALL_IDS)
    assert [c.response for c in result.completions] == ["rp00", "rp01", "rp10", "rp11"]
    assert all(c.finish_reason == "unknown" for c in result.completions)


def test_rows_outside_limit_are_counted_not_errors(tmp_path):
    result = replay(write(tmp_path, rows_for(["p0", "p1", "p9"], 2)), PROBLEMS[:2], ALL_IDS)
    assert result.skipped_rows == 2
    assert len(result.completions) == 4


def test_unknown_problem_names_the_line(tmp_path):
    rows = rows_for(["p0"], 1) + [{"problem_id": "nope", "response": "x"}]
    with pytest.raises(ReplayError, match=r"line 2 \('nope'\)"):
        replay(write(tmp_path, rows), PROBLEMS[:1], ALL_IDS)


def test_duplicate_pair_names_both_lines(tmp_path):
    rows = rows_for(["p0"], 2) + [{"problem_id": "p0", "sample_index": 1, "response": "again"}]
    with pytest.raises(ReplayError, match=r"sample_index=1\) on lines 2 and 3"):
        replay(write(tmp_path, rows), PROBLEMS[:1], ALL_IDS)


def test_unequal_counts_are_reported(tmp_path):
    rows = rows_for(["p0", "p1", "p2"], 3) + rows_for(["p3"], 2)
    with pytest.raises(ReplayError, match=r"most problems have 3 samples but p3 has 2"):
        replay(write(tmp_path, rows), PROBLEMS, ALL_IDS)


def test_missing_problems_are_reported(tmp_path):
    with pytest.raises(ReplayError, match=r"no responses for 2 of 4 problems: p2, p3"):
        replay(write(tmp_path, rows_for(["p0", "p1"], 1)), PROBLEMS, ALL_IDS)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{not json", r"r.jsonl:2: not valid JSON"),
        ('["a list"]', r"r.jsonl:2: expected a JSON object"),
        ('{"response": "x"}', r"r.jsonl:2: field 'problem_id'"),
        ('{"problem_id": "p0"}', r"r.jsonl:2: field 'response'"),
        ('{"problem_id": "p0", "response": "x", "sample_index": -1}', r"r.jsonl:2: 'sample_index'"),
        (
            '{"problem_id": "p0", "response": "x", "finish_reason": "cancelled"}',
            r"r.jsonl:2: 'finish_reason': finish reason 'cancelled' is not one this harness reads"
            r" \(case-insensitive\): stop \(or eos, end_turn, stop_sequence\), length",
        ),
    ],
)
def test_malformed_rows_name_file_and_line(tmp_path, row, message):
    path = write(tmp_path, [rows_for(["p0"], 1)[0], row])
    with pytest.raises(ReplayError, match=message):
        replay(path, PROBLEMS[:1], ALL_IDS)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(ReplayError, match="does not exist; set backend.path"):
        replay(tmp_path / "absent.jsonl", PROBLEMS, ALL_IDS)
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(ReplayError, match="holds no rows"):
        replay(tmp_path / "empty.jsonl", PROBLEMS, ALL_IDS)


def test_backend_requires_path_and_matching_n(tmp_path):
    with pytest.raises(ReplayError, match=r"add backend.path=FILE.jsonl"):
        ReplayBackend(path=None)
    backend = ReplayBackend(path=str(write(tmp_path, rows_for(["p0"], 2))))
    with pytest.raises(ReplayError, match=r"add sampling.n=2"):
        backend.generate(PROBLEMS[:1], all_ids=ALL_IDS, n=4)
    assert backend.generate(PROBLEMS[:1], all_ids=ALL_IDS, n=2).n_samples == 2
    assert len(backend.provenance()["sha256"]) == 64


def test_u2028_inside_a_response_is_not_a_line_break(tmp_path):
    rows = [{"problem_id": "p0", "response": "a\u2028b</think>\\boxed{0}"}]
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(rows[0], ensure_ascii=False) + "\n", encoding="utf-8")
    assert replay(path, PROBLEMS[:1], ALL_IDS).completions[0].response.startswith("a\u2028b")


def test_sample_indices_must_run_from_zero(tmp_path):
    rows = [{"problem_id": "p0", "sample_index": i, "response": "x"} for i in (0, 2)]
    with pytest.raises(ReplayError, match=r"sample indices \[0, 2\]; they must run 0..1"):
        replay(write(tmp_path, rows), PROBLEMS[:1], ALL_IDS)


def test_sink_gets_every_completion_in_order_at_the_pace(tmp_path):
    import hashlib
    import time

    path = write(tmp_path, rows_for(["p0", "p1"], 3))
    got = []
    started = time.perf_counter()
    out = ReplayBackend(path=str(path), pace=20).generate(
        PROBLEMS[:2], all_ids=ALL_IDS, n=3, sink=lambda c: got.append((c, time.perf_counter()))
    )
    assert [c for c, _ in got] == list(out.completions)
    assert got[-1][1] - started >= 6 / 20  # the 6th completion at 6/20 s
    assert out.stats["paced_completions_per_s"] == 20.0
    unpaced = ReplayBackend(path=str(path))
    assert (
        "paced_completions_per_s" not in unpaced.generate(PROBLEMS[:2], all_ids=ALL_IDS, n=3).stats
    )
    assert unpaced.provenance()["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ReplayError, match=r"backend.pace=0"):
        ReplayBackend(path=str(path), pace=0)
