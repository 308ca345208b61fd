"""Memory measurements as evidence for resource claims.

Two sources, both measured serving one sequence at a known context and dtype:

- a run's metrics.json ``memory_measurements`` entries ({context_tokens, dtype, peak_gib,
  method});
- measurement files written by ``benchmarks/bench_memory_gpu.py`` (``{"meta": {...}, "rows":
  [...]}``; the checkout keeps the H200 measurements in ``benchmarks/data/memory_gpu_*.json``).
  Only rows with a pre-allocated (``static``) KV cache count, as a serving engine allocates it;
  the evidence is the device total, PyTorch's reserved peak plus the CUDA context
  (``benchmarks/RESULTS_memory_gpu.md``).

A measurement at the claim's own context decides either way; one at a longer context can only
support a "fits in X GiB" claim (memory grows with context), never refute it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.config.paths import repo_root
from harness.report.runs import ReportInputError


@dataclass(frozen=True)
class MemoryMeasurement:
    """Peak device memory serving one sequence.

    Attributes:
        model: Model config name.
        dtype: Weights and KV-cache dtype.
        context_tokens: Tokens held in the KV cache at the peak.
        peak_gib: Device memory needed, GiB (2³⁰ bytes).
        method: How it was measured, in words.
        source: The file or run it comes from.
    """

    model: str
    dtype: str
    context_tokens: int
    peak_gib: float
    method: str
    source: str


def default_memory_files() -> list[Path]:
    """The measurement files kept in the checkout (``benchmarks/data/memory_gpu_*.json``)."""
    return sorted((repo_root() / "benchmarks" / "data").glob("memory_gpu_*.json"))


def load_memory_files(paths: Iterable[Path]) -> list[MemoryMeasurement]:
    """Read ``bench_memory_gpu.py`` result files; static-KV rows only.

    Raises:
        ReportInputError: A file that is missing, not JSON or not in that format, naming it.
    """
    out: list[MemoryMeasurement] = []
    for path in paths:
        path = Path(path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            meta, rows = doc["meta"], doc["rows"]
            gpu = f"{meta['gpu']}, torch {meta['torch']}, transformers {meta['transformers']}"
            for row in rows:
                if "error" in row or row.get("kv_cache") != "static":
                    continue
                out.append(
                    MemoryMeasurement(
                        model=str(row["model"]),
                        dtype=str(row["dtype"]),
                        context_tokens=int(row["context_tokens"]),
                        peak_gib=float(row["serving_total_gib"]),
                        method=(
                            f"measured on {gpu}: static KV cache, reserved "
                            f"{row['decode_peak_reserved_gib']:.2f} + CUDA context "
                            f"{row['cuda_context_gib']:.2f} GiB"
                        ),
                        source=str(path),
                    )
                )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ReportInputError(
                f"{path}: not a bench_memory_gpu.py result file ({type(exc).__name__}: {exc}); "
                "pass --memory FILE written by benchmarks/bench_memory_gpu.py --out"
            ) from exc
    return out


def from_run(model: str, run_id: str, entries: Sequence[dict]) -> list[MemoryMeasurement]:
    """A run's metrics.json ``memory_measurements`` entries as measurements."""
    return [
        MemoryMeasurement(
            model=model,
            dtype=str(e.get("dtype")),
            context_tokens=int(e.get("context_tokens", 0)),
            peak_gib=float(e["peak_gib"]),
            method=str(e.get("method", "run measurement")),
            source=run_id,
        )
        for e in entries
        if "peak_gib" in e
    ]


def evidence(
    found: Sequence[MemoryMeasurement], model: str, dtype: str, context: int, bound: float
) -> tuple[str, MemoryMeasurement] | None:
    """The verdict a set of measurements gives "``model`` fits in ``bound`` GiB", and its basis.

    Returns:
        ("supported" | "refuted", the measurement that decides), or None when no measurement
        of this model at this dtype covers the context.
    """
    mine = [m for m in found if m.model == model and m.dtype == dtype]
    exact = [m for m in mine if m.context_tokens == context]
    if exact:
        worst = max(exact, key=lambda m: m.peak_gib)
        return ("supported" if worst.peak_gib <= bound else "refuted"), worst
    longer = [m for m in mine if m.context_tokens > context and m.peak_gib <= bound]
    if longer:
        return "supported", min(longer, key=lambda m: m.context_tokens)
    return None
