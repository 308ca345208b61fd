"""Where the dryrun finds its problems without a network: ``${harness_data:math500}``.

Resolves to the 5-problem copy bundled with the package (``harness/models/data/``, byte-exact first
lines of the benchmark file; see its ``SOURCES.md``), so ``harness-eval experiment=dryrun`` runs
from any directory, in any clone and from an installed wheel, and records the same data sha256
everywhere.
"""

from __future__ import annotations

from omegaconf import OmegaConf

from harness.models.tiny import bundled_problems_file


def bundled(name: str) -> str:
    """Absolute path of the bundled copy of benchmark ``name`` (``math500`` or ``aime24``)."""
    path = bundled_problems_file(name)
    if not path.is_file():
        raise FileNotFoundError(
            f"no bundled copy of {name!r} at {path}: the dryrun bundles math500 and aime24; "
            "set benchmark.source=FILE for another benchmark"
        )
    return str(path)


def dryrun_source(benchmark: str) -> str:
    """The dryrun's data for ``benchmark``: a bundled probe set, else MATH-500 as before."""
    from harness.data.probes import PROBE_SETS, probe_file

    return probe_file(benchmark) if benchmark in PROBE_SETS else bundled("math500")


def register_resolvers() -> None:
    """Register ``harness_data``, ``harness_dryrun_data`` and ``harness_probes`` (idempotent)."""
    from harness.data.probes import probe_file

    for name, fn in (
        ("harness_data", bundled),
        ("harness_dryrun_data", dryrun_source),
        ("harness_probes", probe_file),
    ):
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, fn)
