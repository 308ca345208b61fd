"""Helpers of the SLURM launcher plugin (``hydra_plugins/harness_launcher``), kept testable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def group_consecutive(params: Sequence[Any]) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of consecutive equal items (job numbers stay in sweep order).

    >>> group_consecutive(["a", "a", "b", "a"])
    [(0, 2), (2, 3), (3, 4)]
    """
    ranges: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(params) + 1):
        if i == len(params) or params[i] != params[start]:
            ranges.append((start, i))
            start = i
    return ranges
