r"""Write one text file atomically (temp + rename), secrets redacted, surrogate-safe.

The lowest layer of ``harness.store.results``, kept apart so that ``hydra_files``, which
``results.begin_run`` calls, writes without importing ``results`` back.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.store.secrets import redact


def atomic_write(path: Path, text: str) -> None:
    r"""Write ``text`` to ``path`` through a temp file, fsynced, then renamed over ``path``.

    A lone surrogate (valid in JSON, not in UTF-8) is written as its escape ``\udXXX``.
    """
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def write_text(path: Path, text: str) -> None:
    """Write a text file (secrets redacted) atomically."""
    atomic_write(path, redact(text))
