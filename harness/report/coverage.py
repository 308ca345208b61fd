"""Whether a run measured the problem set a claim is about (issue 19: partial runs).

A claim such as "28.9 on AIME 2024" is about the whole benchmark: its P problems
(``seeds/margins.yaml`` ``problems``, else the row count of the benchmark source a run recorded
in provenance.json ``data.n_rows``). A run with ``limit=9`` measured 9 of them; its mean is an
estimate for those 9, not for the 30, and is never judged against the claim. Problem ids within a
benchmark are distinct (the loader refuses duplicates), so a run with the full count holds the
whole set. The verdict is then "not measured", the reason starts "9 of 30 problems", and the
partial value is still shown. Trend claims (a slope over difficulty levels) are about how a score
moves with difficulty, not about one set, and behaviour probes are judged "on this probe set"
(``behaviour.py``); neither is checked here.
"""

from __future__ import annotations

from harness.claims import Margin
from harness.report.pooling import Cell


def claim_problems(cell: Cell, margin: Margin | None) -> int | None:
    """P of the set the claim is about: the margin's ``problems``, else the source's rows."""
    if margin is not None:
        return margin.problems
    rows = [(r.provenance.get("data") or {}).get("n_rows") for r in cell.runs]
    known = [int(n) for n in rows if isinstance(n, int) and n > 0]
    return max(known) if known else None


def _limits(cell: Cell) -> str:
    limits = sorted({str(r.config.get("limit")) for r in cell.runs if r.config.get("limit")})
    return f" (limit={', '.join(limits)})" if limits else ""


def partial(cell: Cell, margin: Margin | None, used: int | None = None) -> str | None:
    """Why ``used`` problems (default: the cell's) are not the claim's set, e.g. "9 of 30 problems".

    Args:
        cell: The measured cell.
        margin: The claim's margin (its ``problems`` is the set's size), or None.
        used: Problems the verdict would rest on (the shared ones of a paired comparison).

    Returns:
        The reason text, or None when the run covers the claim's set (or its size is unknown).
    """
    full = claim_problems(cell, margin)
    used = cell.n_problems if used is None else used
    if full is None or used == full:
        return None
    if used < full:
        return f"{used} of {full} problems{_limits(cell)}: the claim is about all {full}"
    return f"{used} problems, but the claim's set has {full}: not the same problems"
