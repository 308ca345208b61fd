"""Report-wide multiplicity: Benjamini–Hochberg q-values across every claim's p-values.

One report tests about 85 value claims and 34 comparisons. Holm's correction inside claim groups
(``groups.py``) controls the error of each group; across the whole report the false discovery
rate is what a reader of many verdicts needs. Each claim's p_support (the one-sided test of the
claim) and p_refute (the test of its refutation) are two families, each of all claims that have
one; the BH q-value of the i-th smallest of m p-values is

    q_(i) = min_{j ≥ i} min(1, m · p_(j) / j)

(Benjamini & Hochberg 1995, J. R. Stat. Soc. B 57:289; the adjusted p-value form of Yekutieli &
Benjamini 1999). Rejecting every claim with q < 0.05 keeps the expected share of false
discoveries among them at most 5 % (for independent or positively dependent tests). Verdicts are
not changed: a supported or refuted verdict's reason says whether it survives at q < 0.05.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from harness.report.row import VerdictRow

Q_LEVEL = 0.05  # the conventional FDR level (Benjamini & Hochberg 1995)
SUPPORT = ("supported", "consistent with the cited numbers")
REFUTE = ("refuted", "contradicts the cited numbers")


def bh_qvalues(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order (module docstring)."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    q = np.empty(m)
    q[order] = q_sorted
    return [float(x) for x in q]


def _family(rows: Sequence[VerdictRow], key: str) -> dict[int, float]:
    where = [i for i, r in enumerate(rows) if r.kind != "group" and getattr(r, key) is not None]
    return dict(zip(where, bh_qvalues([float(getattr(rows[i], key)) for i in where]), strict=True))


def _text(q: float, m: int) -> str:
    survives = "survives" if q < Q_LEVEL else "does not survive"
    return f"report-wide BH q = {q:.3g} over {m} claims: {survives} at q < {Q_LEVEL:g}"


def with_qvalues(rows: Sequence[VerdictRow]) -> list[VerdictRow]:
    """``rows`` with ``q_support`` and ``q_refute`` filled, and the survival stated in the reason.

    Group rows carry none (their members do); rows without p-values are left as they are.
    """
    support, refute = _family(rows, "p_support"), _family(rows, "p_refute")
    out = []
    for i, row in enumerate(rows):
        if i not in support and i not in refute:
            out.append(row)
            continue
        q_s, q_r = support.get(i), refute.get(i)
        reason = row.reason
        if row.verdict in SUPPORT and q_s is not None:
            reason += f"; {_text(q_s, len(support))}"
        elif row.verdict in REFUTE and q_r is not None:
            reason += f"; {_text(q_r, len(refute))}"
        out.append(dataclasses.replace(row, q_support=q_s, q_refute=q_r, reason=reason))
    return out
