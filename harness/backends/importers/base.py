"""What a log format module defines: one ``LogFormat`` per tool, and what its functions receive.

A format module (``importers/<tool>.py``) defines ``FORMAT = LogFormat(...)`` and is listed in
``importers/__init__.py``'s ``FORMATS`` (the order ``auto`` tries them); nothing else changes
when a tool is added. ``auto`` asks each format's ``sniff`` in order and takes the first that
recognises the file; ``jsonl`` (the generic mapping) is chosen only when ``backend.fields`` is
set or the lines hold the default field names, and a file no format recognises is refused with
the list of formats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.backends.importers.rows import ImportedLog


@dataclass(frozen=True)
class Peek:
    """What ``auto`` knows of a file before choosing its format (read once, shared by all).

    Attributes:
        path: The file.
        suffix: Its lower-cased suffix (``.jsonl``, ``.parquet``, ``.eval``, ``.json``).
        first: The first JSON object of a JSON Lines file (None: not JSONL or unreadable).
        document: The whole file parsed as one JSON document, for ``.json`` files of at most
            ``Peek.MAX_DOCUMENT_BYTES`` (None otherwise).
        head: The first bytes of the file (magic numbers: parquet ``PAR1``, zip ``PK``).
    """

    path: Path
    suffix: str
    first: Mapping[str, Any] | None
    document: Any
    head: bytes

    MAX_DOCUMENT_BYTES = 64 << 20  # a .json log larger than this is not parsed just to sniff


@dataclass(frozen=True)
class ReadContext:
    """What a reader may use besides the file.

    Attributes:
        fields: ``backend.fields`` with the defaults filled in (the generic mapping).
        id_keys: Keys of a logged document that may hold the benchmark's problem id, in order
            (``backend.fields.problem_id`` first, then the benchmark's ``id_field``).
        text_keys: Keys of a logged document that may hold the problem text, in order.
        benchmark: The benchmark config (``cfg.benchmark``), or None.
    """

    fields: Mapping[str, str]
    id_keys: Sequence[str] = ()
    text_keys: Sequence[str] = ()
    benchmark: Any = None


@dataclass(frozen=True)
class LogFormat:
    """One tool's log format.

    Attributes:
        name: The ``backend.format=`` value.
        reads: What it reads, in one line (error messages and the README's table).
        sniff: ``sniff(peek) -> why | None``: a short reason when the file is this format.
        read: ``read(path, context) -> ImportedLog``.
        tool: The tool that writes it (``provenance.origin.tool``).
    """

    name: str
    reads: str
    sniff: Callable[[Peek], str | None]
    read: Callable[[Path, ReadContext], ImportedLog]
    tool: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
