"""Multiple-choice items (GPQA-Diamond): seeded option shuffling and the lettered question.

GPQA's CSV (``Idavidrein/gpqa``, config ``gpqa_diamond``) stores the correct answer and three
incorrect ones in separate columns with no fixed order, so the harness presents them in an order
it chooses and records the seed (docs/data.md §6). The permutation of each item
comes from its own RNG seeded with sha256("<shuffle_seed>:<problem id>"), so an item's order does
not depend on row order, on ``limit``, or on ``PYTHONHASHSEED``; changing ``shuffle_seed`` changes
every item's order. The question layout follows simple-evals' ``gpqa_eval.py``
(question, a blank line, then one "A) ..." line per option).
"""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Sequence

LETTERS = string.ascii_uppercase


def option_rng(shuffle_seed: int, problem_id: str) -> random.Random:
    """Return the RNG that orders the options of one item.

    Args:
        shuffle_seed: The benchmark's ``shuffle_seed`` (recorded in ``DatasetInfo.extra``).
        problem_id: The item's id (GPQA ``Record ID``).
    """
    digest = hashlib.sha256(f"{shuffle_seed}:{problem_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def shuffle_options(
    options: Sequence[str], shuffle_seed: int, problem_id: str
) -> tuple[tuple[str, ...], str]:
    """Shuffle an item's options, the correct one given first.

    Args:
        options: Option texts with the correct option at index 0.
        shuffle_seed: The benchmark's shuffle seed.
        problem_id: The item's id.

    Returns:
        The options in presented order and the letter of the correct one.
    """
    order = list(range(len(options)))
    option_rng(shuffle_seed, problem_id).shuffle(order)
    presented = tuple(options[i] for i in order)
    return presented, LETTERS[order.index(0)]


def format_question(question: str, choices: Sequence[str]) -> str:
    """Append the lettered options to the question, simple-evals style."""
    lines = "\n".join(f"{LETTERS[i]}) {text}" for i, text in enumerate(choices))
    return f"{question}\n\n{lines}"
