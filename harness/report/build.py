"""Build a report: load runs → pool cells → judge claims → write verdicts.json, report.md, PNGs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.claims import load_claims, load_groups, load_margins, load_protocols
from harness.config.paths import repo_root
from harness.report.behaviour import behaviour_verdicts, is_behaviour_run
from harness.report.behaviour_table import behaviour_section
from harness.report.lengths import LENGTH_HEADERS, length_rows
from harness.report.markdown import md_table, render
from harness.report.multiplicity import with_qvalues
from harness.report.plots import Figure, write_figures
from harness.report.pooling import Cell, build_cells
from harness.report.published import is_reproduction, published_section
from harness.report.runs import ReportInputError, Run, load_runs
from harness.report.scaling import scaling_figures
from harness.report.verdicts import Settings, VerdictRow, judge_all
from harness.store.publish import publish

VERDICTS = "verdicts.json"
REPORT = "report.md"


@dataclass(frozen=True)
class Report:
    """What a report build produced."""

    out: Path
    runs: tuple[Run, ...]
    cells: tuple[Cell, ...]
    rows: tuple[VerdictRow, ...]
    figures: tuple[Figure, ...]
    warnings: tuple[str, ...]


def default_seeds() -> Path:
    """``seeds/`` of the checkout."""
    return repo_root() / "seeds"


def build_report(
    inputs: Sequence[Path],
    out: Path,
    *,
    settings: Settings | None = None,
    seeds: Path | None = None,
    skip_incomplete: bool = False,
    plots: bool = True,
) -> Report:
    """Write the report for the runs under ``inputs`` into ``out``.

    Args:
        inputs: Run directories, results folders or multirun folders.
        out: Output folder, replaced whole under a lock (``harness/store/publish.py``).
        settings: Verdict settings; defaults as documented in ``rules.py``.
        seeds: Claims registry folder; default the checkout's ``seeds/``.
        skip_incomplete: Leave out run directories without metrics.json/samples.jsonl.
        plots: Write the PNG figures.

    Returns:
        The report's parts.

    Raises:
        ReportInputError: No runs, an incomplete run, or no claims registry.
    """
    settings = settings or Settings()
    seeds = Path(seeds) if seeds else default_seeds()
    if not (seeds / "protocols.yaml").is_file():
        raise ReportInputError(
            f"no claims registry at {seeds} (seeds/protocols.yaml); pass --seeds DIR pointing "
            "at the checkout's seeds/ folder"
        )
    runs, warnings = load_runs(inputs, skip_incomplete=skip_incomplete)
    probes = [r for r in runs if is_behaviour_run(r)]  # behaviour probes: report/behaviour.py
    runs = [r for r in runs if not is_behaviour_run(r)]
    cells = build_cells(
        runs, resamples=settings.resamples, seed=settings.seed, confidence=settings.confidence
    )
    claims = load_claims(seeds)
    margins = load_margins(seeds)  # a claim without one is "not measured", saying so
    groups = load_groups(seeds, claims)
    protocols = load_protocols(seeds)
    rows = judge_all(cells, claims, protocols, settings, margins, groups)
    rows = with_qvalues(behaviour_verdicts(rows, claims, probes, margins))
    reproductions = {c.id for c in claims if is_reproduction(c)}  # their own section below
    shown = [r for r in rows if r.claim_id not in reproductions]
    published = published_section(claims, rows, cells, protocols, md_table)
    with publish(out) as folder:  # locked; replaces the old folder whole (store/publish.py)
        figures = _write(
            folder, inputs, cells, runs, probes, rows, settings, warnings, plots, (shown, published)
        )
    runs += probes
    return Report(out, tuple(runs), tuple(cells), tuple(rows), tuple(figures), tuple(warnings))


def _write(
    out: Path,
    inputs: Sequence[Path],
    cells: list[Cell],
    runs: list[Run],
    probes: list[Run],
    rows: list[VerdictRow],
    settings: Settings,
    warnings: list[str],
    plots: bool,
    claims_md: tuple[list[VerdictRow], str],
) -> list[Figure]:
    """Write verdicts.json, report.md and the figures into ``out``; return the figures.

    ``claims_md``: the rows of report.md's Claims table (reproductions left out) and the
    "Published numbers" section that shows the reproductions instead.
    """
    figures = write_figures(cells, rows, out, settings) if plots else []
    figures += scaling_figures(cells, runs, out) if plots else []
    payload = {
        "settings": {
            "strict_protocol": settings.strict_protocol,
            "fixed_set": {
                "target": "the benchmark's problems, only the samples random (Miller 2024)",
                "value_claims": "TOST at the margin of seeds/margins.yaml (Schuirmann 1987)",
                "groups": "Holm 1979 over member p-values",
                "report_wide": "Benjamini–Hochberg 1995 q-values over all claims (q_support, "
                "q_refute); verdicts unchanged, the reason says whether each survives q < 0.05",
                "confidence": {"support": 0.90, "refute": 0.95},
            },
            "bootstrap": {
                "resamples": settings.resamples,
                "seed": settings.seed,
                "confidence": settings.confidence,
                "unit": "problem",
                "interval": "percentile",
                "used_for": "ci95_generalisation",
            },
        },
        "runs": [str(r.path) for r in runs + probes],
        "verdicts": [r.to_json() for r in rows],
    }
    (out / VERDICTS).write_text(
        json.dumps(payload, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
        errors="backslashreplace",  # a lone surrogate from a response: its JSON escape
    )
    shown, published = claims_md
    text = render(
        cells, runs, shown, figures, settings, inputs=[str(i) for i in inputs], warnings=warnings
    )
    text += published
    text += behaviour_section(probes)
    (out / REPORT).write_text(text, encoding="utf-8", errors="backslashreplace")
    return figures


def tracking_payload(
    report: Report,
) -> tuple[dict[str, tuple[list[str], list[list[str]]]], list[tuple[str, Path]], dict[str, int]]:
    """The report's tables, figures and verdict counts, as ``tracking.report_run`` logs them."""
    from harness.report.tables import (
        CLAIM_HEADERS,
        PROVENANCE_HEADERS,
        RESULT_HEADERS,
        SPREAD_HEADERS,
        claim_rows,
        provenance_rows,
        result_rows,
        spread_rows,
    )

    tables = {
        "results": (RESULT_HEADERS, result_rows(report.cells)),
        "spread": (SPREAD_HEADERS, spread_rows(report.cells)),
        "claims": (["claim", "kind", *CLAIM_HEADERS[1:]], _claim_table(report.rows, claim_rows)),
        "provenance": (PROVENANCE_HEADERS, provenance_rows(report.runs)),
        "length_vs_correctness": (LENGTH_HEADERS, length_rows(report.cells)),
    }
    images = [(f"figures/{Path(f.file).stem}", report.out / f.file) for f in report.figures]
    counts: dict[str, int] = {}
    for row in report.rows:
        counts[f"verdicts/{row.verdict}"] = counts.get(f"verdicts/{row.verdict}", 0) + 1
    return tables, images, counts


def _claim_table(rows: Sequence[VerdictRow], claim_rows) -> list[list[str]]:  # noqa: ANN001
    return [
        [r.claim_id, r.kind, *cells[1:]] for r, cells in zip(rows, claim_rows(rows), strict=True)
    ]
