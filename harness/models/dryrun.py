"""Where the dryrun finds its problems without a network: ``${harness_data:math500}``.

Resolves to ``../shared/benchmarks/<name>/test.jsonl`` beside the checkout when it exists (the
project's own machines), else to the bundled 5-problem copy (``harness/models/data/``), so
``harness-eval experiment=dryrun`` runs from any directory and in a clone without ``../shared``.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from harness.config.paths import repo_root
from harness.models.tiny import bundled_problems_file


def shared_or_bundled(name: str) -> str:
    """Absolute path of the ``../shared`` copy of benchmark ``name``, else the bundled copy."""
    shared = repo_root().parent / "shared" / "benchmarks" / name / "test.jsonl"
    if shared.is_file():
        return str(shared)
    bundled = bundled_problems_file(name)
    if not bundled.is_file():
        raise FileNotFoundError(f"no local copy of {name}: neither {shared} nor {bundled}")
    return str(Path(bundled))


def dryrun_source(benchmark: str) -> str:
    """The dryrun's data for ``benchmark``: a bundled probe set, else MATH-500 as before."""
    from harness.data.probes import PROBE_SETS, probe_file

    return probe_file(benchmark) if benchmark in PROBE_SETS else shared_or_bundled("math500")


def register_resolvers() -> None:
    """Register ``harness_data``, ``harness_dryrun_data`` and ``harness_probes`` (idempotent)."""
    from harness.data.probes import probe_file

    for name, fn in (
        ("harness_data", shared_or_bundled),
        ("harness_dryrun_data", dryrun_source),
        ("harness_probes", probe_file),
    ):
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, fn)
