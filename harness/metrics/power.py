"""Power of the equivalence test: samples per problem needed, minimum detectable differences.

The fixed-set variance of a difference D = ours − publisher's (Miller 2024, arXiv 2411.00640,
§2.2) splits into a part that shrinks with our samples per problem n and a part that does not:

    Var(D)(n) = W / n + V_fixed,   W = Σ_i σ_i² / P²,   V_fixed = publisher's variance (+ τ²/R)

TOST at 5 % (Schuirmann 1987) supports |D| < δ when D ± z₉₀·SE lies inside (−δ, δ). When the
true D is 0, it succeeds with probability ≈ 1 − 2Φ(z₉₀ − δ/SE), so power π needs

    δ / SE ≥ z₉₀ + z_(1+π)/2          (1.645 + 1.282 = 2.926 for π = 0.8)

and n = ⌈W / ((δ / 2.926)² − V_fixed)⌉; when the bracket is ≤ 0, no n suffices (the publisher's
own noise is too large for δ). Before a run σ_i² is unknown; the bound Σ_i p_i(1 − p_i)/P² ≤
p̄(1 − p̄)/P (Jensen: p(1 − p) is concave) gives a safe, often pessimistic, plan: problems of
AIME-like sets are mostly all-right or all-wrong, and their measured W is 2–3 times smaller.
"""

from __future__ import annotations

import math

from harness.metrics.fixed_set import z_value

Z90 = z_value(0.90)  # TOST at 5 %: the 90 % interval


def tost_z(power: float = 0.8) -> float:
    """δ/SE needed for ``power`` to support |D| < δ when D = 0: z₉₀ + z_(1+π)/2."""
    return Z90 + z_value(power)


def samples_needed(w: float, v_fixed: float, delta: float, power: float = 0.8) -> int | None:
    """Samples per problem on our side so TOST supports D = 0 with ``power``.

    Args:
        w: Σ_i σ_i² / P² (per-sample variance part), in the same units as ``delta``².
        v_fixed: Variance that does not shrink with our n (publisher's, between-run).
        delta: The margin δ.
        power: Wanted power at D = 0.

    Returns:
        The smallest n, or None when no n is enough.
    """
    room = (delta / tost_z(power)) ** 2 - v_fixed
    if room <= 0:
        return None
    return max(1, math.ceil(w / room))


def bound_w(p: float, problems: int) -> float:
    """Jensen bound on Σ_i p_i(1 − p_i)/P² for mean p over P problems (scale [0, 1])."""
    return p * (1.0 - p) / problems


U_SHAPED = 0.41
# E[p(1 − p)] / (p̄(1 − p̄)) = (a + b)/(a + b + 1) for Beta(a, b) problem rates; a + b = 0.69
# (Beta(0.2, 0.49), mean 0.29, the simulation of tests/unit/test_verdict_simulation.py) gives
# 0.41: most problems always or never solved, as reasoning models' AIME accuracies are. An
# assumption for planning only, printed as such; verdicts use the measured variances.


def plan_samples(
    p: float,
    problems: int,
    delta: float,
    n_pub: int,
    *,
    power: float = 0.8,
    vote: bool = False,
    spread: float = 1.0,
) -> int | None:
    """Samples per problem needed before any run, from the Jensen bound (module docstring).

    Args:
        p: Expected score in [0, 1] (the claimed value).
        problems: P.
        delta: Margin in [0, 1] units.
        n_pub: Publisher's samples per problem.
        power: Wanted power.
        vote: cons@64: the publisher's number is one vote per problem, variance ≤ p(1 − p)/P,
            and ours shrinks per 64-sample block.
        spread: E[p_i(1 − p_i)] as a share of p̄(1 − p̄): 1 is the bound, ``U_SHAPED`` the
            AIME-like assumption.

    Returns:
        Samples per problem, or None when no n is enough.
    """
    w = spread * bound_w(p, problems)
    if vote:
        blocks = samples_needed(w, w, delta, power)
        return None if blocks is None else 64 * blocks
    return samples_needed(w, w / n_pub, delta, power)
