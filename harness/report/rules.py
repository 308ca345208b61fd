"""Verdict rules on numbers: each takes intervals and claimed values and returns a verdict + reason.

Verdicts are ``supported``, ``refuted``, ``inconclusive`` or ``not measured``. All numbers are in
percent (points); intervals are 95 % percentile bootstrap intervals over problems.

- Value claim: supported when the claimed value lies in the measured interval, refuted when it
  lies outside, inconclusive when the interval is wider than ``max_width`` points whatever the
  claimed value (``DEFAULT_MAX_CI_WIDTH``).
- Comparison (a vs b), from an interval of the difference a − b: ``greater`` is supported when
  the interval lies above 0 and refuted when it lies at or below 0; ``geq`` with tolerance t
  (a ≥ b − t) is supported when the lower bound exceeds −t and refuted when the upper bound is
  below −t. Anything else is inconclusive.
- Trend: supported when the slope interval excludes 0 on the claimed side, refuted when it
  excludes 0 on the other side, inconclusive otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

VerdictName = Literal["supported", "refuted", "inconclusive", "not measured"]

DEFAULT_MAX_CI_WIDTH = 20.0
# A 95 % interval wider than 20 points cannot tell the claim from values 10 points away, the
# size of the gaps the claims argue about (Table 5: 28.9 vs 9.3 on AIME, 83.9 vs 74.6 on
# MATH-500). MATH-500 at P=500 gives ~6-point intervals; AIME (P=30, problem-level SE near 9
# points, docs/protocol.md §3) gives ~30-point ones, so AIME value claims come out
# inconclusive unless a run is pooled over a larger problem set. ``--max-ci-width`` changes it.


@dataclass(frozen=True)
class Outcome:
    """A verdict and the reason for it, in words."""

    verdict: VerdictName
    reason: str


def fmt(x: float) -> str:
    """A number as the report prints it (one decimal)."""
    return f"{x:.1f}"


def fmt_ci(ci: tuple[float, float]) -> str:
    """``[lo, hi]`` with one decimal."""
    return f"[{fmt(ci[0])}, {fmt(ci[1])}]"


def value_rule(
    claimed: float,
    measured: float,
    ci: tuple[float, float],
    *,
    max_width: float = DEFAULT_MAX_CI_WIDTH,
) -> Outcome:
    """Verdict of a value claim against a measured interval."""
    lo, hi = ci
    where = f"measured {fmt(measured)}, 95 % CI {fmt_ci(ci)}"
    if hi - lo > max_width:
        return Outcome(
            "inconclusive",
            f"{where} is {fmt(hi - lo)} points wide, above the {fmt(max_width)}-point bound: "
            "too few problems or samples to test claimed " + fmt(claimed),
        )
    if lo <= claimed <= hi:
        return Outcome("supported", f"claimed {fmt(claimed)} inside measured 95 % CI {fmt_ci(ci)}")
    side = "above" if claimed > hi else "below"
    return Outcome("refuted", f"claimed {fmt(claimed)} {side} measured 95 % CI {fmt_ci(ci)}")


def threshold(direction: str, tolerance: float) -> float:
    """The value a − b must exceed: 0 for ``greater``, −tolerance for ``geq``."""
    if direction == "greater":
        return 0.0
    if direction == "geq":
        return -tolerance
    raise ValueError(f"unknown comparison direction {direction!r}")


def diff_rule(ci: tuple[float, float], direction: str, tolerance: float = 0.0) -> Outcome:
    """Verdict of "a greater than b" / "a at least b − tolerance" from an interval of a − b."""
    lo, hi = ci
    t = threshold(direction, tolerance)
    what = "a − b > 0" if direction == "greater" else f"a − b ≥ {fmt(t)}"
    where = f"95 % CI of a − b {fmt_ci(ci)}"
    if lo > t:
        return Outcome("supported", f"{where} lies above {fmt(t)}: {what} holds")
    refuted = hi <= t if direction == "greater" else hi < t
    if refuted:
        return Outcome("refuted", f"{where} lies at or below {fmt(t)}: {what} fails")
    return Outcome("inconclusive", f"{where} contains {fmt(t)}: cannot tell whether {what}")


def cited_diff_ci(
    measured_ci: tuple[float, float], cited: float, *, measured_side: str
) -> tuple[float, float]:
    """Interval of a − b when one side is a cited number (no uncertainty) and one is measured.

    Args:
        measured_ci: The measured side's interval.
        cited: The cited value of the other side.
        measured_side: "a" or "b": which side was measured.
    """
    lo, hi = measured_ci
    if measured_side == "a":
        return (lo - cited, hi - cited)
    return (cited - hi, cited - lo)


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
