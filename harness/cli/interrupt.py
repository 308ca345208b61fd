"""Ctrl-C in any console script: one line on stderr and exit status 130, never a traceback.

130 is 128 + SIGINT (2), the status a shell gives a command that SIGINT ended.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

INTERRUPTED = 130


def interrupted(message: str) -> None:
    """Print ``message`` as the one line of an interrupted command and exit with 130."""
    print(f"interrupted: {message}", file=sys.stderr, flush=True)
    sys.exit(INTERRUPTED)


def one_line_interrupt(message: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a ``main``: a KeyboardInterrupt inside it ends with ``interrupted(message)``."""

    def wrap(main: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(main)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return main(*args, **kwargs)
            except KeyboardInterrupt:
                interrupted(message)

        return run

    return wrap
