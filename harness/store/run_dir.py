"""What keeps a run directory honest: plain names, one run at a time, and a completion marker.

- Names that become path parts (``run_id``, and the model, benchmark and backend names in the
  default run_id and in sweep folders) are plain names: no ``/``, no ``..``. The config turns
  the default ones into plain names (``${harness_name:…}``); an explicit ``run_id`` must be one.
- A run holds an exclusive ``flock`` on ``.<run_id>.lock`` beside its directory while it runs
  (beside, so that a refused start leaves the directory itself byte-identical). A second run on
  the same directory is refused, naming the holder's pid. The kernel drops the lock when the
  holder dies, so a killed run never leaves a stale lock behind.
- ``complete.json`` is written last, atomically, once every other file of the run is in place;
  a run directory without it is incomplete (the run died or is still running). A resumed run
  removes it before it rewrites anything.
- A start that fails before the run produced anything (a refused import, a bad file, a model
  that does not load) removes the directory it started in when that directory was empty:
  Hydra made it for this run, and a half-made folder would only stand in ``harness-report``'s
  way. A directory holding logged completions is kept (it resumes).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from harness.errors import HarnessError
from harness.store.names import MAX_NAME_CHARS, UNSAFE, plain_name
from harness.store.verify import COMPLETE, sha256_file

GENERATIONS = "generations.jsonl"  # generation_log.LOG: what a failed start must not discard

# One per process: default run_ids started in the same second differ by it (the clock's
# seconds alone made two runs share a directory). 6 hex digits: 16.7 M values.
RUN_TOKEN = secrets.token_hex(3)


class RunDirError(HarnessError):
    """A run directory cannot be used: a bad name, or another run holds it."""


def check_plain_name(key: str, value: object) -> None:
    r"""Refuse a name that would not be a single plain path component.

    Args:
        key: The config key, named in the error (``run_id``).
        value: Its value.

    Raises:
        RunDirError: The value is empty, too long, or holds ``/``, ``\``, ``..``, whitespace
            or control characters.
    """
    text = str(value)
    bad = (
        not text
        or text.startswith(".")
        or ".." in text
        or UNSAFE.search(text) is not None
        or len(text) > MAX_NAME_CHARS
    )
    if bad:
        raise RunDirError(
            f"{key}={text!r} is not a plain name: it becomes a folder name, so it may not be "
            f"empty, start with '.', or hold '/', '\\', '..', spaces or control characters "
            f"(at most {MAX_NAME_CHARS} characters). Choose e.g. {key}={plain_name(text)}"
        )


def run_dir_name(run_id: object) -> str:
    """``${harness_run_id:${run_id}}`` in ``hydra.run.dir``: the run_id, checked.

    Hydra creates the run directory before the task starts, so ``run_id=../x`` must fail while
    the directory's path is resolved, not later.
    """
    check_plain_name("run_id", run_id)
    return str(run_id)


def job_suffix() -> str:
    """``${harness_job_tag:}`` in the default run_id: ``-j<job number>`` in a sweep, else empty.

    The jobs of one sweep run in one process, so the time and the process token alone gave
    them one run_id.
    """
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return ""
    hc = HydraConfig.get()
    return f"-j{hc.job.num}" if str(hc.mode) == "RunMode.MULTIRUN" else ""


def register_resolvers() -> None:
    """Register the resolvers of run names (``harness_name``, ``harness_run_id`` and co.).

    ``${harness_name:x}``, ``${harness_run_id:x}``, ``${harness_run_token:}``,
    ``${harness_job_tag:}``, and model_origin's ``${harness_model:…}``.
    """
    from omegaconf import OmegaConf

    if not OmegaConf.has_resolver("harness_name"):
        OmegaConf.register_new_resolver("harness_name", plain_name)
    if not OmegaConf.has_resolver("harness_run_id"):
        OmegaConf.register_new_resolver("harness_run_id", run_dir_name)
    if not OmegaConf.has_resolver("harness_run_token"):
        OmegaConf.register_new_resolver("harness_run_token", lambda: RUN_TOKEN)
    if not OmegaConf.has_resolver("harness_job_tag"):
        OmegaConf.register_new_resolver("harness_job_tag", job_suffix)
    from harness.store.model_origin import register_resolvers as register_model_resolver

    register_model_resolver()  # ${harness_model:…}


def lock_path(run_dir: Path) -> Path:
    """The lock file of a run directory: beside it, hidden."""
    return run_dir.parent / f".{run_dir.name}.lock"


@contextlib.contextmanager
def hold(run_dir: Path, fix: str = "choose another run_id=…") -> Iterator[None]:
    """Hold the run directory's exclusive lock for the duration of the block.

    Args:
        run_dir: The directory (any folder written as one whole: a run, a report).
        fix: What the refusal suggests besides waiting.

    Raises:
        RunDirError: Another process holds it; the message names its pid and host.
    """
    path = lock_path(run_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            raise RunDirError(
                f"{run_dir} is in use by another run ({holder}); wait for it to finish, or {fix}"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing drops the flock


@contextlib.contextmanager
def discard_if_failed(run_dir: Path) -> Iterator[None]:
    """Remove ``run_dir`` when the block fails and the directory was empty when it began.

    Only when nothing worth keeping was made: no logged completion (``generations.jsonl``
    empty or absent). The error is re-raised; Ctrl-C (not an ``Exception``) keeps the folder.
    """
    fresh = not run_dir.exists() or not any(run_dir.iterdir())
    try:
        yield
    except Exception:
        log = run_dir / GENERATIONS
        if fresh and (not log.exists() or log.stat().st_size == 0):
            from harness.store import run_log

            run_log.discard()  # eval.log lived in the folder; the error still reaches stderr
            shutil.rmtree(run_dir, ignore_errors=True)
        raise


def clear_complete(run_dir: Path) -> None:
    """Remove the completion marker before a resumed run rewrites the directory."""
    (run_dir / COMPLETE).unlink(missing_ok=True)


def mark_complete(run_dir: Path) -> None:
    """Write ``complete.json`` atomically: the time and the sha256 of every file of the run.

    Call it once every other file is written (the tracker's upload may follow: it reads them).
    """
    files = sorted(
        p
        for p in run_dir.iterdir()
        if p.is_file() and p.name != COMPLETE and p.suffix not in {".tmp", ".log"}
    )  # the log keeps growing while the run closes its tracker
    record = {
        "completed_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha256": {p.name: sha256_file(p) for p in files},
    }
    tmp = run_dir / (COMPLETE + ".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    tmp.replace(run_dir / COMPLETE)


def is_complete(run_dir: Path) -> bool:
    """Say whether the run finished: its marker exists."""
    return (run_dir / COMPLETE).is_file()
