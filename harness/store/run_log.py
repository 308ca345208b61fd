"""The run's log file (Hydra's ``<run dir>/eval.log``): redacted, written once a run starts.

``configs/config.yaml`` points Hydra's file handler at ``RunLogHandler``. It keeps records in
memory until ``activate()`` (called by ``results.begin_run`` once the resume check has passed),
so a refused start leaves an existing run directory byte-identical. Every handler of the root
logger (console included, which W&B copies into its ``output.log``) gets ``RedactFilter``.
"""

from __future__ import annotations

import logging
import weakref

from harness.store.secrets import redact

_MAX_PENDING = 10_000  # records kept before activation; a start logs a few dozen
_HANDLERS: weakref.WeakSet[RunLogHandler] = weakref.WeakSet()


class RedactFilter(logging.Filter):
    """Replace secrets (credential env values, URL passwords) in each record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message, redact it, and let the record through."""
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format: let logging report it as usual
            return True
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


class RunLogHandler(logging.FileHandler):
    r"""A UTF-8 file handler that holds records until ``activate()`` and never fails on text.

    Lone surrogates (valid in JSON, not in UTF-8) are written as ``\udXXX`` escapes.
    """

    def __init__(self, filename: str, mode: str = "a", encoding: str | None = None) -> None:
        super().__init__(filename, mode, encoding or "utf-8", delay=True, errors="backslashreplace")
        self.addFilter(RedactFilter())
        self.active = False
        self._pending: list[logging.LogRecord] = []
        _HANDLERS.add(self)

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, or keep it until the run starts."""
        if self.active:
            super().emit(record)
        elif len(self._pending) < _MAX_PENDING:
            self._pending.append(record)

    def start(self) -> None:
        """Open the file and write what was held back."""
        self.active = True
        pending, self._pending = self._pending, []
        for record in pending:
            super().emit(record)


def activate() -> None:
    """Start writing every ``RunLogHandler`` (the run has passed its start checks)."""
    for handler in list(_HANDLERS):
        handler.start()


def discard() -> None:
    """Close every ``RunLogHandler`` and drop what it would write (its run folder is removed)."""
    for handler in list(_HANDLERS):
        handler.active = False
        handler._pending = []
        handler.close()
        handler.emit = lambda record: None  # type: ignore[method-assign]


def redact_handlers(logger: logging.Logger | None = None) -> None:
    """Give every handler of ``logger`` (default: root) a ``RedactFilter`` (idempotent)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactFilter) for f in handler.filters):
            handler.addFilter(RedactFilter())
