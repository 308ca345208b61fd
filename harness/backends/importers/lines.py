r"""The lines of a JSON Lines log, decoded one by one, so a bad byte is an error naming its line.

Every JSONL reader (our replay rows, the generic mapping, lm-eval's samples, and any new tool's
format built on ``generic.read_jsonl_objects``) reads through ``jsonl_lines``. It splits on
``\n`` only (responses may hold U+2028, which ``str.splitlines`` would break on), decodes each
line as UTF-8, and refuses a binary file (parquet, zip, gzip) by its magic number with the
format that reads it. Two plain variants are accepted and logged once per file: a UTF-8
byte-order mark before the first line, and Windows (CRLF) line ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from harness.errors import HarnessError

log = logging.getLogger(__name__)

BOM = b"\xef\xbb\xbf"
# Magic numbers of the binary files a log may be confused with, and what reads each.
BINARY = {
    b"PAR1": "a parquet file (lighteval details: backend.format=lighteval)",
    b"PK\x03\x04": "a zip archive (an inspect .eval log is one)",
    b"\x1f\x8b": "a gzip file (decompress it first: gunzip FILE)",
}


def binary_kind(head: bytes) -> str | None:
    """What binary file ``head`` (its first bytes) starts, or None for text."""
    return next((kind for magic, kind in BINARY.items() if head.startswith(magic)), None)


def jsonl_lines(
    path: Path, fmt: str, error: type[HarnessError] = HarnessError
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for every line of ``path``, blank lines included.

    Args:
        path: The log.
        fmt: The format it is read as (``backend.format=`` value), for messages.
        error: The exception class to raise (each reader keeps its own).

    Raises:
        error: A binary file, or a line that is not UTF-8 (names the line and the byte).
    """
    crlf = 0
    with path.open("rb") as handle:
        for lineno, raw in enumerate(handle, start=1):
            if lineno == 1:
                kind = binary_kind(raw)
                if kind:
                    raise error(
                        f"{path} is {kind}, not JSON Lines: backend.format={fmt} reads one "
                        "JSON object per line; set backend.format=… to the format of this file"
                    )
                if raw.startswith(BOM):
                    log.info("%s starts with a UTF-8 byte-order mark; read without it", path)
                    raw = raw[len(BOM) :]
            if raw.endswith(b"\r\n"):
                crlf += 1
                raw = raw[:-2] + b"\n"
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise error(
                    f"{path}:{lineno}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte "
                    f"{exc.start + 1} of the line); backend.format={fmt} reads UTF-8 JSON "
                    "Lines: re-encode the file (e.g. iconv -f latin1 -t utf-8)"
                ) from None
            yield lineno, text
    if crlf:
        log.info("%s: %d lines end in CRLF (Windows line ends); read as plain lines", path, crlf)
