"""Plain names: what a value becomes before it is used as one path component.

Kept apart from ``run_dir`` (which refuses a name that is not plain) so that ``model_origin``,
whose resolver ``run_dir`` registers, uses it without importing ``run_dir`` back.
"""

from __future__ import annotations

import re

MAX_NAME_CHARS = 200  # file names are limited to 255 bytes; leave room for prefixes
UNSAFE = re.compile(r"[/\\\s\x00-\x1f]+")  # path separators, whitespace, control characters


def plain_name(value: object) -> str:
    """``value`` made a plain name: path separators and whitespace become ``-``, ``..`` → ``.``.

    Used by the ``${harness_name:…}`` resolver for names that enter default paths
    (``model.name=org/name`` gives ``org-name``).
    """
    text = UNSAFE.sub("-", str(value))
    while ".." in text:
        text = text.replace("..", ".")
    text = text.strip(".-") or "unnamed"
    return text[:MAX_NAME_CHARS]
