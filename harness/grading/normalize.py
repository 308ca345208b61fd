r"""Normalised string equivalence in the style of the MATH paper, written from its description.

Hendrycks et al. 2021, "Measuring Mathematical Problem Solving With the MATH Dataset"
(arXiv 2103.03874): answers are compared as strings after removing formatting that does not
change the value (``\left``/``\right``, units, spaces, ``\dfrac`` vs ``\frac``, unbraced
``\frac12`` / ``\sqrt3``, ``0.5`` vs ``\frac{1}{2}``, a leading "x ="). Minerva (Lewkowycz
et al. 2022, §D.1) adds unwrapping of ``\text{}`` and removal of "\$", which we also do.
Independent of math-verify by design: it is the second opinion.
"""

from __future__ import annotations

import re

NORMALIZER_VERSION = "hendrycks-2021/1"

# Unit words removed when they trail a value (Minerva's list, abbreviated to common ones).
_UNIT_WORDS = (
    "degrees?|cm|centimeters?|meters?|m|km|inch(?:es)?|feet|foot|ft|units?|sq|square|"
    "dollars?|cents?|hours?|minutes?|seconds?|days?|miles?|mph|pounds?|ounces?"
)
_TRAILING_TEXT_UNIT = re.compile(r"\\(?:text|mbox|mathrm)\s*\{\s*(?:" + _UNIT_WORDS + r")\s*\}$")
_TEXT_WRAP = re.compile(r"\\(?:text|textbf|mbox|mathrm|mathbf)\s*\{([^{}]*)\}")
_SQRT_UNBRACED = re.compile(r"\\sqrt\s*([^{\s\\])")
_FRAC_UNBRACED = re.compile(r"\\frac\s*([^{\s\\])\s*([^{\s\\])")
_FRAC_HALF_BRACED = re.compile(r"\\frac\s*(\{[^{}]*\})\s*([^{\s\\])")
_SIMPLE_SLASH = re.compile(r"^(-?\d+)/(\d+)$")
_SIMPLE_DECIMAL = re.compile(r"^(-?)(\d*)\.(\d+)$")
_LHS = re.compile(r"^[A-Za-z](?:_\{?\w+\}?)?\s*=")

# Largest integer text converted with int(); Python refuses > 4300 digits by default and a
# real answer never has more than a few dozen.
_MAX_INT_DIGITS = 100
_INT = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def _decimal_to_frac(s: str) -> str:
    r"""``0.5`` → ``\frac{1}{2}`` when the decimal is a short exact fraction (MATH style)."""
    m = _SIMPLE_DECIMAL.match(s)
    if not m or len(m.group(3)) > 6:
        return s
    sign, whole, frac = m.groups()
    num = int((whole or "0") + frac)
    den = 10 ** len(frac)
    a, b = num, den
    while b:
        a, b = b, a % b
    num, den = num // a, den // a
    if den == 1:
        return f"{sign}{num}"
    return f"{sign}\\frac{{{num}}}{{{den}}}"


def strip_string(s: str) -> str:
    r"""Normalise a LaTeX answer string for comparison (MATH-paper style).

    Args:
        s: An answer as written, e.g. ``"\dfrac12"`` or ``"x = 10\text{ cm}"``.

    Returns:
        The normalised string, e.g. ``"\frac{1}{2}"`` or ``"10"``.

    """
    s = s.replace("\n", "").replace("\\!", "").replace("\\,", "").replace("\\;", "")
    s = s.replace("\\\\", "\\").replace("tfrac", "frac").replace("dfrac", "frac")
    s = s.replace("\\left", "").replace("\\right", "")
    s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("°", "")
    s = s.replace("\\$", "").replace("$", "").replace("\\%", "").replace("%", "")
    s = s.strip().rstrip(".").strip()
    s = _TRAILING_TEXT_UNIT.sub("", s).strip()
    for _ in range(3):  # nested \text{\textbf{…}} — a few rounds are enough
        s = _TEXT_WRAP.sub(r"\1", s)
    s = s.replace(" .", " 0.").replace("{.", "{0.")
    if s.startswith("."):
        s = "0" + s
    # "x = 5" / "k=2" → "5" when the left side is a single (subscripted) letter.
    if s.count("=") == 1 and _LHS.match(s):
        s = s.split("=", 1)[1]
    s = _SQRT_UNBRACED.sub(r"\\sqrt{\1}", s)
    s = _FRAC_UNBRACED.sub(r"\\frac{\1}{\2}", s)
    s = _FRAC_HALF_BRACED.sub(r"\\frac\1{\2}", s)
    s = s.replace(" ", "")
    m = _SIMPLE_SLASH.match(s)
    if m:
        s = f"\\frac{{{m.group(1)}}}{{{m.group(2)}}}"
    s = _decimal_to_frac(s)
    if s.startswith("+"):
        s = s[1:]
    return s


def is_equiv(a: str | None, b: str | None) -> bool:
    """Say whether two answers are equal after ``strip_string``; never raises."""
    if a is None or b is None:
        return False
    try:
        return strip_string(a) == strip_string(b)
    except Exception:
        return a == b


def to_int(s: str | None) -> int | None:
    """Read an integer answer: "025" → 25, "27.0" → 27, "1,000" → 1000; None when not one."""
    if s is None:
        return None
    try:
        t = strip_string(s).replace(",", "").replace("{", "").replace("}", "")
        t = t.replace("\\boxed", "")
        if len(t) > _MAX_INT_DIGITS or not _INT.match(t):
            return None
        return int(t.split(".", 1)[0])
    except Exception:
        return None
