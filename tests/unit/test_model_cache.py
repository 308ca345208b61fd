"""The tiny-model cache (harness.models.cache): one build per recipe key across processes, a key
that moves with the recipe and the code, and a cached model byte-identical to a fresh build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.models.cache import CODE, RECIPE_FILE, cached_build, recipe_key
from tests.conftest import REPO

BUILDER = """
import sys, time
from pathlib import Path
from harness.models.cache import cached_build

root, log = Path(sys.argv[1]), Path(sys.argv[2])

def build(out):
    with log.open("a") as f:
        f.write("built\\n")
    time.sleep(1.0)  # long enough for the other process to reach the lock
    (out / "weights.bin").write_bytes(b"w")

print(cached_build(root, {"kind": "lock-test"}, build))
"""


def test_two_processes_build_once_and_share_the_directory(tmp_path):
    log = tmp_path / "log.txt"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BUILDER, str(tmp_path / "cache"), str(log)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert log.read_text() == "built\n"
    assert outs[0] == outs[1]
    final = Path(outs[0])
    assert (final / "weights.bin").read_bytes() == b"w" and (final / RECIPE_FILE).is_file()
    assert not list((tmp_path / "cache").glob("*.tmp-*"))  # nothing half-built left


def test_a_failed_build_leaves_nothing_behind(tmp_path):
    def broken(out: Path) -> None:
        (out / "half").write_text("x")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        cached_build(tmp_path, {"kind": "broken"}, broken)
    key = recipe_key({"kind": "broken"})
    assert not (tmp_path / key).exists() and not list(tmp_path.glob("*.tmp-*"))
    built = cached_build(tmp_path, {"kind": "broken"}, lambda out: (out / "ok").write_text("y"))
    assert built == tmp_path / key and (built / "ok").read_text() == "y"


def test_the_key_moves_with_the_recipe_and_the_code():
    base = {"problems": ["What is 1+1?"], "seed": 0, "max_steps": 100, "lr": 3e-3}
    key = recipe_key(base)
    assert recipe_key(dict(base)) == key  # same recipe, same key
    for change in ({"seed": 1}, {"max_steps": 101}, {"lr": 1e-3}, {"problems": ["What is 1+2?"]}):
        assert recipe_key(base | change) != key, change
    assert recipe_key(base, code=["tests.helpers.tiny_probes"]) != key  # more code, new key
    assert "harness.models.tiny_train" in CODE


def test_cached_trained_model_equals_a_fresh_build(tmp_path):
    pytest.importorskip("torch")
    from harness.models.cache import cached_trained_tiny_model
    from harness.models.tiny import TinySpec
    from harness.models.tiny_train import build_trained_tiny_model
    from harness.types import Problem

    problems = [
        Problem(id="a", question="What is 2+3?", gold="5", answer_type="math"),
        Problem(id="b", question="What is 4+4?", gold="8", answer_type="math"),
    ]
    recipe = {"contrast": False, "max_steps": 30, "check_every": 15}
    cached, report = cached_trained_tiny_model(tmp_path / "cache", problems, **recipe)
    again, report_again = cached_trained_tiny_model(tmp_path / "cache", problems, **recipe)
    assert again == cached and report_again == report  # the second call reads the cache
    fresh, fresh_report = build_trained_tiny_model(tmp_path / "fresh", problems, **recipe)
    assert (fresh_report.steps, fresh_report.reproduced) == (report.steps, report.reproduced)
    files = ["model.safetensors", "config.json", "generation_config.json", "tokenizer.json",
             "tokenizer_config.json"]  # fmt: skip
    for name in files:
        assert (cached / name).read_bytes() == (fresh / name).read_bytes(), name
    other, _ = cached_trained_tiny_model(
        tmp_path / "cache", problems, spec=TinySpec(seed=1), **(recipe | {"max_steps": 15})
    )
    assert other != cached


ENSURER = """
import sys, time
from pathlib import Path
import harness.models.tiny as tiny

out, log = Path(sys.argv[1]), Path(sys.argv[2])
real = tiny.build_tiny_model

def slow_build(path, spec):
    with log.open("a") as f:
        f.write("built\\n")
    (Path(path).mkdir(parents=True, exist_ok=True), (Path(path) / "config.json").write_text("{}"))
    time.sleep(1.0)  # a half-written directory, long enough for the other process to look at it
    return real(path, spec)

tiny.build_tiny_model = slow_build
path = tiny.ensure_tiny_model(out)
print(tiny.is_built(path, tiny.TinySpec()))
"""


def test_two_processes_ensuring_one_tiny_model_build_it_once_and_both_get_it_whole(tmp_path):
    """The jobs of a sweep share ``results_dir/_models/...``: the second waits for the first's
    build instead of taking its half-written directory for a model it must leave alone."""
    log, out = tmp_path / "log.txt", tmp_path / "_models" / "tiny_random_qwen2"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ENSURER, str(out), str(log)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outs == ["True", "True"]
    assert log.read_text() == "built\n"
