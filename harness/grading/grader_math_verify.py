"""Primary grader: math-verify (HuggingFace) on the answer window of the final section.

math-verify's own timeouts use ``signal.alarm`` with whole seconds and only work on the main
thread; they are soft (they cannot stop C code such as big-integer arithmetic). The hard limit
is ``pool.grade_all``'s. Off the main thread the soft timeouts are switched off.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from decimal import Decimal, localcontext
from functools import lru_cache
from importlib.metadata import version
from itertools import product
from typing import Any

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
from math_verify.errors import TimeoutException

from harness.grading.extract import extract_letter, last_boxed, last_boxed_span

NAME = "math_verify"
VERSION = version("math-verify")

# Box first: R1 is told to "put your final answer within \boxed{}" (DeepSeek-R1 README), and
# open-r1's evaluation uses boxed_match_priority=0 for the same reason.
PRED_CONFIG = (LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig())
GOLD_CONFIG = (LatexExtractionConfig(), ExprExtractionConfig())

# Guards against answers whose value sympy would try to compute and never finish (a C-level
# big-int computation ignores the SIGALRM timeout): an exponent of 10^6 or more, written out
# (7+ digits) or as a numeric power tower (10^{10^{10}}), or deep nesting of
# braces/brackets/parentheses (3,000 nested parentheses cost the antlr parser ~28 s, in stretches
# its signal timeout cannot interrupt under load). Such answers are compared as plain strings.
# Small towers (2^{3^{2}} = 512) are computed: only the exponent's size decides.
_EXPONENT_CHAIN = re.compile(
    r"(?:\^|\*\*)\s*\{?\s*[-+]?(\d+)((?:\s*(?:\^|\*\*)\s*\{?\s*[-+]?\d+)*)"
)
# 10^6: the old rule's 7-digit exponent. Measured (2 cores, loaded): sympy computes 2^(10^6)
# in ~10 ms, and grading \boxed{2^{999999}} whole takes ~0.7 s, well inside the 5 s timeout.
_MAX_EXPONENT = 10**6
# MATH-500 gold answers nest brackets at most 4 deep (measured); antlr's recursion grows with depth.
_MAX_NESTING = 40

logging.getLogger("math_verify").setLevel(logging.ERROR)  # it logs whole texts on timeouts


def _tower(numbers: list[str]) -> int:
    """Value of the power tower ``n1^(n2^(…))``, saturated at ``_MAX_EXPONENT``."""
    if any(len(n) > 18 for n in numbers):
        return _MAX_EXPONENT
    value = int(numbers[-1])
    for text in reversed(numbers[:-1]):
        base = int(text)
        if value == 0:
            value = 1
        elif base <= 1:
            value = base
        elif value * math.log2(base) >= math.log2(_MAX_EXPONENT):
            return _MAX_EXPONENT
        else:
            value = base**value
    return min(value, _MAX_EXPONENT)


def _huge_exponent(text: str) -> bool:
    """Say whether ``text`` raises something to a numeric exponent of ``_MAX_EXPONENT`` or more."""
    for m in _EXPONENT_CHAIN.finditer(text):
        numbers = [m.group(1), *re.findall(r"\d+", m.group(2))]
        if _tower(numbers) >= _MAX_EXPONENT:
            return True
    return False


def _risky(text: str) -> bool:
    """Say whether parsing ``text`` with sympy could hang or blow up memory."""
    if _huge_exponent(text):
        return True
    depth = top = 0
    for c in text:
        if c in "{([":
            depth += 1
            top = max(top, depth)
        elif c in "})]":
            depth -= 1
    return top > _MAX_NESTING


# A box's closing delimiter, kept when the prose after the box is cut off.
_CLOSING = re.compile(r"\s*(?:\$\$|\$|\\\]|\\\))?")


def answer_region(window: str) -> str:
    """The window up to the end of its last box (and that box's closing delimiter).

    The hang guard inspects only this part: prose after the answer ("… since 10^{10^{3}} …")
    must not change how the answer itself is graded. Without a box, the whole window.
    """
    span = last_boxed_span(window)
    if span is None:
        return window
    start, content = span
    end = window.find(content, start) + len(content)
    command = len("\\boxed") if window.startswith("\\boxed", start) else len("\\fbox")
    brace = window.find("}", end)
    if window.startswith("{", start + command) and brace >= 0:
        end = brace + 1  # the content is balanced, so the next brace closes the box
    closing = _CLOSING.match(window, end)
    return window[: closing.end() if closing else end]


def soft_timeout(timeout_s: float) -> int | None:
    """math-verify's timeout argument: whole seconds ≥ 1 on the main thread, else None (off)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return max(1, math.ceil(timeout_s))


@lru_cache(maxsize=4096)
def parse_gold(gold: str, timeout: int | None) -> list[Any]:
    """Parse a gold answer written without delimiters, as ``$gold$``; cached per process."""
    return parse(f"${gold}$", list(GOLD_CONFIG), parsing_timeout=timeout, raise_on_error=True)


def parse_pred(window: str, timeout: int | None) -> list[Any]:
    """Parse a prediction window: last box first, then "answer:" patterns, then plain LaTeX."""
    return parse(window, list(PRED_CONFIG), parsing_timeout=timeout, raise_on_error=True)


# Comparisons remembered per worker process. A problem's samples repeat a few answers (R1's 64
# samples of a MATH-500 problem hold a handful of distinct ones), and sympy's simplification of
# each pair costs ~6 ms (profiled, benchmarks/RESULTS_grading.md). 4,096 pairs: a few MB.
_EQUAL_MAX = 4096
_equal: dict[tuple[str, ...], bool] = {}


def _pair_key(gold: list[Any], pred: list[Any], timeout: int | None) -> tuple[str, ...] | None:
    """The exact structure of both parses (sympy ``srepr``), or None when one cannot be written."""
    from sympy import srepr  # sympy is math-verify's own dependency

    try:
        parts = [repr(timeout), *(srepr(x) for x in gold), "|", *(srepr(x) for x in pred)]
    except Exception:  # noqa: BLE001 - a parse that sympy cannot print is compared afresh
        return None
    return tuple(parts)


def equivalent(gold: list[Any], pred: list[Any], timeout: int | None) -> tuple[bool, bool]:
    """Compare parsed answers pair by pair. Returns (equal, timed_out).

    A pair that raises counts as unequal, as in math-verify's default; a timeout is reported.
    The result for structurally identical parses (same ``srepr``) is remembered, except after a
    timeout, which is tried again as before.
    """
    key = _pair_key(gold, pred, timeout)
    if key is not None and key in _equal:
        return _equal[key], False
    result = _equivalent(gold, pred, timeout)
    if key is not None and not result[1]:
        if len(_equal) >= _EQUAL_MAX:
            _equal.clear()
        _equal[key] = result[0]
    return result


def _equivalent(gold: list[Any], pred: list[Any], timeout: int | None) -> tuple[bool, bool]:
    timed_out = False
    for g, p in product(gold, pred):
        try:
            if verify(g, p, timeout_seconds=timeout, raise_on_error=True):
                return True, False
        except TimeoutException:
            timed_out = True
        except Exception:
            continue
    return False, timed_out


def _pred_string(pred: list[Any]) -> str | None:
    """Return the extracted answer as text: math-verify's string form."""
    strings = [p for p in pred if isinstance(p, str)]
    return strings[-1] if strings else None


_PLAIN_NUMBER = re.compile(r"[+-]?\d{1,30}(?:\.\d{1,30})?")
# math-verify compares numbers after rounding to 6 decimals (verify(float_rounding=6)).
_ROUNDING = Decimal("1e-6")


def plain_numbers(window: str, gold: str) -> tuple[str, Decimal, Decimal] | None:
    """Fast path: the window holds one box, and it and the gold are plain decimal numbers.

    Then the antlr LaTeX parse (5–8 ms per new string, benchmarks/RESULTS_grading.md) is not
    needed: math-verify would compare the two numbers, rounded to 6 decimals, and so do we.

    Returns:
        (box text, box value, gold value), or None when the fast path does not apply.
    """
    if window.count("\\boxed") != 1:
        return None
    box = last_boxed(window)
    if box is None:
        return None
    box, want = box.strip(), gold.strip()
    if not (_PLAIN_NUMBER.fullmatch(box) and _PLAIN_NUMBER.fullmatch(want)):
        return None
    return box, Decimal(box), Decimal(want)


# Digits for the quantize: _PLAIN_NUMBER allows 30 integer digits, plus 6 decimals; the default
# context's 28 would overflow on a 23-digit integer answer.
_PRECISION = 80


def same_number(a: Decimal, b: Decimal) -> bool:
    """Equal after rounding to 6 decimals (math-verify's ``float_rounding=6``)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return a.quantize(_ROUNDING) == b.quantize(_ROUNDING)


def grade_math(window: str, gold: str, timeout_s: float) -> tuple[str | None, bool, str]:
    """Grade free-form math. Returns (extracted, correct, status)."""
    fast = plain_numbers(window, gold)
    if fast is not None:
        return fast[0], same_number(fast[1], fast[2]), "ok"
    timeout = soft_timeout(timeout_s)
    region = answer_region(window)
    if _risky(region):
        box = last_boxed(window)
        if box is None:
            return None, False, "no_answer"
        return box, box.replace(" ", "") == gold.replace(" ", ""), "ok"
    pred = parse_pred(region if _risky(window) else window, timeout)
    if not pred:
        return None, False, "no_answer"
    ok, timed_out = equivalent(parse_gold(gold, timeout), pred, timeout)
    return _pred_string(pred), ok, "timeout" if timed_out and not ok else "ok"


def grade_integer(window: str, gold: str, timeout_s: float) -> tuple[str | None, bool, str]:
    """Grade an integer answer (AIME/AMC): "025" == "25", "27.0" == "27"."""
    fast = plain_numbers(window, gold)
    if fast is not None:
        return fast[0], fast[1] == fast[2], "ok"
    timeout = soft_timeout(timeout_s)
    region = answer_region(window)
    if _risky(region):
        return last_boxed(window), False, "ok"
    pred = parse_pred(region if _risky(window) else window, timeout)
    if not pred:
        return None, False, "no_answer"
    try:
        want = int(gold.strip())
    except ValueError:
        return grade_math(window, gold, timeout_s)
    value = pred[0]
    value = getattr(value, "rhs", value)  # "x = 25" counts as 25
    if getattr(value, "is_Number", False):
        return _pred_string(pred), _equals_int(value, want), "ok"
    # An expression ("5^2", "\\frac{50}{2}"): compare under math-verify's timeout.
    ok, timed_out = equivalent(parse_gold(str(want), timeout), pred, timeout)
    return _pred_string(pred), ok, "timeout" if timed_out and not ok else "ok"


def _equals_int(value: Any, want: int) -> bool:
    r"""Say whether a parsed sympy number equals ``want`` ("27.0" == 27, "\frac{50}{2}" == 25)."""
    if not getattr(value, "is_number", False):
        return False
    if getattr(value, "is_Integer", False):
        return bool(value == want)
    diff = value - want
    return bool(diff.is_zero) or abs(float(diff)) < 1e-9


def grade_choice(window: str, gold: str) -> tuple[str | None, bool, str]:
    """Grade a multiple-choice letter (GPQA) with the phrase extractor in ``extract``."""
    letter = extract_letter(window)
    if letter is None:
        return None, False, "no_answer"
    return letter, letter == gold.strip().upper(), "ok"
