"""Verdict words and the small rules shared by every claim kind.

Verdicts: ``supported``, ``refuted``, ``inconclusive``, ``underpowered`` (neither supported nor
refuted, and the power to support the claim when exactly true is below 80 %: ``decide.py``),
``not measured``, and for claims decided on cited numbers alone
``consistent with the cited numbers`` / ``contradicts the cited numbers``. The tests on numbers
(equivalence, non-inferiority, superiority) are in ``decide.py``; here are the trend slope rule
and the protocol cap.

- Trend: supported when the slope interval excludes 0 on the claimed side, refuted when it
  excludes 0 on the other side, inconclusive otherwise (the effect-size rule is in
  ``judge_other.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

VerdictName = Literal[
    "supported",
    "refuted",
    "inconclusive",
    "underpowered",
    "not measured",
    "consistent with the cited numbers",
    "contradicts the cited numbers",
]
VERDICTS: tuple[str, ...] = VerdictName.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    """A verdict and the reason for it, in words."""

    verdict: str
    reason: str


def fmt(x: float) -> str:
    """A number as the report prints it (one decimal)."""
    return f"{x:.1f}"


def fmt_ci(ci: tuple[float, float]) -> str:
    """``[lo, hi]`` with one decimal."""
    return f"[{fmt(ci[0])}, {fmt(ci[1])}]"


def trend_rule(ci: tuple[float, float], direction: str, unit: str) -> Outcome:
    """Verdict of "y increases (decreases) with x" from an interval of the slope."""
    lo, hi = ci
    where = f"slope 95 % CI [{lo:.3g}, {hi:.3g}] {unit}"
    up = direction == "increasing"
    if (lo > 0) if up else (hi < 0):
        return Outcome("supported", f"{where} excludes 0 on the claimed side")
    if (hi < 0) if up else (lo > 0):
        return Outcome("refuted", f"{where} excludes 0 on the opposite side")
    return Outcome("inconclusive", f"{where} contains 0")


def cap(outcome: Outcome, mismatches: list[str]) -> Outcome:
    """Cap a verdict at inconclusive when the run's sampling differs from the claim's protocol."""
    if not mismatches or outcome.verdict in ("inconclusive", "not measured"):
        return outcome
    return Outcome(
        "inconclusive",
        f"would be {outcome.verdict} ({outcome.reason}), but the protocol differs, so the run "
        "does not measure the claimed quantity",
    )
