"""Memory measurements as resource evidence: the H200 file, context matching, bad files."""

import json

import pytest

from harness.report.memory import (
    MemoryMeasurement,
    default_memory_files,
    evidence,
    load_memory_files,
)
from harness.report.runs import ReportInputError


def _m(context: int, gib: float) -> MemoryMeasurement:
    return MemoryMeasurement("m", "bfloat16", context, gib, "test", "t.json")


def test_the_checkouts_h200_file_loads_static_rows_only():
    files = default_memory_files()
    assert [f.name for f in files] == ["memory_gpu_h200.json"]
    found = load_memory_files(files)
    raw = json.loads(files[0].read_text())["rows"]
    assert len(found) == sum(r.get("kv_cache") == "static" for r in raw) == 6
    small = next(
        m for m in found if m.model == "r1_distill_qwen_1_5b" and m.context_tokens == 34816
    )
    assert 5.0 < small.peak_gib < 7.0 and "CUDA context" in small.method


def test_exact_context_decides_both_ways_longer_only_supports():
    assert evidence([_m(4096, 3.0)], "m", "bfloat16", 4096, 4.0)[0] == "supported"
    assert evidence([_m(4096, 4.5)], "m", "bfloat16", 4096, 4.0)[0] == "refuted"
    # a longer context that fits is an upper bound: support
    assert evidence([_m(34816, 3.9)], "m", "bfloat16", 4096, 4.0)[0] == "supported"
    # a longer context that does not fit says nothing about the shorter one
    assert evidence([_m(34816, 9.0)], "m", "bfloat16", 4096, 4.0) is None
    # a shorter context, another dtype or another model is no evidence
    assert evidence([_m(2048, 1.0)], "m", "bfloat16", 4096, 4.0) is None
    assert evidence([_m(4096, 1.0)], "m", "float16", 4096, 4.0) is None
    assert evidence([_m(4096, 1.0)], "other", "bfloat16", 4096, 4.0) is None


def test_a_bad_file_is_named(tmp_path):
    bad = tmp_path / "mem.json"
    bad.write_text('{"rows": []}')
    with pytest.raises(ReportInputError, match="mem.json"):
        load_memory_files([bad])
