"""Compare a cell's logged sampling with the protocol a claim's source states.

Policy (documented in the README's report section):

- temperature, top-p or max new tokens differ: the run samples a different distribution, so it
  does not measure the claimed quantity. The difference is flagged and caps a verdict at
  ``inconclusive``.
- n (samples per problem) outside what the source states: flagged only. pass@1 is the mean
  correctness per problem, unbiased for any n, and the bootstrap interval already reflects the
  n used; metrics whose name carries k (cons@64) are simply absent when n differs. With
  ``strict=True`` (``--strict-protocol``) an n difference caps the verdict as well.

A protocol field the source does not state (None) is never a mismatch and never caps; it is
flagged ("temperature not stated by r1_paper_baseline"), since the comparison then rests on an
assumption about the other side's settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.claims import Protocol
from harness.report.pooling import Cell


@dataclass(frozen=True)
class ProtocolCheck:
    """Differences between a cell and a protocol.

    Attributes:
        capping: Differences that cap the verdict at inconclusive.
        flags: Differences shown in the reason only.
    """

    capping: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        """Every difference."""
        return self.capping + self.flags

    def text(self) -> str:
        """``"protocol differs: n=4 vs 64; temperature 0.0 vs 0.6"`` or ``""``."""
        return f"protocol differs: {'; '.join(self.all)}" if self.all else ""


def _n_text(n: int, lo: int | None, hi: int | None) -> str | None:
    if lo is not None and n < lo or hi is not None and n > hi:
        stated = str(lo) if lo == hi else f"{lo or '?'}–{hi or '?'}"
        return f"n={n} vs {stated}"
    return None


def check_protocol(cell: Cell, protocol: Protocol | None, *, strict: bool = False) -> ProtocolCheck:
    """Differences between the cell's sampling and ``protocol`` (None: nothing to compare)."""
    if protocol is None:
        return ProtocolCheck()
    run = cell.sampling
    capping = [
        f"{name} {got} vs {want}"
        for name, got, want in (
            ("temperature", run.temperature, protocol.temperature),
            ("top_p", run.top_p, protocol.top_p),
            ("max_new_tokens", run.max_new_tokens, protocol.max_new_tokens),
        )
        if want is not None and got is not None and float(got) != float(want)
    ]
    unset = [
        name
        for name, want in (
            ("temperature", protocol.temperature),
            ("top_p", protocol.top_p),
            ("max_new_tokens", protocol.max_new_tokens),
        )
        if want is None
    ]
    flags = [f"{', '.join(unset)} not stated by {protocol.id}"] if unset else []
    n_diff = _n_text(cell.n_samples, *protocol.samples_for(cell.benchmark))
    if n_diff:
        (capping if strict else flags).append(n_diff)
    return ProtocolCheck(capping=tuple(capping), flags=tuple(flags))
