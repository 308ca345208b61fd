"""samples.jsonl written problem by problem while the run grades, in dataset order.

``harness.grading.stream.StreamGrader`` hands each problem's graded samples over as soon as they
are final; they are written at once when every earlier problem is written, else kept until then.
``close`` writes the rest and renames the file into place: the same bytes as
``results.write_samples`` writing them all at the end, without its seconds after the last
completion. Should a written problem differ from the run's final samples, the whole file is
written again from them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from harness.store.results import SAMPLES, sample_record, write_disagreements, write_samples
from harness.store.secrets import redact, secret_values
from harness.types import GradedSample


class SampleStream:
    """Writes ``<run_dir>/samples.jsonl`` as problems finish grading.

    Args:
        run_dir: The run directory.
        problem_ids: The problems of the run, in dataset order (the file's order).
    """

    def __init__(self, run_dir: Path, problem_ids: Sequence[str]) -> None:
        self._run_dir = run_dir
        self._path = run_dir / SAMPLES
        self._tmp = self._path.with_name(self._path.name + ".tmp")
        self._order = list(problem_ids)
        self._next = 0  # problems written so far, in order
        self._waiting: dict[str, list[GradedSample]] = {}
        self._written: list[list[GradedSample]] = []
        self._handle: IO[str] | None = None
        self._secrets = secret_values()

    def add(self, samples: list[GradedSample]) -> None:
        """Take one problem's final graded samples (in sample order)."""
        if samples:
            self._waiting[samples[0].completion.problem_id] = samples
            self._drain()

    def _drain(self) -> None:
        while self._next < len(self._order) and self._order[self._next] in self._waiting:
            samples = self._waiting.pop(self._order[self._next])
            self._write(samples)
            self._written.append(samples)
            self._next += 1

    def _write(self, samples: Sequence[GradedSample]) -> None:
        if self._handle is None:  # the encoding of results.atomic_write, byte for byte
            self._handle = self._tmp.open("w", encoding="utf-8", errors="backslashreplace")
        for s in samples:
            row = redact(sample_record(s), self._secrets)
            self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self, graded: Sequence[GradedSample], gold: dict[str, str]) -> int:
        """Write what is left of samples.jsonl from the final ``graded``, and disagreements.jsonl.

        Args:
            graded: Every graded sample of the run, in the file's order.
            gold: Gold answer per problem id (for disagreements.jsonl).

        Returns:
            The number of disagreements.
        """
        done = [s for samples in self._written for s in samples]
        if done != list(graded[: len(done)]):  # not the final samples: write them all again
            self.discard()
            return write_samples(self._run_dir, graded, gold)
        self._write(graded[len(done) :])
        if self._handle is None:  # no samples at all: an empty file, as write_samples makes
            self._handle = self._tmp.open("w", encoding="utf-8", errors="backslashreplace")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self._handle = None
        self._tmp.replace(self._path)
        return write_disagreements(self._run_dir, graded, gold)

    def discard(self) -> None:
        """Drop the partial file (a failed run keeps no half-written samples.jsonl.tmp)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._tmp.unlink(missing_ok=True)
