"""Table rows of the report as plain strings, shared by report.md and the W&B report run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from harness.report.pooling import Cell
from harness.report.rules import fmt, fmt_ci
from harness.report.runs import Run
from harness.report.verdicts import VerdictRow

MISSING = "—"


def value_ci(entry: dict[str, Any] | None) -> str:
    """``83.2 [81.0, 85.3] fixed set [82.4, 84.0]`` from a metrics.json entry, ``—`` if absent.

    The first interval resamples problems (generalisation), the second holds them fixed.
    """
    if not entry:
        return MISSING
    text = f"{fmt(entry['value'])} {fmt_ci(tuple(entry['ci95']))}"
    if entry.get("ci95_fixed_set"):
        text += f" fixed set {fmt_ci(tuple(entry['ci95_fixed_set']))}"
    return text


def pct(x: float | None) -> str:
    """A share in percent with one decimal, ``—`` when unknown."""
    return MISSING if x is None else f"{x:.1f} %"


def get(obj: Any, *path: str) -> Any:
    """``obj[path[0]][path[1]]…``, None when any key is absent."""
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def first(*values: Any) -> str:
    """The first value that is not None, as text, else ``—``."""
    for v in values:
        if v is not None and v != "":
            return str(v)
    return MISSING


def short(sha: Any) -> str:
    """First 12 hex digits of a sha, ``—`` when absent."""
    return MISSING if not sha else str(sha)[:12]


RESULT_HEADERS = [
    "model",
    "benchmark",
    "runs",
    "P",
    "n",
    "pass@1 [95 % CI]",
    "cons@n [95 % CI]",
    "pass@n [95 % CI]",
    "truncated",
    "no answer",
    "unclosed / missed / looping",
    "grader disagreement",
    "mean length",
    "notes",
]


COUNTS = ("unclosed_reasoning", "answer_missed", "looping")


def cell_counts(cell: Cell) -> str:
    """Unclosed reasoning, missed answers and loops of a cell's runs, summed (counts, not %).

    The runs' own ``metrics.json["responses"]`` (``harness.metrics.counts``); a run written
    before they were counted leaves the cell's counts unknown rather than too low.
    """
    found = [run.metrics.get("responses") for run in cell.runs]
    if not found or any(not isinstance(r, dict) for r in found):
        return MISSING
    parts = []
    for key in COUNTS:
        values = [r.get(key) for r in found]
        parts.append(MISSING if any(v is None for v in values) else str(sum(values)))
    return " / ".join(parts) + f" of {sum(int(r.get('samples', 0)) for r in found)}"


def result_rows(cells: Sequence[Cell]) -> list[list[str]]:
    """One row per cell: every number next to the truncation and grader rates that affect it."""
    rows = []
    for c in cells:
        m = c.summary["metrics"]
        n = c.n_samples
        length = c.summary.get("mean_response_length")
        unit = c.summary.get("response_length_unit") or ""
        rows.append(
            [
                c.model,
                c.benchmark,
                str(len(c.runs)),
                str(c.n_problems),
                str(n),
                value_ci(m.get("pass@1")),
                f"cons@{n} " + value_ci(m.get(f"cons@{n}")),
                f"pass@{n} " + value_ci(m.get(f"pass@{n}")),
                pct(c.summary.get("truncated_pct")),
                pct(c.summary.get("no_answer_pct")),
                cell_counts(c),
                pct(100.0 * float(c.samples.disagree.mean())),
                MISSING if length is None else f"{length:.0f} {unit}",
                "; ".join(c.notes) or MISSING,
            ]
        )
    return rows


def pivot(cells: Sequence[Cell]) -> tuple[list[str], list[list[str]]]:
    """Models × benchmarks: pass@1 [95 % CI] (P problems, n samples, k=1) per cell."""
    benches = sorted({c.benchmark for c in cells})
    rows = []
    for model in sorted({c.model for c in cells}):
        row = [model]
        for bench in benches:
            found = [c for c in cells if c.model == model and c.benchmark == bench]
            row.append(
                "<br>".join(
                    f"{value_ci(c.summary['metrics']['pass@1'])} "
                    f"(P={c.n_problems}, n={c.n_samples}, k=1)"
                    for c in found
                )
                or MISSING
            )
        rows.append(row)
    return ["model", *benches], rows


SPREAD_HEADERS = [
    "model",
    "benchmark",
    "runs",
    "per-run pass@1",
    "min–max",
    "SD",
    "pooled pass@1",
    "pooled n",
]


def spread_rows(cells: Sequence[Cell]) -> list[list[str]]:
    """Pooled cells: each run's pass@1, their range and SD, and the pooled value."""
    rows = []
    for c in cells:
        if len(c.runs) < 2:
            continue
        per = c.run_pass1()
        rows.append(
            [
                c.model,
                c.benchmark,
                ", ".join(r.run_id for r in c.runs),
                ", ".join(fmt(v) for v in per),
                f"{fmt(min(per))}–{fmt(max(per))}",
                fmt(statistics.stdev(per)),
                value_ci(c.summary["metrics"]["pass@1"]),
                " + ".join(str(r.n_samples) for r in c.runs) + f" = {c.n_samples}",
            ]
        )
    return rows


CLAIM_HEADERS = [
    "claim",
    "claimed",
    "measured",
    "D [90 % CI] [95 % CI]",
    "δ",
    "n / n_pub",
    "generalisation 95 % CI of D",
    "MDD",
    "p / BH q (support; refute)",
    "verdict",
    "reason",
    "source",
]


def _p(x: float | None) -> str:
    return MISSING if x is None else f"{x:.2g}"


def _pq(r: VerdictRow) -> str:
    """``p/q; p/q`` of support and refutation (report/multiplicity.py), or a dash."""
    if r.p_support is None and r.p_refute is None:
        return MISSING
    return f"{_p(r.p_support)}/{_p(r.q_support)}; {_p(r.p_refute)}/{_p(r.q_refute)}"


def claim_rows(rows: Sequence[VerdictRow]) -> list[list[str]]:
    """The claims table: every verdict with D, its intervals, δ, n, n_pub and the MDD."""
    out = []
    for r in rows:
        claimed = fmt(r.claimed) if isinstance(r.claimed, int | float) else first(r.claimed)
        measured = MISSING if r.measured is None else fmt(r.measured)
        if r.kind == "trend" and r.ci95 is not None:
            measured += f" {fmt_ci(r.ci95)}"
        d = MISSING
        if r.d is not None and r.ci90 is not None and r.ci95 is not None:
            d = f"{fmt(r.d)} {fmt_ci(r.ci90)} {fmt_ci(r.ci95)}"
        verdict = f"**{r.verdict}**" + (" (UNSTABLE)" if r.unstable else "")
        out.append(
            [
                f"`{r.claim_id}`",
                claimed,
                measured,
                d,
                MISSING if r.delta is None else f"{r.delta:.2f}",
                f"{first(r.n)} / {first(r.n_pub)}",
                MISSING if r.ci95_generalisation is None else fmt_ci(r.ci95_generalisation),
                MISSING if r.mdd is None else fmt(r.mdd),
                _pq(r),
                verdict,
                r.reason,
                r.source,
            ]
        )
    return out


PROVENANCE_HEADERS = [
    "run",
    "model",
    "benchmark",
    "model revision",
    "tokenizer revision",
    "data sha256",
    "problems sha256",
    "engine",
    "TP",
    "dtype",
    "sampling (T, top-p, max new, n, seed)",
    "git",
    "graders",
    "created",
]


def provenance_rows(runs: Sequence[Run]) -> list[list[str]]:
    """What provenance.json and config.yaml hold for each run; absent keys are ``—``."""
    out = []
    for r in runs:
        p, c = r.provenance, r.config
        backend = get(p, "backend") or {}
        git = get(p, "git") or {}
        sha = short(git.get("sha")) + (" (dirty)" if git.get("dirty") else "")
        graders = ", ".join(f"{k} {v}" for k, v in (get(p, "graders") or {}).items())
        out.append(
            [
                r.run_id,
                r.model,
                r.benchmark,
                first(get(p, "model", "revision"), get(c, "model", "revision")),
                first(get(c, "model", "tokenizer_revision")),
                short(get(p, "data", "source_sha256")),
                short(r.problems_sha256),
                first(
                    " ".join(
                        str(x) for x in (backend.get("name"), backend.get("engine_version")) if x
                    )
                ),
                first(
                    backend.get("layout_tensor_parallel_size"),
                    backend.get("tensor_parallel_size"),
                    get(c, "backend", "tensor_parallel_size"),
                ),
                first(backend.get("dtype"), get(c, "model", "dtype")),
                f"{first(r.temperature)}, {first(r.top_p)}, {first(r.max_new_tokens)}, "
                f"{r.n_samples}, {first(r.sampling_seed)}",
                sha if git.get("sha") else MISSING,
                graders or MISSING,
                first(p.get("created_utc")),
            ]
        )
    return out


ACCOUNTING_HEADERS = [
    "run",
    "model",
    "benchmark",
    "generated tokens",
    "tokens/s",
    "GPUs",
    "GPU-hours",
    "peak memory (GiB)",
    "est. cost (USD)",
    "reused samples",
]


def accounting_rows(runs: Sequence[Run]) -> list[list[str]]:
    """What each run spent (metrics.json ``accounting`` and ``generation``); absent is ``—``."""
    out = []
    for r in runs:
        acc = r.metrics.get("accounting") or {}
        gen = r.metrics.get("generation") or {}
        gpus = acc.get("gpus")
        gpu = f"{gpus} × {acc['gpu_type']}" if gpus and acc.get("gpu_type") else gpus
        out.append(
            [
                r.run_id,
                r.model,
                r.benchmark,
                first(acc.get("generated_tokens")),
                first(acc.get("tokens_per_s")),
                first(gpu),
                first(acc.get("gpu_hours")),
                first(acc.get("peak_accelerator_memory_gib")),
                first(acc.get("estimated_cost_usd")),
                first(gen.get("reused_samples")),
            ]
        )
    return out
