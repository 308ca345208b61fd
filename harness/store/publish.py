"""Write an output folder whole or not at all: under a lock, through a temporary folder.

``harness-report`` writes its folder (report.md, verdicts.json, figures) with ``publish``: the
files go into a hidden sibling ``.<name>.tmp-<pid>``, which then takes the old folder's place in
one ``renameat2(RENAME_EXCHANGE)`` (Linux; elsewhere, two renames under the lock). A reader sees
the old folder or the new one, never a mix, and a kill leaves the old folder as it was, plus a
hidden temporary folder that the next build removes. The exclusive ``flock`` on ``.<name>.lock``
(``run_dir.hold``) makes a second, concurrent build wait for none and fail, naming the holder.
The old folder's ``wandb/`` (offline runs not yet synced) is carried over into the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from harness.store.run_dir import hold

KEEP = ("wandb",)  # what the new folder inherits from the old one
_AT_FDCWD = -100  # <fcntl.h>
_RENAME_EXCHANGE = 2  # <linux/fs.h>: swap the two names atomically


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system cannot (then nothing changed)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        rename = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = rename(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _swap_in(new: Path, out: Path) -> Path | None:
    """Put ``new`` where ``out`` is; return where the old ``out`` now is (None: there was none)."""
    if not out.exists():
        new.rename(out)
        return None
    if _exchange(new, out):
        return new  # ``new`` now names the old folder
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    out.rename(old)
    new.rename(out)
    return old


def _leftovers(out: Path) -> list[Path]:
    return [
        p
        for p in out.parent.glob(f".{out.name}.*-*")
        if p.is_dir() and (".tmp-" in p.name or ".old-" in p.name)
    ]


@contextlib.contextmanager
def publish(out: Path) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it replaces ``out`` in one step.

    Args:
        out: The output folder (its parent is created).

    Yields:
        The temporary folder (empty, beside ``out``).

    Raises:
        harness.store.run_dir.RunDirError: Another build holds ``out``.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with hold(out, fix="run one build per output folder, or pass another --out"):
        for stale in _leftovers(out):  # a killed build's temporary folder
            if ".old-" in stale.name and not out.exists():  # killed between two renames
                stale.rename(out)
                continue
            shutil.rmtree(stale, ignore_errors=True)
        tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
        tmp.mkdir()
        try:
            yield tmp
            old = _swap_in(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old is not None:
            for name in KEEP:
                if (old / name).exists() and not (out / name).exists():
                    (old / name).rename(out / name)
            shutil.rmtree(old, ignore_errors=True)
