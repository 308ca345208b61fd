"""argparse value types shared by the command lines: a bad value is argparse's own one-line error.

``--resamples 0`` ends as ``harness-compare: error: argument --resamples: 0 is not an integer
≥ 1`` (exit 2), not a ``ValueError`` traceback from the bootstrap.
"""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """An integer ≥ 1 (bootstrap replicates)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not an integer ≥ 1")
    return value


def open_unit(text: str) -> float:
    """A number strictly between 0 and 1 (an interval's coverage)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not in (0, 1), e.g. 0.95")
    return value
