"""Read other tools' logs as formats of the replay backend (``backend.format=…``).

Each format is one module with a ``FORMAT`` (``importers/base.py``), listed in ``FORMATS``: our own
``replay`` rows (``replay_format.py``), ``lm_eval`` (``lm_eval.py``), ``lighteval``
(``lighteval.py``), ``inspect`` (``inspect_eval.py``), ``evalscope`` (``evalscope.py``),
``opencompass`` (``opencompass.py``), ``nemo_skills``, ``evalchemy``, ``matharena``,
``skythought`` (a module each, ``tool_rows.py`` holding what they share), and ``jsonl``, any JSON
Lines log mapped with ``backend.fields.*`` (``generic.py``). ``auto`` (the default) asks each
format in turn whether it recognises the file, logs its choice and records it; a file none
recognises is refused with the list of formats and the ``jsonl`` mapping as the way to read it
anyway.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.backends.importers import (
    evalchemy,
    evalscope,
    generic,
    inspect_eval,
    lighteval,
    lm_eval,
    matharena,
    nemo_skills,
    opencompass,
    replay_format,
    skythought,
)
from harness.backends.importers.base import LogFormat, Peek, ReadContext
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow
from harness.errors import HarnessError

log = logging.getLogger(__name__)

DEFAULT_FIELDS = {
    "problem_id": "problem_id", "response": "response", "finish_reason": "finish_reason",
    "problem": "problem", "sample_index": "sample_index",
}  # fmt: skip
_HEAD_BYTES = 64
# What a reader raises on a file of another shape than it expects (json and pyarrow errors are
# ValueErrors; a field of the wrong type gives TypeError, AttributeError, KeyError, IndexError).
_READ_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, OSError)

# The formats, in the order ``auto`` tries them: specific shapes first, our own replay rows after
# them, the generic mapping last (it is never sniffed: ``detect``). A new tool's module is one
# import above and one entry here.
FORMATS: tuple[LogFormat, ...] = (
    lm_eval.FORMAT,
    evalchemy.FORMAT,  # parquet shards too: before lighteval, which takes any other parquet
    matharena.FORMAT,  # likewise
    lighteval.FORMAT,
    inspect_eval.FORMAT,
    evalscope.FORMAT,
    opencompass.FORMAT,
    nemo_skills.FORMAT,
    skythought.FORMAT,
    replay_format.FORMAT,
    generic.FORMAT,
)


def by_name() -> dict[str, LogFormat]:
    """Formats by ``backend.format=`` value, aliases included."""
    out: dict[str, LogFormat] = {}
    for f in FORMATS:
        out[f.name] = f
        out.update(dict.fromkeys(f.aliases, f))
    return out


def format_names() -> tuple[str, ...]:
    """``auto`` and every registered format's name, as ``backend.format=`` accepts them."""
    return ("auto", *(f.name for f in FORMATS))


def _first_object(path: Path) -> Mapping[str, Any] | None:
    """The first non-blank line as a JSON object, or None (not JSONL, not text, not an object)."""
    try:
        with path.open("rb") as handle:  # decode the first line only: a bad byte later is its own
            for raw in handle:
                line = raw.decode("utf-8-sig")
                if line.strip():
                    obj = json.loads(line)
                    return obj if isinstance(obj, dict) else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return None


def _document(path: Path, size: int) -> Any:
    if path.suffix.lower() != ".json" or size > Peek.MAX_DOCUMENT_BYTES:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def peek(path: Path) -> Peek:
    """Read what ``auto`` needs to choose a format, once."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    binary = head.startswith((b"PAR1", b"PK"))
    return Peek(
        path=path,
        suffix=path.suffix.lower(),
        first=None if binary else _first_object(path),
        document=None if binary else _document(path, path.stat().st_size),
        head=head,
    )


def _refusal(path: Path, first: Mapping[str, Any] | None) -> str:
    listed = "\n".join(f"  backend.format={f.name}: {f.reads}" for f in FORMATS)
    seen = f" (its first line has keys {', '.join(sorted(first)[:8])})" if first else ""
    return (
        f"{path}: no known log format recognises this file{seen}. The formats are:\n{listed}\n"
        "Name yours with backend.format=…, or map its fields: backend.format=jsonl "
        "backend.fields.problem_id=… backend.fields.response=… backend.fields.finish_reason=…"
    )


def detect(path: Path, fields: Mapping[str, str]) -> tuple[str, str]:
    """Choose the format of ``path``: ``(format, why)``.

    Each registered format is asked in turn (``FORMATS`` order). ``backend.fields`` set
    to anything but the defaults means the generic ``jsonl`` reader; so does a JSONL file whose
    lines hold the default field names (``response``). Anything else is refused.

    Raises:
        LogImportError: No format recognises the file (the message lists them).
    """
    if {**DEFAULT_FIELDS, **fields} != DEFAULT_FIELDS:
        return "jsonl", "backend.fields is set"
    seen = peek(path)
    for fmt in FORMATS:
        why = fmt.sniff(seen)
        if why:
            return fmt.name, why
    if seen.first is not None and "response" in seen.first:
        return "jsonl", "lines hold the default field names (response, problem_id, …)"
    if seen.first is None and seen.document is None and not seen.head.startswith((b"PAR1", b"PK")):
        return "replay", "the first line is not a JSON object; read as replay to name the line"
    raise LogImportError(_refusal(path, seen.first))


def read_log(
    path: Path,
    fmt: str,
    fields: Mapping[str, str] | None = None,
    *,
    id_keys: Sequence[str] = (),
    text_keys: Sequence[str] = (),
    benchmark: Any = None,
) -> tuple[ImportedLog, str]:
    """Read a log in the given format (``auto``: detected).

    Args:
        path: The log file.
        fmt: ``auto`` or a registered format's name (``format_names()``).
        fields: ``backend.fields`` (the generic reader's mapping; defaults filled in).
        id_keys: Keys of a logged document that may hold the problem id.
        text_keys: Keys of a logged document that may hold the problem text.
        benchmark: The benchmark config, for readers that need it.

    Returns:
        The log, and how its format was chosen (``"backend.format"`` or ``"auto: <why>"``).

    Raises:
        LogImportError: An unknown format, a missing file, or a malformed log.
    """
    known = by_name()
    if fmt != "auto" and fmt not in known:
        raise LogImportError(
            f"backend.format={fmt!r} is not a format; use one of {', '.join(format_names())}"
        )
    if not path.is_file():
        raise LogImportError(
            f"replay file {path} does not exist; set backend.path=FILE.jsonl (or FILE.parquet)"
        )
    mapping = {**DEFAULT_FIELDS, **{k: v for k, v in (fields or {}).items() if v}}
    chosen_by = "backend.format"
    if fmt == "auto":
        fmt, why = detect(path, mapping)
        chosen_by = f"auto: {why}"
        log.info("backend.format=auto: reading %s as %s (%s)", path, fmt, why)
    context = ReadContext(
        fields=mapping, id_keys=tuple(id_keys), text_keys=tuple(text_keys), benchmark=benchmark
    )
    try:
        return known[fmt].read(path, context), chosen_by
    except HarnessError as exc:
        if str(path) in str(exc):
            raise
        raise type(exc)(f"{path}: {exc}") from None  # every message names the file
    except _READ_ERRORS as exc:  # a reader met a shape it did not expect: name file and format
        log.debug("reading %s as %s failed", path, fmt, exc_info=True)  # the traceback, in eval.log
        raise LogImportError(
            f"{path}: cannot be read as backend.format={fmt} ({chosen_by}), which reads "
            f"{known[fmt].reads}: {type(exc).__name__}: {exc}. Check that the file is that "
            f"format, or name its format with backend.format=… ({', '.join(format_names())})"
        ) from None


__all__ = [
    "DEFAULT_FIELDS",
    "FORMATS",
    "ImportedLog",
    "LogFormat",
    "LogImportError",
    "LogRow",
    "detect",
    "format_names",
    "read_log",
]
