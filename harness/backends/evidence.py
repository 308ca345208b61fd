"""``evidence=<name>``: a publisher's per-sample data set on the hub, replayed as a run.

The entry (``configs/evidence/``) names the data set, its revision, the files to fetch, the rows to
keep (``select``: column → value, e.g. one model's rows of a MathArena outputs data set) and the
log format. ``local_file`` downloads the files through ``huggingface_hub.snapshot_download`` at
the revision, keeps the selected rows and writes them as JSON Lines under
``<results_dir>/evidence/<name>@<commit>.jsonl`` (the commit the revision resolved to; the run's
provenance records that path and its sha256); the replay backend then reads that file in the
entry's format. Where the hub cannot be reached the run stops at once with one line naming the
entry and ``backend.path=`` (a copy of the data set downloaded elsewhere) as the way on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.errors import HarnessError


class EvidenceError(HarnessError):
    """An evidence data set cannot be fetched or holds no selected rows."""


def select_rows(files: Sequence[Path], select: Mapping[str, Any], out: Path) -> Path:
    """Write the rows of ``files`` (parquet or JSONL) whose columns equal ``select`` to ``out``.

    Raises:
        EvidenceError: No row is selected (names the files and the selection).
    """
    from harness.backends.importers.tool_rows import table_rows

    kept = [
        rec
        for path in files
        for _, rec in table_rows(path)
        if all(rec.get(k) == v for k, v in select.items())
    ]
    if not kept:
        names = ", ".join(p.name for p in files) or "no files"
        raise EvidenceError(f"{names}: no row has {dict(select)}; check the entry's select")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for rec in kept:
            handle.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    return out


def local_file(entry: Any, results_dir: str) -> Path:
    """Download ``entry`` at its revision and return the file the replay backend reads.

    Raises:
        EvidenceError: The hub is unreachable or the files are missing (one line, with the fix).
    """
    from huggingface_hub import snapshot_download

    where = f"evidence={entry.name} ({entry.hub_id}@{entry.revision})"
    try:
        folder = Path(
            snapshot_download(
                repo_id=entry.hub_id,
                repo_type="dataset",
                revision=entry.revision,
                allow_patterns=list(entry.files) or None,
                etag_timeout=10,  # seconds; fail fast where the hub is unreachable
            )
        )
    except Exception as exc:  # offline, unknown repository or revision: one line, the way on
        raise EvidenceError(
            f"{where}: cannot download ({type(exc).__name__}: {str(exc).splitlines()[0][:160]}); "
            f"download it where the hub is reachable and pass backend.path=FILE "
            f"(backend.format={entry.format})"
        ) from None
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix in (".parquet", ".jsonl")
    )
    if not files:
        raise EvidenceError(f"{where}: the download holds no parquet or JSONL file")
    if entry.format == "lighteval":  # one details parquet is read as it is
        return files[0]
    commit = folder.name  # huggingface_hub's snapshots/<commit>/: the revision as resolved
    out = Path(results_dir) / "evidence" / f"{entry.name}@{commit[:12]}.jsonl"
    return select_rows(files, dict(entry.select), out)
