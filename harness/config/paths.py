"""Where the Hydra configs live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def config_dir() -> Path:
    """Return the configs folder: the repo's ``configs/`` in a checkout, else the packaged copy.

    Returns:
        Absolute path of the folder holding ``config.yaml``.
    """
    for candidate in (_PACKAGE.parent / "configs", _PACKAGE / "_configs"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError(
        f"no configs/config.yaml next to {_PACKAGE}; reinstall r1-harness (pip install -e .)"
    )


def repo_root() -> Path:
    """Return the folder above the ``harness`` package (the checkout root when run from one)."""
    return _PACKAGE.parent
