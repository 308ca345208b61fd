"""Read a benchmark's rows from a local file through ``datasets``, checking the file first.

Local files may be JSON Lines (``.jsonl``, or ``.json`` holding JSON Lines as evalchemy's do), a
JSON array (``.json``, as rllm's), or CSV (``.csv``; every column read as text, empty cells as "").
``source_sha256`` is the sha256 of the file's bytes. Without an explicit ``cache_dir`` the rows
are built in a temporary ``datasets`` cache and held in memory (benchmark files are small), so no
Arrow copy of the data is left in ``~/.cache``.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from harness.data.errors import BenchmarkDataError

FORMATS = {".jsonl": "json", ".json": "json", ".csv": "csv"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RawData:
    """Rows as read, with where they came from.

    Attributes:
        dataset: A ``datasets.Dataset``.
        source: Absolute file path or "hf://<id>@<revision>".
        label: How error messages name the source.
        sha256: sha256 of the source bytes (see the module docstrings).
        extra: Facts to record in ``DatasetInfo.extra``.
    """

    dataset: object
    source: str
    label: str
    sha256: str
    extra: dict[str, str] = field(default_factory=dict)


def sha256_files(paths: list[str | Path]) -> str:
    """sha256 over the bytes of the files, concatenated in the given order."""
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def _csv_features(path: Path):  # -> datasets.Features
    import datasets

    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), [])
    return datasets.Features({name: datasets.Value("string") for name in header})


def read_local(path_text: str, cache_dir: str | None = None) -> RawData:
    """Load a local JSONL/JSON/CSV file as a ``datasets.Dataset``.

    Args:
        path_text: The file (``benchmark.source``).
        cache_dir: ``datasets`` cache directory; None for its default.

    Raises:
        BenchmarkDataError: The file is missing, empty, of another type, or unparsable.
    """
    path = Path(path_text).expanduser().resolve()
    label = f"benchmark file {path}"
    if not path.is_file():
        raise BenchmarkDataError(
            f"{label} does not exist. Set benchmark.source to an existing JSONL/JSON/CSV file, "
            "or to null to load the dataset from the Hugging Face Hub."
        )
    builder = FORMATS.get(path.suffix.lower())
    if builder is None:
        raise BenchmarkDataError(
            f"{label} is not a .jsonl, .json or .csv file. Convert it to JSON Lines (one object "
            "per line with the problem and answer fields) and set benchmark.source to it."
        )
    with path.open("rb") as fh:
        if not fh.read(_CHUNK).strip():
            raise BenchmarkDataError(f"{label} is empty. Point benchmark.source at the data file.")
    import datasets

    kwargs: dict = {"data_files": str(path), "split": "train"}
    if builder == "csv":
        kwargs.update(features=_csv_features(path), na_filter=False)
    try:
        if cache_dir is not None:
            dataset = datasets.load_dataset(builder, cache_dir=cache_dir, **kwargs)
        else:  # no Arrow copy left behind (GPQA must not linger in plain text in ~/.cache)
            with tempfile.TemporaryDirectory(prefix="harness-data-") as tmp:
                dataset = datasets.load_dataset(
                    builder, cache_dir=tmp, keep_in_memory=True, **kwargs
                )
    except Exception as err:  # datasets wraps parser errors in several classes
        if "corresponds to no data" in str(err):  # a CSV header with no rows
            raise BenchmarkDataError(
                f"{label} holds no rows. Point benchmark.source at the data."
            ) from err
        kind = "CSV" if builder == "csv" else "JSON Lines or a JSON array of objects"
        raise BenchmarkDataError(
            f"{label} could not be parsed as {kind}: {type(err).__name__}: {err}. "
            "Fix the file or set benchmark.source to a valid copy."
        ) from err
    if len(dataset) == 0:
        raise BenchmarkDataError(f"{label} holds no rows. Point benchmark.source at the data.")
    return RawData(
        dataset=dataset,
        source=str(path),
        label=label,
        sha256=sha256_files([path]),
        extra={"format": builder},
    )
