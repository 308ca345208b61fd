"""Check a finished run directory before reading it: every reader goes through here.

``complete.json`` (``run_dir.mark_complete``) lists the sha256 of every file the run wrote.
``verify_run`` recomputes them, so a file changed, cut or removed after the run finished (a
``samples.jsonl`` truncated at a line boundary reads as a smaller, valid run) is refused,
naming the file, instead of being reported. ``read_json_object`` reads one JSON document that
must be an object, with a one-line error naming the file for bad bytes or bad JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

COMPLETE = "complete.json"
CONFIG = "config.yaml"
# What marks a folder as a run directory, beside config.yaml (.hydra: an unfinished run).
RUN_MARKERS = (COMPLETE, "metrics.json", "samples.jsonl", "provenance.json", ".hydra")


class RunFileError(HarnessError):
    """A run directory's file is missing, changed since the run finished, or unreadable."""


def is_run_dir(path: Path) -> bool:
    """Say whether ``path`` is a run directory ``harness-eval`` wrote (finished or not)."""
    return (path / CONFIG).is_file() and any((path / m).exists() for m in RUN_MARKERS)


def inside_run_dir(path: Path) -> Path | None:
    """The run directory that ``path`` is, or lies inside, or None."""
    for folder in (Path(path).resolve(), *Path(path).resolve().parents):
        if is_run_dir(folder):
            return folder
    return None


def run_dir_at(path: Path) -> Path | None:
    """A run directory that ``path`` is, lies inside, or holds (at any depth); None if none.

    An output folder that is replaced whole (``harness-report``'s ``--out``) must be none of
    these, or the run it touches would be rewritten or removed.
    """
    found = inside_run_dir(path)
    if found is not None or not Path(path).is_dir():
        return found
    return next((c.parent for c in Path(path).rglob(CONFIG) if is_run_dir(c.parent)), None)


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_json_object(path: Path) -> dict[str, Any]:
    """Read a JSON file that must hold one object.

    Raises:
        RunFileError: It is not UTF-8, not JSON, or not an object; the message names it.
    """
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise RunFileError(
            f"{path}: not UTF-8 text (byte {exc.start}); the file is damaged, re-run the "
            "evaluation into a new run_id"
        ) from exc
    except json.JSONDecodeError as exc:
        raise RunFileError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); the file is damaged, re-run the "
            "evaluation into a new run_id"
        ) from exc
    if not isinstance(value, dict):
        raise RunFileError(
            f"{path}:1: holds a JSON {type(value).__name__}, not the object harness-eval "
            "writes; the file is damaged, re-run the evaluation into a new run_id"
        )
    return value


def verify_run(run_dir: Path, needed: Iterable[str] = ()) -> dict[str, str]:
    """Check every file ``complete.json`` lists against its sha256.

    Args:
        run_dir: The run directory.
        needed: Files the caller reads; each must be listed (a file the run never recorded
            cannot be trusted either).

    Returns:
        The listed ``{file name: sha256}``.

    Raises:
        RunFileError: No (or an unreadable) ``complete.json``, a listed file missing or
            changed, or a needed file not listed; the message names the file.
    """
    marker = Path(run_dir) / COMPLETE
    if not marker.is_file():
        raise RunFileError(
            f"{run_dir} has no {COMPLETE}: the run died before it finished (or is still "
            "running), so its files are not a finished run"
        )
    listed = read_json_object(marker).get("sha256")
    if not isinstance(listed, dict):
        raise RunFileError(f"{marker}: has no 'sha256' mapping; the file is damaged")
    for name in needed:
        if name not in listed:
            raise RunFileError(
                f"{run_dir / name}: not listed in {marker}, so it cannot be checked; it was "
                "added after the run finished"
            )
    for name, expected in sorted(listed.items()):
        path = Path(run_dir) / str(name)
        if not path.is_file():
            raise RunFileError(
                f"{path}: listed in {marker} but missing; the run directory was changed after "
                "it finished"
            )
        if sha256_file(path) != expected:
            raise RunFileError(
                f"{path}: its sha256 differs from the one {marker} recorded when the run "
                "finished; the file was changed (or cut) since. Restore it or re-run the "
                "evaluation into a new run_id"
            )
    return {str(k): str(v) for k, v in listed.items()}
