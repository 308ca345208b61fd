"""One builder at a time: an exclusive ``fcntl`` lock on a file (POSIX), across processes.

Shared by the tiny-model cache (``harness.models.cache``) and the dryrun's tiny model
(``harness.models.tiny.ensure_tiny_model``).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``fcntl`` lock on ``path`` (created) for the block.

    One builder at a time, across processes; the others wait here. Released when the block ends
    (the file closes).
    """
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
