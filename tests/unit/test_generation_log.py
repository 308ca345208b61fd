"""The generation log survives a kill at any byte and refuses reuse under a changed config."""

from __future__ import annotations

import json

import pytest

from harness.store.generation_log import LOG, GenerationLog, ResumeError, key_differences
from harness.types import Completion

KEY = {"model": {"hub_id": "m", "revision": "abc"}, "sampling": {"n": 2, "temperature": 0.6}}


def completion(pid: str, j: int) -> Completion:
    return Completion(pid, j, f"<think>x</think> \\boxed{{{j}}}", "stop", "prompt", 5, 7)


def test_completions_round_trip_and_are_reused(tmp_path):
    log = GenerationLog(tmp_path, KEY)
    assert log.open() == {}
    for j in range(2):
        log.append(completion("p0", j))
    log.close()
    again = GenerationLog(tmp_path, KEY).open()
    assert again == {("p0", 0): completion("p0", 0), ("p0", 1): completion("p0", 1)}


@pytest.mark.parametrize("cut", [1, 10, -1])
def test_a_kill_at_any_byte_loses_only_the_partial_line(tmp_path, cut):
    log = GenerationLog(tmp_path, KEY)
    log.open()
    for j in range(3):
        log.append(completion("p0", j))
    log.close()
    data = (tmp_path / LOG).read_bytes()
    last_start = data.rindex(b"\n", 0, len(data) - 1) + 1
    (tmp_path / LOG).write_bytes(data[: last_start + cut] if cut > 0 else data[:-1])
    resumed = GenerationLog(tmp_path, KEY)
    done = resumed.open()
    assert set(done) == {("p0", 0), ("p0", 1)}
    resumed.append(completion("p0", 2))
    resumed.close()
    rows = [json.loads(line) for line in (tmp_path / LOG).read_text().splitlines()]
    assert [r["sample_index"] for r in rows] == [0, 1, 2]


def test_changed_config_is_refused_naming_what_changed(tmp_path):
    GenerationLog(tmp_path, KEY).open()
    changed = {**KEY, "model": {"hub_id": "m", "revision": "def"}}
    with pytest.raises(ResumeError, match=r"model.revision: 'abc' → 'def'.*new run_id"):
        GenerationLog(tmp_path, changed).open()


def test_key_differences_lists_added_and_removed_leaves():
    assert key_differences({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}) == ["a.c: None → 2"]


def test_secrets_never_reach_the_log(tmp_path, monkeypatch):
    monkeypatch.setenv("SOME_API_TOKEN", "tok-1234567890")
    log = GenerationLog(tmp_path, {"x": "tok-1234567890"})
    log.open()
    log.append(Completion("p", 0, "leaked tok-1234567890", "stop"))
    log.close()
    for path in tmp_path.iterdir():
        assert b"tok-1234567890" not in path.read_bytes()
