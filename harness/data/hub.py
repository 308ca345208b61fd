"""Read a benchmark from the Hugging Face Hub at a pinned revision, through ``datasets``.

Each of ``hub_configs`` (or the default config when the list is empty) is built with
``datasets.load_dataset_builder(hub_id, name, revision=...)`` and the split is concatenated in
config order (AIME 2025: ``AIME2025-I`` then ``AIME2025-II``); this is what
``datasets.load_dataset`` does, with the builder kept so its data files can be hashed.

``source_sha256`` is the sha256 of the bytes of the split's data files as downloaded (parquet or
JSONL, in ``builder.config.data_files`` order, configs in order), so it changes exactly when the
hub files do. When ``datasets`` serves a prepared copy from its cache without data-file URLs
(offline mode), the Arrow cache files are hashed instead and ``extra["sha256_of"]`` says so.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from harness.data.errors import BenchmarkDataError
from harness.data.sources import RawData, sha256_files

log = logging.getLogger(__name__)


def _data_file_paths(builder: Any, split: str) -> list[str] | None:
    data_files = getattr(builder.config, "data_files", None)
    if not data_files or split not in data_files or builder.dl_manager is None:
        return None
    try:
        return list(builder.dl_manager.download(list(data_files[split])))
    except Exception:  # cache layout or offline mode: fall back to the Arrow cache
        return None


_COMMIT = re.compile(r"[0-9a-f]{40}")


def resolve_revision(hub_id: str, revision: str | None) -> str | None:
    """The commit sha a branch or tag name points to now (a 40-hex sha is returned as it is).

    So a config whose revision is not pinned yet still runs, and is recorded, at one exact
    commit. Returns None when the hub cannot be asked (offline); loading then uses the name.
    """
    if revision and _COMMIT.fullmatch(revision):
        return revision
    try:
        from huggingface_hub import HfApi

        sha = HfApi().dataset_info(hub_id, revision=revision or "main").sha
    except Exception:  # offline, gated or unknown: the load itself reports it clearly
        return None
    if sha:
        log.warning(
            "benchmark %s: revision %r is not pinned; using commit %s", hub_id, revision, sha
        )
    return sha


def read_hub(cfg: Any, cache_dir: str | None = None) -> RawData:
    """Download (or reuse the cached) split of ``cfg.hub_id`` at ``cfg.revision``.

    Args:
        cfg: The benchmark config.
        cache_dir: ``datasets`` cache directory; None for its default.

    Raises:
        BenchmarkDataError: The hub cannot be reached, or the dataset, config, split or revision
            does not exist or is gated.
    """
    import datasets

    revision = resolve_revision(cfg.hub_id, cfg.revision) or cfg.revision
    label = f"hub dataset {cfg.hub_id}@{revision}"
    configs = list(cfg.hub_configs) or [None]
    parts, files, sha256_of = [], [], "hub data files"
    for name in configs:
        try:
            builder = datasets.load_dataset_builder(
                cfg.hub_id, name=name, revision=revision, cache_dir=cache_dir
            )
            builder.download_and_prepare()
            parts.append(builder.as_dataset(split=cfg.split))
        except (ConnectionError, datasets.exceptions.DatasetNotFoundError) as err:
            raise BenchmarkDataError(
                f"Could not load {label} (config {name}, split {cfg.split}): {err}. "
                "Without access to the Hugging Face Hub, load a local copy with the same fields: "
                "benchmark.source=/path/to/file.jsonl (JSONL, JSON or CSV). With HF_HUB_OFFLINE=1 "
                "datasets reads only what is already in its cache."
            ) from err
        except (ValueError, KeyError) as err:  # unknown config or split
            raise BenchmarkDataError(
                f"Could not load {label} (config {name}, split {cfg.split}): {err}. "
                "Check benchmark.hub_configs and benchmark.split."
            ) from err
        paths = _data_file_paths(builder, cfg.split)
        if paths is None:
            paths, sha256_of = [f["filename"] for f in parts[-1].cache_files], "arrow cache files"
        files.extend(paths)
    dataset = parts[0] if len(parts) == 1 else datasets.concatenate_datasets(parts)
    extra = {"hub_id": cfg.hub_id, "revision": revision, "split": cfg.split}
    if revision != cfg.revision:
        extra["configured_revision"] = str(cfg.revision)
    extra.update(hub_configs=",".join(c for c in configs if c), sha256_of=sha256_of)
    return RawData(
        dataset=dataset,
        source=f"hf://{cfg.hub_id}@{revision}",
        label=label,
        sha256=sha256_files(files),
        extra=extra,
    )
