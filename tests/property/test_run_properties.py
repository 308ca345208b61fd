"""Random damage to a finished run directory, read by ``harness-report`` and ``harness-compare``.

Oracle, for each damaged copy of one finished run (``finished_run``, built once per session):
either exit 0 with the numbers of the undamaged run (``verdicts.json`` / ``compare.json`` equal
to those of an undamaged copy at the same path), or exit 2 with an ``error:`` line naming the
damaged file. Never a traceback (exit 1 in process), and never a changed run: every file of the
run, and of the undamaged one beside it, hashes the same before and after. Damage that
``complete.json`` vouches for (re-signed, as if it was there when the run finished) is read
under the same oracle, except that exit 0 may then give the damaged run's own numbers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from harness.store.run_dir import mark_complete
from tests.helpers.eval_inproc import Result, harness_compare, harness_report
from tests.property.conftest import tree_hashes

FILES = ("samples.jsonl", "metrics.json", "complete.json", "config.yaml")
STATS = ("--resamples", "200")


def report(run: Path, out: Path) -> Result:
    return harness_report(str(run), "--out", str(out), "--no-plots", *STATS)


def compare(run: Path, other: Path, out: Path) -> Result:
    return harness_compare(str(run), str(other), "--out", str(out), *STATS)


@st.composite
def damage(draw, data: bytes):
    """``(what, new bytes or None for a deleted file)``."""
    lines = data.splitlines(keepends=True)
    kind = draw(st.sampled_from(["truncate", "cut_lines", "append", "flip", "non_utf8", "whole",
                                 "delete", "dup_line"]))  # fmt: skip
    if kind == "truncate":
        at = draw(st.integers(0, len(data) - 1))
        return f"truncate@{at}", data[:at]
    if kind == "cut_lines":  # at a line boundary: what a reader cannot see without the hash
        keep = draw(st.integers(0, len(lines) - 1))
        return f"keep {keep} lines", b"".join(lines[:keep])
    if kind == "append":
        junk = draw(st.sampled_from([b"{", b"\n", b" ", b"[]", b'{"x": 1}\n', b"# note\n"]))
        return f"append {junk!r}", data + junk
    if kind == "flip":
        at = draw(st.integers(0, len(data) - 1))
        bit = draw(st.integers(0, 7))
        return f"flip@{at}.{bit}", data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]
    if kind == "non_utf8":
        at = draw(st.integers(0, len(data)))
        return f"\\xff@{at}", data[:at] + b"\xff" + data[at:]
    if kind == "whole":
        new = draw(st.sampled_from([b"", b"[]", b"{}", b"null", b"[]\n", b"\xff\xfe"]))
        return f"whole {new!r}", new
    if kind == "dup_line":
        i = draw(st.integers(0, len(lines) - 1))
        return f"dup line {i + 1}", b"".join(lines[: i + 1] + lines[i:])
    return "delete", None


def _check(result: Result, name: str, produced: Path, expected: Path | None, what: str) -> None:
    assert result.returncode in (0, 2), (
        f"{what}: exit {result.returncode} (a traceback):\n{result.stderr[-3000:]}"
    )
    assert "Traceback" not in result.stderr, f"{what}:\n{result.stderr[-3000:]}"
    if result.returncode == 0:
        assert expected is None or produced.read_bytes() == expected.read_bytes(), (
            f"{what}: exit 0 with numbers that differ from the undamaged run's"
        )
        return
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors, f"{what}: exit 2 without an error line:\n{result.stderr[-2000:]}"
    assert name in errors[0], f"{what}: the error does not name {name}: {errors[0]}"


def _damage_and_read(finished_run, run, tmp_path, name, data, *, resign: bool) -> None:
    ref_report, ref_compare = tmp_path / "ref_report", tmp_path / "ref_compare"
    if not ref_report.exists():  # the undamaged run's numbers, at the same paths
        assert report(run, ref_report).returncode == 0
        assert compare(run, finished_run, ref_compare).returncode == 0
    target = run / name
    what, new = data.draw(damage(target.read_bytes()))
    what = f"{name}: {what}" + (", complete.json re-signed" if resign else "")
    note(what)
    if new is None:
        target.unlink()
    else:
        target.write_bytes(new)
    if resign and (name != "complete.json" or new is None):
        mark_complete(run)  # the damage vouched for: the sha256 check cannot see it
    before, pristine = tree_hashes(run), tree_hashes(finished_run)
    out_report, out_compare = tmp_path / "report", tmp_path / "compare"
    for out in (out_report, out_compare):
        shutil.rmtree(out, ignore_errors=True)
    # re-signed damage may be a valid, different run: its numbers are not the reference's
    expect_report = None if resign else ref_report / "verdicts.json"
    expect_compare = None if resign else ref_compare / "compare.json"
    _check(report(run, out_report), name, out_report / "verdicts.json", expect_report,
           f"harness-report, {what}")  # fmt: skip
    _check(compare(run, finished_run, out_compare), name, out_compare / "compare.json",
           expect_compare, f"harness-compare, {what}")  # fmt: skip
    assert tree_hashes(run) == before, f"{what}: a reader changed the run"
    assert tree_hashes(finished_run) == pristine, f"{what}: a reader changed the other run"


@given(name=st.sampled_from(FILES), data=st.data())
def test_a_damaged_run_is_read_right_or_refused_naming_the_file(
    finished_run, run_copy, tmp_path, name, data
):
    _damage_and_read(finished_run, run_copy(), tmp_path, name, data, resign=False)


@given(name=st.sampled_from(FILES[:2] + FILES[3:]), data=st.data())
def test_a_damaged_run_that_complete_json_vouches_for_is_refused_in_one_line(
    finished_run, run_copy, tmp_path, name, data
):
    """The damage done before ``complete.json`` was written (or re-signed after): no traceback,
    an error naming the file, and still no change to any run."""
    _damage_and_read(finished_run, run_copy(), tmp_path, name, data, resign=True)


@given(data=st.data())
def test_readers_never_write_into_a_finished_run(run_copy, data):
    """``--out`` pointing into the run itself: refused or written elsewhere, the run unchanged."""
    run = run_copy()
    pristine = tree_hashes(run)
    inside = run / data.draw(st.sampled_from([".", "report", ".hydra", "sub/dir"]))
    what = f"--out {inside}"
    note(what)
    for result in (report(run, inside), compare(run, run, inside)):
        assert result.returncode in (0, 2) and "Traceback" not in result.stderr, result.stderr
    assert tree_hashes(run) == pristine, f"{what}: a reader wrote into the finished run"


def test_the_reference_numbers_are_those_of_the_run(finished_run, tmp_path):
    """The oracle's reference is the run's own metrics (so "same numbers" means right ones)."""
    assert report(finished_run, tmp_path / "r").returncode == 0
    metrics = json.loads((finished_run / "metrics.json").read_text())
    assert metrics["n_problems"] == 5 and metrics["n_samples"] == 2
    assert metrics["metrics"]["pass@1"]["value"] == pytest.approx(60.0)
