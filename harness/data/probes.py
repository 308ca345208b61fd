"""The bundled behaviour probe sets (``harness/data/probe_sets/``, README there).

``${harness_probes:sensitive}`` in a benchmark config resolves to the absolute path of
``probe_sets/sensitive.jsonl``, so the probes load from any working directory with no network.
"""

from __future__ import annotations

from pathlib import Path

PROBES_DIR = Path(__file__).resolve().parent / "probe_sets"
PROBE_SETS = {"probes_sensitive": "sensitive", "probes_identity": "identity"}
"""Benchmark config name → file stem under ``PROBES_DIR``."""


def probe_file(name: str) -> str:
    """Absolute path of a bundled probe set, by file stem or benchmark name.

    Raises:
        FileNotFoundError: No such probe set; the message lists the available ones.
    """
    path = PROBES_DIR / f"{PROBE_SETS.get(name, name)}.jsonl"
    if not path.is_file():
        have = ", ".join(sorted(p.stem for p in PROBES_DIR.glob("*.jsonl")))
        raise FileNotFoundError(f"no probe set {name!r} in {PROBES_DIR}; available: {have}")
    return str(path)
