"""Crash-safe persistence of completions, and resuming a run without regenerating anything.

Every completion is appended to ``<run dir>/generations.jsonl`` as soon as it exists: one JSON
object per line, flushed and fsynced. A kill at any byte leaves at most one partial last line,
which the next run drops before appending. ``generation_key.json`` holds everything that
determines the completions (model and tokenizer revision, sampling, prompt, data, backend);
re-running into the same run directory reuses the logged completions only when that key is
unchanged, and otherwise refuses, naming what changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from harness.errors import HarnessError
from harness.store.results import completion_record
from harness.store.secrets import redact, secret_values
from harness.types import Completion

LOG = "generations.jsonl"
KEY = "generation_key.json"


class ResumeError(HarnessError):
    """A run directory holds completions made under a different configuration."""


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: obj}


def key_differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """List ``"path: old → new"`` for every leaf that differs between two generation keys."""
    a, b = _flatten(old), _flatten(new)
    keys = sorted(a.keys() | b.keys())
    return [f"{k}: {a.get(k)!r} → {b.get(k)!r}" for k in keys if a.get(k) != b.get(k)]


def _read_complete_lines(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Parse every complete line; return the rows and the byte length of the valid prefix."""
    rows: list[dict[str, Any]] = []
    valid = 0
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # a partial last line from a killed writer
            try:
                rows.append(json.loads(raw))
            except json.JSONDecodeError:
                break
            valid += len(raw)
    return rows, valid


class GenerationLog:
    """Append-only log of one run directory's completions.

    Args:
        run_dir: The run directory.
        key: What determines the completions (see module docstring).
    """

    def __init__(self, run_dir: Path, key: dict[str, Any]) -> None:
        self.path = run_dir / LOG
        self.key_path = run_dir / KEY
        self._secrets = secret_values()
        self.key = redact(key, self._secrets)
        self._handle: IO[bytes] | None = None
        self.appended = 0

    def check(self) -> None:
        """Refuse, writing nothing, when the directory was made under another configuration.

        Raises:
            ResumeError: Naming every setting that changed.
        """
        if self.key_path.is_file():
            old = json.loads(self.key_path.read_text(encoding="utf-8"))
            changed = key_differences(old, self.key)
            if changed:
                raise ResumeError(
                    f"{self.key_path.parent} holds completions made under another configuration, "
                    f"so they cannot be reused. Changed: {'; '.join(changed)}. Use a new run_id=… "
                    "(or restore the old settings to continue that run)"
                )

    def open(self) -> dict[tuple[str, int], Completion]:
        """Check the key, drop a partial last line, and return the completions already logged.

        Returns:
            Logged completions keyed by ``(problem_id, sample_index)`` (first occurrence wins).

        Raises:
            ResumeError: The directory was made under another configuration.
        """
        self.check()
        if not self.key_path.is_file():
            self.key_path.write_text(json.dumps(self.key, indent=2, sort_keys=True) + "\n")
        done: dict[tuple[str, int], Completion] = {}
        if self.path.is_file():
            rows, valid = _read_complete_lines(self.path)
            if valid < self.path.stat().st_size:
                with self.path.open("r+b") as handle:
                    handle.truncate(valid)
            for row in rows:
                pair = (row["problem_id"], row["sample_index"])
                done.setdefault(pair, Completion(**row))
        return done

    def append(self, completion: Completion) -> None:
        """Persist one completion now (one line, flushed and fsynced)."""
        if self._handle is None:
            self._handle = self.path.open("ab")  # created on first use: replay writes none
        row = redact(completion_record(completion), self._secrets)
        line = json.dumps(row, ensure_ascii=False) + "\n"
        self._handle.write(line.encode("utf-8", "backslashreplace"))  # lone surrogate: \udXXX
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.appended += 1

    def close(self) -> None:
        """Close the file."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
