"""Second, independent grader: MATH-paper string normalisation on the last box.

Shares nothing with math-verify for math and integer answers (own box finder, own normaliser);
for letters it uses math-verify's string extractor, which is independent of the primary
grader's letter regex.
"""

from __future__ import annotations

import re

from math_verify import StringExtractionConfig, parse

from harness.grading.extract import last_boxed
from harness.grading.grader_math_verify import soft_timeout
from harness.grading.normalize import NORMALIZER_VERSION, is_equiv, strip_string, to_int

NAME = "math_normalized"
VERSION = NORMALIZER_VERSION

_PAREN_LETTER = re.compile(r"\(([A-D])\)")
LETTERS = StringExtractionConfig(strings=("A", "B", "C", "D"), lowercase=False)


def grade_math(window: str, gold: str) -> tuple[str | None, bool, str]:
    """Grade free-form math: last box, then ``is_equiv``. Returns (extracted, correct, status)."""
    box = last_boxed(window)
    if box is None:
        return None, False, "no_answer"
    return box, is_equiv(box, gold), "ok"


def grade_integer(window: str, gold: str) -> tuple[str | None, bool, str]:
    """Grade an integer answer on the last box: "025" == "25", "27.0" == "27"."""
    box = last_boxed(window)
    if box is None:
        return None, False, "no_answer"
    got, want = to_int(box), to_int(gold)
    if want is None:
        return box, is_equiv(box, gold), "ok"
    return box, got is not None and got == want, "ok"


def grade_choice(window: str, gold: str, timeout_s: float) -> tuple[str | None, bool, str]:
    """Grade a letter with math-verify's ``StringExtractionConfig`` (box content first)."""
    box = last_boxed(window)
    text = strip_string(box).strip("(){}* ") if box is not None else window
    text = _PAREN_LETTER.sub(r" \1", text)  # "(C)" → " C": the string patterns need a space
    found = parse(
        text,
        [LETTERS],
        fallback_mode="no_fallback",
        parsing_timeout=soft_timeout(timeout_s),
        raise_on_error=True,
    )
    letters = [f for f in found if isinstance(f, str)]
    if not letters:
        return None, False, "no_answer"
    letter = letters[0].upper()
    return letter, letter == gold.strip().upper(), "ok"
