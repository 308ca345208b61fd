"""The report folder is replaced whole, under a lock (``harness/store/publish.py``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from harness.store.publish import publish
from harness.store.run_dir import RunDirError, hold
from tests.conftest import REPO


def test_the_new_folder_replaces_the_old_one_whole_and_keeps_wandb(tmp_path):
    out = tmp_path / "report"
    with publish(out) as folder:
        (folder / "report.md").write_text("old")
        (folder / "old_figure.png").write_bytes(b"png")
        (folder / "wandb").mkdir()
        (folder / "wandb" / "offline-run").write_text("not synced yet")
    with publish(out) as folder:
        assert folder != out and not any(folder.iterdir())
        (folder / "report.md").write_text("new")
        assert (out / "report.md").read_text() == "old"  # readers see the old one meanwhile
    assert sorted(p.name for p in out.iterdir()) == ["report.md", "wandb"]  # no stale figure
    assert (out / "report.md").read_text() == "new"
    assert (out / "wandb" / "offline-run").read_text() == "not synced yet"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.lock", "report"]


def test_a_failed_build_leaves_the_old_folder_as_it_was(tmp_path):
    out = tmp_path / "report"
    with publish(out) as folder:
        (folder / "report.md").write_text("old")
    with pytest.raises(RuntimeError), publish(out) as folder:
        (folder / "report.md").write_text("half")
        raise RuntimeError("killed")
    assert [p.name for p in out.iterdir()] == ["report.md"]
    assert (out / "report.md").read_text() == "old"
    assert not list(tmp_path.glob(".report.tmp-*"))


def test_a_concurrent_build_is_refused_naming_the_holder(tmp_path):
    out = tmp_path / "report"
    holder = f"in use by another run \\(pid {os.getpid()}"
    with hold(out), pytest.raises(RunDirError, match=holder), publish(out):
        pass
    assert not out.exists()


def test_sigkill_mid_build_leaves_the_old_report_and_the_next_build_cleans_up(tmp_path):
    out = tmp_path / "report"
    with publish(out) as folder:
        (folder / "report.md").write_text("old")
    code = (
        "import sys, time; from pathlib import Path; from harness.store.publish import publish\n"
        "with publish(Path(sys.argv[1])) as f:\n"
        "    (f / 'figure.png').write_bytes(b'new'); print('ready', flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(out)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "ready"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert [p.name for p in out.iterdir()] == ["report.md"]  # the old one, no new figure beside
    assert len(list(tmp_path.glob(".report.tmp-*"))) == 1
    deadline = time.time() + 10
    while True:  # the kernel drops the dead child's lock
        try:
            with publish(out) as folder:
                (folder / "report.md").write_text("next")
            break
        except RunDirError:
            assert time.time() < deadline
            time.sleep(0.1)
    assert not list(tmp_path.glob(".report.tmp-*"))
    assert (out / "report.md").read_text() == "next"
