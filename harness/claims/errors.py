"""The one error the claims registry raises: it names the file, the line and the key."""

from __future__ import annotations

from pathlib import Path


class ClaimError(ValueError):
    """A malformed seed file, claim or protocol.

    Attributes:
        path: The YAML file.
        line: 1-based line of the offending node (0 when the file itself is at fault).
        key: The offending key (``"id"``, ``"source.row"``), or ``""`` when none applies.
        reason: What is wrong, without the location.
    """

    def __init__(self, path: Path, line: int, key: str, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.key = key
        self.reason = reason
        where = f"{self.path}:{line}" if line else str(self.path)
        what = f" [{key}]" if key else ""
        super().__init__(f"{where}{what}: {reason}")
