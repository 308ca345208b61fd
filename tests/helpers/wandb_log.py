"""Read back an offline W&B run (``run-<id>.wandb``) for tests.

The file is a LevelDB-style log (7-byte header ``:W&B`` + magic + version, then 32 KiB blocks
of records: crc32c(4) length(2) type(1) payload) of ``wandb_internal_pb2.Record`` messages.
wandb no longer ships a Python reader (wandb-core is Go), so the tests carry this small one.
"""

from __future__ import annotations

import struct
from pathlib import Path

BLOCK = 32768
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def payloads(path: Path) -> list[bytes]:
    data = path.read_bytes()
    assert data[:4] == b":W&B", f"{path} is not a W&B transaction log"
    out: list[bytes] = []
    pos, pending = HEADER, b""
    while pos + HEADER <= len(data):
        left = BLOCK - pos % BLOCK
        if left < HEADER:  # block trailer padding
            pos += left
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos : pos + HEADER])
        body = data[pos + HEADER : pos + HEADER + length]
        pos += HEADER + length
        if kind == 0 and length == 0:
            continue
        if kind == FULL:
            out.append(body)
        elif kind == FIRST:
            pending = body
        elif kind == MIDDLE:
            pending += body
        elif kind == LAST:
            out.append(pending + body)
            pending = b""
    return out


def records(path: Path) -> list:
    from wandb.proto import wandb_internal_pb2

    result = []
    for raw in payloads(path):
        record = wandb_internal_pb2.Record()
        record.ParseFromString(raw)
        result.append(record)
    return result


def files_holding(root: Path, *secrets: str) -> list[str]:
    """Every file under ``root`` whose bytes hold one of ``secrets`` (the tests' leak scans).

    A file that vanishes between the listing and the read is skipped, since a removed file holds
    nothing on disk. W&B's service process runs on its own and may still remove its own files
    after the run has finished.
    """
    found = []
    for path in sorted(root.rglob("*")):
        try:
            data = path.read_bytes() if path.is_file() else b""
        except FileNotFoundError:
            continue
        if any(s.encode() in data for s in secrets):
            found.append(str(path))
    return found
