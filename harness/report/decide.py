"""Decisions on a difference D with a fixed-set standard error, in points (percent).

Three tests: equivalence, non-inferiority, superiority.

Notation: D is the tested difference (a value claim: measured − claimed; a comparison: a − b),
SE its standard error, δ > 0 the claim's pre-registered margin (``seeds/margins.yaml``),
z₉₀ = 1.645 and z₉₅ = 1.960 the two-sided normal quantiles, Φ the normal CDF.

- **Equivalence** ("scores 28.9", "comparable", "at par"), two one-sided tests (TOST,
  Schuirmann 1987, J. Pharmacokinet. Biopharm. 15:657): supported when the 90 % interval
  D ± z₉₀·SE lies inside (−δ, δ), i.e. both one-sided tests reject at 5 %; refuted when the 95 %
  interval D ± z₉₅·SE lies wholly outside [−δ, δ]; otherwise underpowered when the power to
  support a true D = 0 is below 80 %, else inconclusive. The width of an interval never blocks a
  refutation.
- **Non-inferiority** ("a matches or beats b", ``geq``): supported when the 95 % interval's
  lower bound exceeds −δ; refuted when its upper bound is below −δ; otherwise underpowered or
  inconclusive by the power rule below.
- **Superiority** ("a beats b", ``greater``): supported when the 95 % interval lies above 0;
  refuted when it lies at or below 0; otherwise underpowered or inconclusive by the power rule,
  at the claim's margin δ when one is given (a difference that small is what the claim is about).

Underpowered (80 % power, the rule of the samples-needed text, ``harness.metrics.power``):
- TOST at a true D = 0 supports with probability 2Φ(δ/SE − z₉₀) − 1, which is ≥ 0.8 exactly when
  δ/SE ≥ z₉₀ + z_(0.9) = 1.645 + 1.282 = 2.926 (``TOST_POWER_Z``);
- non-inferiority at a true D = 0 supports with probability Φ(δ/SE − z₉₅), ≥ 0.8 when
  δ/SE ≥ z₉₅ + z₈₀ = 1.960 + 0.842 = 2.802 (``ONE_SIDED_POWER_Z``);
- superiority at a true D = δ: the same Φ(δ/SE − z₉₅), so the same 2.802.
A supported or refuted verdict always stands: the label only replaces "inconclusive", saying that
this SE could not have decided even when the claim is exactly true.

p-values (used by Holm's correction for claim groups): each decision has p_support (the
one-sided test of the claim: support ⇔ p_support < α) and p_refute (refutation ⇔ p_refute < α),
α = 0.05, matching the interval rules above exactly.

Minimum detectable difference (MDD), at 80 % power (z₈₀ = 0.842): equivalence: the distance
from the claimed value beyond which a refutation is expected, δ + (z₉₅ + z₈₀)·SE;
non-inferiority and superiority: the true difference a − b above the bound (−δ or 0) that is
supported with 80 % power, (z₉₅ + z₈₀)·SE.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

from harness.metrics.fixed_set import z_value

ALPHA = 0.05  # the conventional 5 % level: TOST at 5 % (Schuirmann 1987), Holm at 5 % FWER
Z90 = z_value(0.90)
Z95 = z_value(0.95)
Z80_ONE_SIDED = NormalDist().inv_cdf(0.80)  # 80 % power
_PHI = NormalDist().cdf
TOST_POWER_Z = Z90 + NormalDist().inv_cdf(0.90)  # 2.926: TOST power 80 % at D = 0
ONE_SIDED_POWER_Z = Z95 + Z80_ONE_SIDED  # 2.802: one-sided 2.5 % test, power 80 %


@dataclass(frozen=True)
class Decision:
    """A decision on D with everything a reader needs to check it (points).

    Attributes:
        verdict: supported, refuted, inconclusive or underpowered.
        reason: The rule that fired, with the numbers.
        d: D.
        se: SE of D.
        delta: The margin δ (0 for superiority).
        ci90: D ± z₉₀·SE.
        ci95: D ± z₉₅·SE.
        p_support: One-sided p-value of the claim.
        p_refute: p-value of the refutation.
        mdd: Minimum detectable difference at 80 % power (module docstring).
    """

    verdict: str
    reason: str
    d: float
    se: float
    delta: float
    ci90: tuple[float, float]
    ci95: tuple[float, float]
    p_support: float
    p_refute: float
    mdd: float


def _ci(d: float, se: float, z: float) -> tuple[float, float]:
    return (d - z * se, d + z * se)


def _f(x: float) -> str:
    return f"{x:.2f}"


def _short(delta: float, se: float, needed: float) -> bool:
    """Power below 80 %: δ/SE < ``needed`` (module docstring); SE = 0 never is."""
    return delta > 0 and se > 0 and delta / se < needed


def _short_text(delta: float, se: float, needed: float, at: str) -> str:
    return f"power to support a true {at} is below 80 %: δ/SE = {delta / se:.2f} < {needed:.3f}"


def _p_above(d: float, se: float, bound: float) -> float:
    """One-sided p of H0: D ≤ bound (small when D is clearly above the bound)."""
    if se <= 0:
        return 0.0 if d > bound else 1.0
    return 1.0 - _PHI((d - bound) / se)


def equivalence(d: float, se: float, delta: float) -> Decision:
    """TOST of |D| < δ (module docstring).

    Args:
        d: D in points.
        se: Its standard error.
        delta: The margin δ > 0.
    """
    if delta <= 0:
        raise ValueError(f"an equivalence margin must be positive, got {delta}")
    ci90, ci95 = _ci(d, se, Z90), _ci(d, se, Z95)
    p_support = max(_p_above(d, se, -delta), _p_above(-d, se, -delta))
    p_refute = min(1.0, 2.0 * min(_p_above(d, se, delta), _p_above(-d, se, delta)))
    mdd = delta + (Z95 + Z80_ONE_SIDED) * se
    where = f"D = {_f(d)}, SE {_f(se)}, 90 % CI [{_f(ci90[0])}, {_f(ci90[1])}]"
    where += f", 95 % CI [{_f(ci95[0])}, {_f(ci95[1])}], margin ±{_f(delta)}"
    if ci95[0] > delta or ci95[1] < -delta:
        verdict, why = "refuted", "the 95 % CI lies wholly outside the margin"
    elif -delta < ci90[0] and ci90[1] < delta:
        verdict, why = "supported", "the 90 % CI lies inside the margin (TOST at 5 %)"
    elif _short(delta, se, TOST_POWER_Z):
        verdict, why = "underpowered", _short_text(delta, se, TOST_POWER_Z, "D = 0")
    else:
        verdict, why = "inconclusive", "the 90 % CI crosses the margin, the 95 % CI meets it"
    return Decision(verdict, f"{where}: {why}", d, se, delta, ci90, ci95, p_support, p_refute, mdd)


def non_inferiority(d: float, se: float, delta: float) -> Decision:
    """A ≥ b − δ from D = a − b (module docstring)."""
    ci90, ci95 = _ci(d, se, Z90), _ci(d, se, Z95)
    p_support = min(1.0, 2.0 * _p_above(d, se, -delta))
    p_refute = min(1.0, 2.0 * _p_above(-d, se, delta))
    mdd = (Z95 + Z80_ONE_SIDED) * se
    where = f"D = a − b = {_f(d)}, SE {_f(se)}, 95 % CI [{_f(ci95[0])}, {_f(ci95[1])}]"
    if ci95[0] > -delta:
        verdict, why = "supported", f"lies above −{_f(delta)}: a ≥ b − δ holds"
    elif ci95[1] < -delta:
        verdict, why = "refuted", f"lies below −{_f(delta)}: a is worse than b by more than δ"
    elif _short(delta, se, ONE_SIDED_POWER_Z):
        verdict = "underpowered"
        why = f"contains −{_f(delta)}; {_short_text(delta, se, ONE_SIDED_POWER_Z, 'D = 0')}"
    else:
        verdict, why = "inconclusive", f"contains −{_f(delta)}"
    return Decision(verdict, f"{where} {why}", d, se, delta, ci90, ci95, p_support, p_refute, mdd)


def superiority(d: float, se: float, power_at: float = 0.0) -> Decision:
    """A > b from D = a − b (module docstring).

    Args:
        d: D = a − b.
        se: Its SE.
        power_at: The difference the power rule is judged at (the claim's δ; 0: no rule).
    """
    ci90, ci95 = _ci(d, se, Z90), _ci(d, se, Z95)
    p_support = min(1.0, 2.0 * _p_above(d, se, 0.0))
    p_refute = min(1.0, 2.0 * (1.0 - _p_above(d, se, 0.0))) if se > 0 else float(d > 0)
    mdd = (Z95 + Z80_ONE_SIDED) * se
    where = f"D = a − b = {_f(d)}, SE {_f(se)}, 95 % CI [{_f(ci95[0])}, {_f(ci95[1])}]"
    if ci95[0] > 0:
        verdict, why = "supported", "lies above 0: a > b holds"
    elif ci95[1] <= 0:
        verdict, why = "refuted", "lies at or below 0: a > b fails"
    elif _short(power_at, se, ONE_SIDED_POWER_Z):
        at = f"D = δ = {_f(power_at)}"
        verdict, why = (
            "underpowered",
            f"contains 0; {_short_text(power_at, se, ONE_SIDED_POWER_Z, at)}",
        )
    else:
        verdict, why = "inconclusive", "contains 0"
    return Decision(verdict, f"{where} {why}", d, se, 0.0, ci90, ci95, p_support, p_refute, mdd)


def decide(direction: str, d: float, se: float, delta: float) -> Decision:
    """Dispatch on a claim's direction.

    ``equal`` (value claims) and ``equivalent`` → equivalence; ``geq`` → non-inferiority;
    ``greater`` → superiority (``delta`` only sets where its power rule is judged).
    """
    if direction in ("equal", "equivalent"):
        return equivalence(d, se, delta)
    if direction == "geq":
        return non_inferiority(d, se, delta)
    if direction == "greater":
        return superiority(d, se, delta)
    raise ValueError(f"unknown comparison direction {direction!r}")


def holm(p_values: list[float], alpha: float = ALPHA) -> list[bool]:
    """Holm's step-down procedure (Holm 1979, Scand. J. Statist. 6:65): which nulls are rejected.

    Sort the m p-values ascending; reject while p_(j) ≤ α/(m − j + 1) (j = 1 … m), stop at the
    first that is not. Controls the family-wise error rate at α under any dependence.
    """
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    m = len(p_values)
    for j, i in enumerate(order):
        if p_values[i] > alpha / (m - j):
            break
        rejected[i] = True
    return rejected
