"""Each test-time-scaling section of report.md says why it is absent when no run allows it."""

from __future__ import annotations

from types import SimpleNamespace

from harness.report.markdown import md_table
from harness.report.scaling import scaling_sections


def test_sections_say_why_they_are_absent():
    settings = SimpleNamespace(resamples=100, seed=0, confidence=0.95)
    text = "\n".join(scaling_sections([], [], [], settings, md_table))
    assert "Absent: no run records a budget curve (no runs)" in text
    assert "Absent: no cell has response lengths in one unit" in text
    assert "Absent: no model was run on both aime24 and aime25" in text
    assert "contamination signal, not proof" in text
